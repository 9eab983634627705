from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import ApplicationError
from ideas.models import Idea
from ideas.rules import can_view_idea
from voting import selectors, services

# How long the score keeps asking for the worker's recount after a vote (1 s apart).
TALLY_POLL_LIMIT = 30


def _visible_idea(request, pk: int) -> Idea:
    idea = get_object_or_404(Idea.objects.select_related("campaign", "campaign__brand"), pk=pk)
    if not can_view_idea(request.user, idea):
        raise Http404
    return idea


def _widget(request, idea, *, error: str = "", status: int = 200, pending_since=None):
    return render(
        request,
        "voting/_vote_widget.html",
        {
            "idea": idea,
            "tally": selectors.tally_for_idea(idea=idea),
            "my_vote": selectors.vote_value(voter=request.user, idea=idea),
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
    raw = request.POST.get("value", "")
    error, status = "", 200
    try:
        value = int(raw)
        if value == 0:
            services.vote_retract(voter=request.user, idea=idea)
        else:
            services.vote_cast(voter=request.user, idea=idea, value=value)
    except ValueError:
        error, status = _("A vote is 1 (for) or -1 (against)."), 400
    except ApplicationError as refusal:
        error, status = refusal.message, refusal.status_code
    if request.htmx:
        return _widget(request, idea, error=error, status=status,
                       pending_since=None if error else timezone.now().timestamp())
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
        {"idea": idea, "tally": tally,
         "pending_since": None if counted or poll >= TALLY_POLL_LIMIT else since, "poll": poll},
    )
