"""Who is told what: the receivers of every event that tells someone something
(docs/events.md). Imported, as every app's `receivers`, by core/apps.py.

Each notification has an event key, unique per recipient, so an event delivered twice (a
retried task, a replayed beat) tells each person once. The keys are those the services
wrote before events had a home: changing one would tell everyone again on the next replay.
Each receiver answers how many notifications it offered (the effects tasks report it)."""

from django.urls import reverse

from core.events import Event, receiver_for
from notifications import recipients
from notifications.models import Notification
from notifications.services import notification_create, notifications_create_many

Kind = Notification.Kind


def _tell_author(event: Event, *, kind: str, event_key: str, **params) -> int:
    """One notification to the author of the event's idea."""
    notification_create(
        recipient_id=event["author_id"],
        kind=kind,
        event_key=event_key,
        params={"title": event["title"], **params},
        url=event["url"],
    )
    return 1


# -- a campaign's steps --------------------------------------------------------------------


@receiver_for("campaign.submission_opened")
def campaign_opened(event: Event) -> int:
    """Ideas are open: its followers are told (nobody else has taken part yet)."""
    return notifications_create_many(
        recipient_ids=recipients.follower_ids(event["campaign_id"]),
        kind=Kind.CAMPAIGN_OPENED,
        event_key=f"campaign:{event['campaign_id']}:submission",
        params={"title": event["title"]},
        url=event["url"],
    )


@receiver_for("campaign.voting_opened")
def voting_opened(event: Event) -> int:
    return notifications_create_many(
        recipient_ids=recipients.participant_ids(event["campaign_id"]),
        kind=Kind.VOTING_OPENED,
        event_key=f"campaign:{event['campaign_id']}:voting",
        params={"title": event["title"]},
        url=event["url"],
    )


@receiver_for("campaign.voting_ending")
def voting_ending(event: Event) -> int:
    """Keyed by the close date: an extended window gets its own reminder."""
    return notifications_create_many(
        recipient_ids=recipients.participant_ids(event["campaign_id"]),
        kind=Kind.VOTING_ENDING,
        event_key=f"voting_ending:{event['campaign_id']}:{event['closes_at']:.0f}",
        params={"title": event["title"]},
        url=event["url"],
    )


@receiver_for("campaign.results_published")
def results_published(event: Event) -> int:
    return notifications_create_many(
        recipient_ids=recipients.participant_ids(event["campaign_id"]),
        kind=Kind.RESULTS_PUBLISHED,
        event_key=f"results:{event['campaign_id']}",
        params={"title": event["title"]},
        url=reverse("voting:results", kwargs={"slug": event["slug"]}),
    )


@receiver_for("campaign.schedule_changed")
def schedule_changed(event: Event) -> int:
    return notifications_create_many(
        recipient_ids=recipients.participant_ids(event["campaign_id"]),
        kind=Kind.SCHEDULE_CHANGED,
        event_key=f"schedule:{event['change_id']}",
        params={"title": event["title"], "reason": event["reason"]},
        url=event["url"],
    )


# -- an idea's life ------------------------------------------------------------------------


@receiver_for("idea.published")
def idea_approved(event: Event) -> int:
    """An idea published at once needs no word; one a moderator approved does."""
    if not event.get("moderated"):
        return 0
    return _tell_author(
        event, kind=Kind.IDEA_APPROVED, event_key=f"idea_approved:{event['idea_id']}"
    )


@receiver_for("idea.hidden")
def idea_hidden(event: Event) -> int:
    return _tell_author(
        event,
        kind=Kind.IDEA_HIDDEN,
        event_key=f"idea_hidden:{event['idea_id']}:{event['hidden_at']:.0f}",
        reason=event["reason"],
    )


@receiver_for("idea.answered")
def idea_answered(event: Event) -> int:
    """The brand's answer goes to everyone the idea concerns."""
    return notifications_create_many(
        recipient_ids=recipients.idea_audience_ids(event["idea_id"]),
        kind=Kind.IDEA_ANSWERED,
        event_key=f"idea_answer:{event['update_id']}",
        params={"title": event["title"], "answer": event["answer"]},
        url=event["url"],
    )


@receiver_for("idea.vote_milestone")
def vote_milestone(event: Event) -> int:
    return _tell_author(
        event,
        kind=Kind.VOTE_MILESTONE,
        event_key=f"idea_votes:{event['idea_id']}:{event['count']}",
        count=event["count"],
    )


SUPPORT_KINDS = {
    "idea.support_stage": ("stage", Kind.SUPPORT_STAGE),
    "idea.support_review": ("review", Kind.SUPPORT_REVIEW),
    "idea.support_expired": ("expired", Kind.SUPPORT_EXPIRED),
}


@receiver_for(*SUPPORT_KINDS)
def support_changed(event: Event) -> int:
    step, kind = SUPPORT_KINDS[event.kind]
    return _tell_author(
        event,
        kind=kind,
        event_key=f"idea_support:{event['idea_id']}:{step}:{event['count']}",
        count=event["count"],
    )


@receiver_for("prize.awarded")
def prize_won(event: Event) -> int:
    return _tell_author(
        event, kind=Kind.PRIZE_WON, event_key=f"prize:{event['prize_id']}", prize=event["prize"]
    )
