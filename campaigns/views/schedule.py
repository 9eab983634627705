"""A running campaign's schedule: following it, and the brand's extend / close early /
archive actions with their history."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from campaigns import lifecycle, selectors
from campaigns import rules as campaign_rules
from campaigns.models import Campaign
from campaigns.schedule_forms import RescheduleForm
from campaigns.services import campaign_follow_set
from core.errors import ApplicationError
from core.forms import apply_service_error


def _campaign_for(request, slug: str) -> Campaign:
    campaign = get_object_or_404(Campaign.objects.select_related("brand"), slug=slug)
    if not campaign_rules.can_view_campaign(request.user, campaign):
        raise Http404
    return campaign


@login_required
@require_POST
def campaign_follow(request, slug: str):
    """Follow or unfollow (the button says which); htmx swaps the button in place."""
    campaign = _campaign_for(request, slug)
    try:
        following = campaign_follow_set(
            campaign=campaign, user=request.user, following=request.POST.get("follow") == "1"
        )
    except ApplicationError as error:
        if request.htmx:
            return render(
                request,
                "campaigns/_follow.html",
                {"campaign": campaign, "following": False, "error": error.message},
                status=error.status_code,
            )
        messages.error(request, error.message)
        return redirect(campaign)
    if request.htmx:
        return render(
            request, "campaigns/_follow.html", {"campaign": campaign, "following": following}
        )
    return redirect(campaign)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_schedule(request, slug: str):
    campaign = _campaign_for(request, slug)
    if not campaign_rules.can_view_dashboard(request.user, campaign):
        raise PermissionDenied
    can_run = campaign_rules.can_run_campaign(request.user, campaign)
    form = RescheduleForm(request.POST or None, time_zone=campaign.brand.time_zone)
    if request.method == "POST":
        if not can_run:
            raise PermissionDenied
        if form.is_valid():
            try:
                change = lifecycle.campaign_reschedule(
                    campaign=campaign, actor=request.user, window=form.cleaned_data["window"],
                    new_end=form.cleaned_data["new_end"], reason=form.cleaned_data["reason"],
                )  # fmt: skip
            except ApplicationError as error:
                apply_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("%(window)s: %(kind)s. Participants are told why.")
                    % {"window": change.get_window_display(), "kind": change.get_kind_display()},
                )
                return redirect("campaigns:schedule", slug=campaign.slug)
    return render(
        request,
        "campaigns/schedule.html",
        {
            "campaign": campaign,
            "form": form,
            "can_run": can_run,
            "can_archive": campaign_rules.can_archive_campaign(request.user, campaign)
            and campaign.state == Campaign.State.RESULTS,
            "history": selectors.campaign_history(campaign=campaign),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def campaign_archive(request, slug: str):
    campaign = _campaign_for(request, slug)
    if not campaign_rules.can_archive_campaign(request.user, campaign):
        raise PermissionDenied
    try:
        lifecycle.campaign_archive(
            campaign=campaign, actor=request.user, reason=request.POST.get("reason", "")[:500]
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The campaign is archived."))
    return redirect("campaigns:schedule", slug=campaign.slug)


urlpatterns = [
    path("campaigns/<slug:slug>/follow/", campaign_follow, name="follow"),
    path("campaigns/<slug:slug>/schedule/", campaign_schedule, name="schedule"),
    path("campaigns/<slug:slug>/archive/", campaign_archive, name="archive"),
]
