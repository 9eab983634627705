"""Points paid for what happens elsewhere (docs/events.md). Imported, as every app's
`receivers`, by core/apps.py.

The ledger's event keys are those the services wrote before events had a home, unique per
user: an event delivered twice, or replayed, never pays twice."""

from core.events import Event, receiver_for
from rewards.models import LedgerEntry
from rewards.prizes import prizes_award
from rewards.services import points_award_for_idea

Reason = LedgerEntry.Reason


@receiver_for("idea.published")
def idea_published(event: Event) -> None:
    """Paid once, when the idea becomes public (at once, or when a moderator approves it)."""
    points_award_for_idea(
        user_id=event["author_id"], idea_id=event["idea_id"], campaign_id=event["campaign_id"],
        event_key=f"idea_published:{event['idea_id']}", reason=Reason.IDEA_PUBLISHED,
    )  # fmt: skip


@receiver_for("idea.vote_milestone")
def idea_first_vote(event: Event) -> None:
    if event["count"] != 1:
        return
    points_award_for_idea(
        user_id=event["author_id"], idea_id=event["idea_id"], campaign_id=event["campaign_id"],
        event_key=f"idea_first_vote:{event['idea_id']}", reason=Reason.IDEA_FIRST_VOTE,
    )  # fmt: skip


@receiver_for("comment.posted")
def comment_posted(event: Event) -> None:
    points_award_for_idea(
        user_id=event["author_id"], idea_id=event["idea_id"], campaign_id=event["campaign_id"],
        event_key=f"comment:{event['comment_id']}", reason=Reason.COMMENT_POSTED,
    )  # fmt: skip


@receiver_for("results.published")
def prizes_for_the_winners(event: Event) -> None:
    prizes_award(campaign_id=event["campaign_id"])
