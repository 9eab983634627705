from django.db.models import QuerySet
from django.utils import timezone

from notifications.models import Notification


def notification_create(
    *, recipient, kind: str, event_key: str, params: dict, url: str = ""
) -> tuple[Notification, bool]:
    """Store a notification once per (recipient, event_key). The unique constraint decides
    (get_or_create retries on its IntegrityError), so a task that runs twice, or two workers
    at once, notify once. Returns (notification, created)."""
    return Notification.objects.get_or_create(
        recipient=recipient,
        event_key=event_key,
        defaults={"kind": kind, "params": params, "url": url},
    )


def notifications_mark_read(*, recipient, notifications: QuerySet | None = None) -> int:
    queryset = notifications if notifications is not None else Notification.objects.all()
    return queryset.filter(recipient=recipient, read_at__isnull=True).update(read_at=timezone.now())
