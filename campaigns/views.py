from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from campaigns import rules as campaign_rules
from campaigns import selectors, services
from campaigns.forms import CampaignForm
from campaigns.models import Campaign
from core.errors import ApplicationError
from core.forms import apply_service_error
from ideas.rules import can_submit_idea
from ideas.selectors import idea_list_ranked
from voting.selectors import vote_values_for_ideas


def home(request):
    return render(request, "campaigns/home.html", {"campaigns": selectors.campaign_list_live()})


def campaign_detail(request, slug: str):
    campaign = get_object_or_404(Campaign.objects.select_related("brand"), slug=slug)
    if not campaign_rules.can_view_campaign(request.user, campaign):
        raise Http404
    ideas = list(idea_list_ranked(campaign=campaign)[:200])
    return render(
        request,
        "campaigns/detail.html",
        {
            "campaign": campaign,
            "ideas": ideas,
            "my_votes": vote_values_for_ideas(voter=request.user, ideas=ideas),
            "can_submit": can_submit_idea(request.user, campaign),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request):
    if not campaign_rules.can_create_any_campaign(request.user):
        raise PermissionDenied(_("Only verified brand members can create campaigns."))
    brands = selectors.brands_for_member(user=request.user)
    form = CampaignForm(request.POST or None, brands=brands)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(created_by=request.user, **form.cleaned_data)
        except ApplicationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("Your campaign is live."))
            return redirect(campaign)
    return render(request, "campaigns/form.html", {"form": form})
