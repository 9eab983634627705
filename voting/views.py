from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from campaigns.models import Campaign
from campaigns.rules import can_view_campaign
from core.errors import ApplicationError, RateLimited
from core.ratelimit import rate_limit
from ideas.models import Idea
from ideas.rules import can_view_idea
from voting import ballots, pairwise, selectors, services
from voting.formats import format_for

# How long the score keeps asking for the worker's recount after a vote (1 s apart).
TALLY_POLL_LIMIT = 30


def _visible_idea(request, pk: int) -> Idea:
    idea = get_object_or_404(Idea.objects.select_related("campaign", "campaign__brand"), pk=pk)
    if not can_view_idea(request.user, idea):
        raise Http404
    return idea


def _widget(request, idea, *, error="", status=200, pending_since=None, my_vote=None):
    """The vote buttons; `my_vote` is the value a vote just stored (else it is read)."""
    return render(
        request,
        "voting/_vote_widget.html",
        {
            "idea": idea,
            "tally": selectors.tally_for_idea(idea=idea),
            "my_vote": selectors.vote_value(voter=request.user, idea=idea)
            if my_vote is None
            else my_vote,
            "pending_since": pending_since,
            "poll": 0,
            "error": error,
        },
        status=status,
    )


@require_POST
def idea_vote(request, pk: int):
    """Cast (1, -1) or withdraw (0) the user's vote. htmx gets the widget back; a plain
    form post goes back to the page it came from."""
    idea = _visible_idea(request, pk)
    if not request.user.is_authenticated:
        login_url = reverse("account_login") + f"?next={idea.get_absolute_url()}"
        if request.htmx:
            return HttpResponse(status=204, headers={"HX-Redirect": login_url})
        return redirect_to_login(idea.get_absolute_url())
    try:
        rate_limit(request, "vote")
    except RateLimited as limited:
        if not request.htmx:
            raise  # the 429 page
        return _widget(request, idea, error=limited.message, status=limited.status_code)
    raw = request.POST.get("value", "")
    error, status, my_vote = "", 200, None
    try:
        value = int(raw)
        # One statement checks every rule and writes (voting.services).
        if value == 0:
            services.vote_retract(voter=request.user, idea=idea)
        else:
            services.vote_cast(voter=request.user, idea=idea, value=value)
        my_vote = value
    except ValueError:
        error, status = _("A vote is 1 (for) or -1 (against)."), 400
    except ApplicationError as refusal:
        error, status = refusal.message, refusal.status_code
    if request.htmx:
        return _widget(
            request,
            idea,
            error=error,
            status=status,
            pending_since=None if error else timezone.now().timestamp(),
            my_vote=my_vote,
        )
    if error:
        messages.error(request, error)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = idea.get_absolute_url()
    return redirect(back)


@require_GET
def idea_tally(request, pk: int):
    """The score, refreshed by htmx until the workers have counted the user's vote."""
    idea = _visible_idea(request, pk)
    tally = selectors.tally_for_idea(idea=idea)
    try:
        since = float(request.GET.get("since", "0"))
        poll = int(request.GET.get("poll", "0")) + 1
    except ValueError:
        since, poll = 0.0, TALLY_POLL_LIMIT
    counted = tally.computed_at is not None and tally.computed_at.timestamp() >= since
    return render(
        request,
        "voting/_score.html",
        {
            "idea": idea,
            "tally": tally,
            "pending_since": None if counted or poll >= TALLY_POLL_LIMIT else since,
            "poll": poll,
        },
    )


def _visible_campaign(request, slug: str):
    campaign = get_object_or_404(Campaign.objects.select_related("brand"), slug=slug)
    if not can_view_campaign(request.user, campaign):
        raise Http404
    return campaign


def _ballot_choices_from_post(post, *, ranked: bool) -> list[int]:
    """Read the ballot form: checked ids, or for ranked ballots the ids by their number."""
    if not ranked:
        return [int(value) for value in post.getlist("choices")]
    ranked = []
    for name, value in post.items():
        if name.startswith("rank-") and value.strip():
            ranked.append((int(value), int(name.removeprefix("rank-"))))
    ranks = [rank for rank, _idea in ranked]
    if len(set(ranks)) != len(ranks):
        raise ApplicationError(_("Give each idea a different number."), field="choices")
    return [idea_id for _rank, idea_id in sorted(ranked)]


@require_POST
def campaign_ballot(request, slug: str):
    campaign = _visible_campaign(request, slug)
    if not request.user.is_authenticated:
        return redirect_to_login(campaign.get_absolute_url())
    rate_limit(request, "ballot")
    choices: list[int] = []
    try:
        choices = _ballot_choices_from_post(request.POST, ranked=format_for(campaign).ranked_ballot)
        ballots.ballot_submit(voter=request.user, campaign=campaign, choices=choices)
    except ValueError:
        messages.error(request, _("The ballot could not be read: use the form's numbers."))
    except ApplicationError as refusal:
        messages.error(request, refusal.message)
        # Nothing the voter ticked is lost: the form shows their choices again.
        request.session[f"ballot_draft:{campaign.pk}"] = choices
    else:
        messages.success(request, _("Your ballot is recorded."))
    return redirect(campaign)


@require_http_methods(["GET", "POST"])
def campaign_compare(request, slug: str):
    """The pairwise survey: GET shows a pair (with its one-time token), POST answers it."""
    campaign = _visible_campaign(request, slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.method == "POST":
        rate_limit(request, "pairwise_answer")
        try:
            pairwise.pairwise_answer(
                voter=request.user,
                token=request.POST.get("token", ""),
                outcome=request.POST.get("outcome", ""),
            )
        except ApplicationError as refusal:
            messages.error(request, refusal.message)
        return redirect("voting:compare", slug=campaign.slug)
    try:
        prompt = pairwise.pairwise_issue(voter=request.user, campaign=campaign)
    except ApplicationError as refusal:
        return render(
            request,
            "voting/compare.html",
            {"campaign": campaign, "error": refusal.message},
            status=refusal.status_code,
        )
    answered = selectors.pairs_answered(voter=request.user, campaign=campaign)
    return render(
        request,
        "voting/compare.html",
        {"campaign": campaign, "prompt": prompt, "answered": answered},
    )


@require_safe
def campaign_results(request, slug: str):
    campaign = _visible_campaign(request, slug)
    result = selectors.result_for_campaign(campaign=campaign, viewer=request.user)
    if result is None:
        return render(
            request, "voting/results.html", {"campaign": campaign, "result": None}, status=404
        )
    voting_format = format_for(campaign)
    return render(
        request,
        "voting/results.html",
        {
            "campaign": campaign,
            "format": voting_format,
            "chart_caption": voting_format.chart_caption(details=result.details),
            "result": result,
            "rows": selectors.result_rows(campaign=campaign, result=result),
            "my_receipt": selectors.receipt_for_voter(voter=request.user, campaign=campaign),
        },
    )
