"""The jury's pages.

- A juror's pages (`entries`, `score`): the contest's entries anonymised (title,
  description, picture; never the author), each with a form scoring the brand's criteria
  (htmx swaps the entry's card; without JavaScript, a redirect). Anyone but the contest's
  active jurors gets the reason why not (jury/rules.py).
- The brand's jury page (`manage`) and its actions: criteria and jury weight (while the
  campaign is a draft or scheduled), jurors (until voting closes). The builder's format
  step shows the same section; each action goes back to `next` when it is a safe address.
- The invitation link (`invitation_accept`).

Who may see the campaign at all is `can_view_campaign` (404 otherwise)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import User
from campaigns.models import Campaign
from campaigns.rules import can_view_campaign
from core.errors import ApplicationError
from core.ratelimit import rate_limit
from ideas.models import Idea
from jury import invitations, selectors, services
from jury import rules as jury_rules
from jury.forms import CriterionForm, JurorInviteForm, JuryWeightForm, MemberJurorForm, ScoreForm
from jury.models import Criterion, Juror, JurorInvitation


def _campaign(request, slug: str) -> Campaign:
    campaign = get_object_or_404(Campaign.objects.select_related("brand"), slug=slug)
    if not can_view_campaign(request.user, campaign) or not jury_rules.has_jury(campaign):
        raise Http404
    return campaign


# -- the juror's pages ---------------------------------------------------------------------


def _score_form(entry, criteria, data=None) -> ScoreForm:
    return ScoreForm(data, criteria=criteria, scores=entry.scores, auto_id=f"entry-{entry.id}-%s")


def _progress(juror, criteria, entries=None) -> dict:
    entries = selectors.entries_for_juror(juror=juror) if entries is None else entries
    return {"done": sum(1 for entry in entries if entry.is_scored(criteria)), "total": len(entries)}


def _entry_card(request, campaign, juror, entry, criteria, *, form=None, saved=False, status=200):
    context = {
        "campaign": campaign,
        "entry": entry,
        "criteria": criteria,
        "form": form or _score_form(entry, criteria),
        "saved": saved,
        # After a save the page's "N of M entries scored" follows (out of band).
        "progress_oob": _progress(juror, criteria) if saved else None,
    }
    return render(request, "jury/_entry.html", context, status=status)


@require_safe
def entries(request, slug: str):
    campaign = _campaign(request, slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    problem = jury_rules.why_not_judge(request.user, campaign)
    if problem is not None:
        return render(
            request,
            "jury/entries.html",
            {"campaign": campaign, "problem": problem},
            status=problem.status_code,
        )
    juror = jury_rules.active_juror(request.user, campaign)
    criteria = selectors.criteria_for(campaign=campaign)
    entries = selectors.entries_for_juror(juror=juror)
    cards = [{"entry": entry, "form": _score_form(entry, criteria)} for entry in entries]
    context = {
        "campaign": campaign,
        "criteria": criteria,
        "cards": cards,
        "progress": _progress(juror, criteria, entries),
    }
    return render(request, "jury/entries.html", context)


@require_POST
def score(request, slug: str, idea_id: int):
    campaign = _campaign(request, slug)
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("jury:entries", kwargs={"slug": slug}))
    rate_limit(request, "vote")
    back = reverse("jury:entries", kwargs={"slug": slug})
    problem = jury_rules.why_not_judge(request.user, campaign)
    if problem is not None:
        messages.error(request, problem.message)
        return redirect(back)
    juror = jury_rules.active_juror(request.user, campaign)
    entry = selectors.entry_for_juror(juror=juror, idea_id=idea_id)
    if entry is None:
        raise Http404
    criteria = selectors.criteria_for(campaign=campaign)
    form = _score_form(entry, criteria, request.POST)
    status, saved = 400, False
    if form.is_valid():
        idea = get_object_or_404(Idea.objects.select_related("campaign"), pk=idea_id)
        try:
            services.entry_score(user=request.user, idea=idea, scores=form.scores())
        except ApplicationError as error:
            form.add_error(None, error.message)
            status = error.status_code
        else:
            status, saved = 200, True
            entry = selectors.entry_for_juror(juror=juror, idea_id=idea_id)
            form = _score_form(entry, criteria)
    if request.htmx:
        return _entry_card(
            request, campaign, juror, entry, criteria, form=form, saved=saved, status=status
        )
    if saved:
        messages.success(
            request, _("Your scores of “%(title)s” are saved.") % {"title": entry.title}
        )
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(f"{back}#entry-{entry.id}")


# -- the brand's jury page -----------------------------------------------------------------


def _campaign_for_jury_manager(request, slug: str) -> Campaign:
    campaign = _campaign(request, slug)
    if jury_rules.why_not_manage_jurors(request.user, campaign) is None:
        return campaign
    if jury_rules.why_not_manage_criteria(request.user, campaign) is None:
        return campaign
    raise PermissionDenied(_("Only the brand's owners and managers can choose the jury."))


def _back(request, campaign: Campaign):
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("jury:manage", kwargs={"slug": campaign.slug})
    return redirect(target)


@login_required
@require_safe
def manage(request, slug: str):
    campaign = _campaign_for_jury_manager(request, slug)
    return render(request, "jury/manage.html", {"campaign": campaign})


def _act(request, campaign, action, success: str):
    """Run a service action; its refusal or `success` becomes the next page's message."""
    try:
        action()
    except ApplicationError as error:
        if error.status_code == 403:
            raise PermissionDenied(error.message) from None
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return _back(request, campaign)


def _form_errors(request, campaign, form):
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return _back(request, campaign)


@login_required
@require_POST
def criterion_add(request, slug: str):
    campaign = _campaign_for_jury_manager(request, slug)
    form = CriterionForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, campaign, form)
    return _act(
        request,
        campaign,
        lambda: services.criterion_add(campaign=campaign, actor=request.user, **form.cleaned_data),
        _("Criterion added."),
    )


@login_required
@require_POST
def criterion_edit(request, slug: str, pk: int):
    campaign = _campaign_for_jury_manager(request, slug)
    criterion = get_object_or_404(Criterion, pk=pk, campaign=campaign)
    form = CriterionForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, campaign, form)
    return _act(
        request,
        campaign,
        lambda: services.criterion_update(
            criterion=criterion, actor=request.user, **form.cleaned_data
        ),
        _("Criterion saved."),
    )


@login_required
@require_POST
def criterion_remove(request, slug: str, pk: int):
    campaign = _campaign_for_jury_manager(request, slug)
    criterion = get_object_or_404(Criterion, pk=pk, campaign=campaign)
    return _act(
        request,
        campaign,
        lambda: services.criterion_remove(criterion=criterion, actor=request.user),
        _("Criterion removed."),
    )


@login_required
@require_POST
def criteria_suggest(request, slug: str):
    campaign = _campaign_for_jury_manager(request, slug)
    return _act(
        request,
        campaign,
        lambda: services.criteria_suggest(campaign=campaign, actor=request.user),
        _("Suggested criteria added."),
    )


@login_required
@require_POST
def jury_weight(request, slug: str):
    campaign = _campaign_for_jury_manager(request, slug)
    form = JuryWeightForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, campaign, form)
    return _act(
        request,
        campaign,
        lambda: services.jury_weight_update(
            campaign=campaign, actor=request.user, jury_weight=form.cleaned_data["jury_weight"]
        ),
        _("The jury's weight is saved."),
    )


@login_required
@require_POST
def juror_invite(request, slug: str):
    campaign = _campaign_for_jury_manager(request, slug)
    rate_limit(request, "invitation")
    form = JurorInviteForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, campaign, form)
    email = form.cleaned_data["email"]
    return _act(
        request,
        campaign,
        lambda: invitations.juror_invite(campaign=campaign, email=email, invited_by=request.user),
        _("Invitation sent to %(email)s.") % {"email": email},
    )


@login_required
@require_POST
def juror_add_member(request, slug: str):
    campaign = _campaign_for_jury_manager(request, slug)
    members = User.objects.filter(brand_memberships__brand=campaign.brand)
    form = MemberJurorForm(request.POST, members=members)
    if not form.is_valid():
        return _form_errors(request, campaign, form)
    return _act(
        request,
        campaign,
        lambda: services.juror_add_member(
            campaign=campaign, user=form.cleaned_data["member"], actor=request.user
        ),
        _("%(name)s is on the jury.") % {"name": form.cleaned_data["member"].public_name},
    )


@login_required
@require_POST
def juror_remove(request, slug: str, pk: int):
    campaign = _campaign_for_jury_manager(request, slug)
    juror = get_object_or_404(Juror.objects.select_related("user"), pk=pk, campaign=campaign)
    return _act(
        request,
        campaign,
        lambda: services.juror_remove(juror=juror, actor=request.user),
        _("%(name)s is no longer on the jury.") % {"name": juror.user.public_name},
    )


@login_required
@require_POST
def invitation_resend(request, slug: str, pk: int):
    campaign = _campaign_for_jury_manager(request, slug)
    rate_limit(request, "invitation")
    invitation = get_object_or_404(JurorInvitation, pk=pk, campaign=campaign)
    return _act(
        request,
        campaign,
        lambda: invitations.juror_invitation_resend(invitation=invitation, actor=request.user),
        _("Invitation sent again to %(email)s.") % {"email": invitation.email},
    )


@login_required
@require_POST
def invitation_revoke(request, slug: str, pk: int):
    campaign = _campaign_for_jury_manager(request, slug)
    invitation = get_object_or_404(JurorInvitation, pk=pk, campaign=campaign)
    return _act(
        request,
        campaign,
        lambda: invitations.juror_invitation_revoke(invitation=invitation, actor=request.user),
        _("Invitation to %(email)s withdrawn.") % {"email": invitation.email},
    )


# -- the invitation link -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    """The page an invitation email links to: which contest's jury it offers; only the
    invited (verified) address may accept it."""
    invitation = selectors.invitation_for_token(token=token)
    if invitation is None:
        return render(request, "jury/invitation_invalid.html", status=404)
    here = reverse("jury:invitation_accept", kwargs={"token": token})
    problem = invitations.invitation_problem(invitation=invitation, user=request.user)
    context = {"invitation": invitation, "campaign": invitation.campaign, "problem": problem,
               "next": here}  # fmt: skip
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={here}")
        try:
            invitations.juror_invitation_accept(token=token, user=request.user)
        except ApplicationError as error:
            context["problem"] = error
            return render(request, "jury/invitation.html", context, status=error.status_code)
        messages.success(
            request,
            _("Welcome to the jury of %(campaign)s.") % {"campaign": invitation.campaign.title},
        )
        return redirect("jury:entries", slug=invitation.campaign.slug)
    status = problem.status_code if problem is not None else 200
    return render(request, "jury/invitation.html", context, status=status)


urlpatterns = [
    path("campaigns/<slug:slug>/jury/", entries, name="entries"),
    path("campaigns/<slug:slug>/jury/entries/<int:idea_id>/", score, name="score"),
    path("campaigns/<slug:slug>/jury/manage/", manage, name="manage"),
    path("campaigns/<slug:slug>/jury/criteria/", criterion_add, name="criterion_add"),
    path("campaigns/<slug:slug>/jury/criteria/suggested/", criteria_suggest,
         name="criteria_suggest"),
    path("campaigns/<slug:slug>/jury/criteria/<int:pk>/", criterion_edit, name="criterion_edit"),
    path("campaigns/<slug:slug>/jury/criteria/<int:pk>/remove/", criterion_remove,
         name="criterion_remove"),
    path("campaigns/<slug:slug>/jury/weight/", jury_weight, name="weight"),
    path("campaigns/<slug:slug>/jury/invite/", juror_invite, name="invite"),
    path("campaigns/<slug:slug>/jury/members/", juror_add_member, name="member_add"),
    path("campaigns/<slug:slug>/jury/jurors/<int:pk>/remove/", juror_remove, name="juror_remove"),
    path("campaigns/<slug:slug>/jury/invitations/<int:pk>/resend/", invitation_resend,
         name="invitation_resend"),
    path("campaigns/<slug:slug>/jury/invitations/<int:pk>/withdraw/", invitation_revoke,
         name="invitation_revoke"),
    path("jury/invitations/<str:token>/", invitation_accept, name="invitation_accept"),
]  # fmt: skip
