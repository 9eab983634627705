"""Notifications' part of an account's erasure and export (accounts.signals): the
person's notifications are deleted, or listed."""

from django.dispatch import receiver

from accounts.selectors import iso
from accounts.signals import account_erasing, account_export_requested
from notifications.models import Notification
from notifications.services import notifications_delete_for_recipient


@receiver(account_erasing, dispatch_uid="notifications.account_erasing")
def erase(*, user, **kwargs) -> None:
    notifications_delete_for_recipient(recipient=user)


@receiver(account_export_requested, dispatch_uid="notifications.account_export")
def export(*, user, **kwargs) -> dict:
    notifications = Notification.objects.filter(recipient=user).order_by("created_at", "id")
    return {
        "notifications": [
            {
                "kind": notification.kind,
                "message": notification.message,
                "url": notification.url,
                "created_at": iso(notification.created_at),
                "read_at": iso(notification.read_at),
            }
            for notification in notifications
        ]
    }
