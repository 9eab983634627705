from django.db.models import QuerySet
from django.utils import timezone

from notifications.models import Notification


def notification_create(
    *,
    recipient=None,
    recipient_id: int | None = None,
    kind: str,
    event_key: str,
    params: dict,
    url: str = "",
) -> tuple[Notification, bool]:
    """Store a notification once per (recipient, event_key); the recipient is a user or
    their id (an event's payload). The unique constraint decides (get_or_create retries on
    its IntegrityError), so a task that runs twice, or two workers at once, notify once.
    Returns (notification, created)."""
    if recipient is not None:
        recipient_id = recipient.pk
    return Notification.objects.get_or_create(
        recipient_id=recipient_id,
        event_key=event_key,
        defaults={"kind": kind, "params": params, "url": url},
    )


def notifications_delete_for_recipient(*, recipient) -> int:
    """Delete every notification of `recipient` (their account is being erased)."""
    deleted, _counts = Notification.objects.filter(recipient=recipient).delete()
    return deleted


def notifications_mark_read(*, recipient, notifications: QuerySet | None = None) -> int:
    queryset = notifications if notifications is not None else Notification.objects.all()
    return queryset.filter(recipient=recipient, read_at__isnull=True).update(read_at=timezone.now())


def notifications_create_many(
    *, recipient_ids, kind: str, event_key: str, params: dict, url: str = "", batch_size=1000
) -> int:
    """The same notification for many people (a campaign's participants), once each: rows
    are inserted in batches with ON CONFLICT DO NOTHING on (recipient, event_key), so a
    task that dies half way and runs again completes the set without doubling anyone.
    `recipient_ids` may be any iterable (a server-side cursor). Returns rows offered."""
    offered = 0
    batch: list[Notification] = []
    for recipient_id in recipient_ids:
        batch.append(
            Notification(
                recipient_id=recipient_id, kind=kind, event_key=event_key, params=params, url=url
            )
        )
        if len(batch) >= batch_size:
            Notification.objects.bulk_create(batch, ignore_conflicts=True)
            offered += len(batch)
            batch = []
    if batch:
        Notification.objects.bulk_create(batch, ignore_conflicts=True)
        offered += len(batch)
    return offered
