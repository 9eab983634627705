"""What happens when an idea reaches a vote milestone (1, 10, 100, ... votes)."""

from ideas.models import Idea
from notifications.models import Notification
from notifications.services import notification_create
from rewards.services import points_award


def milestones_reached(*, idea_id: int, milestones: list[int]) -> None:
    """Tell the author, and pay the first-vote points. Each event has a key, so running
    this twice for the same milestone sends nothing twice. Runs inside the tally
    transaction: if the tally is rolled back, so are these."""
    idea = Idea.objects.select_related("author").get(pk=idea_id)
    for milestone in milestones:
        notification_create(
            recipient=idea.author,
            kind=Notification.Kind.VOTE_MILESTONE,
            event_key=f"idea_votes:{idea.pk}:{milestone}",
            params={"title": idea.title, "count": milestone},
            url=idea.get_absolute_url(),
        )
        if milestone == 1:
            points_award(
                user=idea.author,
                event_key=f"idea_first_vote:{idea.pk}",
                reason="idea_first_vote",
                idea=idea,
            )


SUPPORT_EVENT_KINDS = {
    "stage": Notification.Kind.SUPPORT_STAGE,
    "review": Notification.Kind.SUPPORT_REVIEW,
    "expired": Notification.Kind.SUPPORT_EXPIRED,
}


def support_events(*, idea_id: int, events: list[tuple[str, int]]) -> None:
    """Tell the author their idea reached a support stage, went to review, or expired."""
    idea = Idea.objects.select_related("author").get(pk=idea_id)
    for event, count in events:
        notification_create(
            recipient=idea.author,
            kind=SUPPORT_EVENT_KINDS[event],
            event_key=f"idea_support:{idea.pk}:{event}:{count}",
            params={"title": idea.title, "count": count},
            url=idea.get_absolute_url(),
        )
