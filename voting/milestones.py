"""What an idea's tally reports: vote milestones (1, 10, 100, ... votes) and support
stages. Voting emits them (docs/events.md); notifications tells the author and rewards
pays the first vote's points, each once per event key."""

from core.events import emit
from ideas.models import Idea

SUPPORT_EVENT_KINDS = {
    "stage": "idea.support_stage",
    "review": "idea.support_review",
    "expired": "idea.support_expired",
}


def _idea_payload(idea_id: int) -> dict:
    idea = Idea.objects.only("pk", "title", "author_id", "campaign_id").get(pk=idea_id)
    return {
        "idea_id": idea.pk,
        "campaign_id": idea.campaign_id,
        "author_id": idea.author_id,
        "title": idea.title,
        "url": idea.get_absolute_url(),
    }


def milestones_reached(*, idea_id: int, milestones: list[int]) -> None:
    """Emit "idea.vote_milestone" for each milestone reached. Runs inside the tally
    transaction: if the tally is rolled back, so is what the receivers wrote."""
    payload = _idea_payload(idea_id)
    for milestone in milestones:
        emit("idea.vote_milestone", **payload, count=milestone)


def support_events(*, idea_id: int, events: list[tuple[str, int]]) -> None:
    """Emit that an idea reached a support stage, went to review, or expired."""
    payload = _idea_payload(idea_id)
    for event, count in events:
        emit(SUPPORT_EVENT_KINDS[event], **payload, count=count)
