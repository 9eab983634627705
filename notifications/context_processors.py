from django.utils.functional import SimpleLazyObject

from notifications.selectors import unread_count


def unread_notifications(request):
    """The bell's count, computed only if a template shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notification_count": 0}
    return {"unread_notification_count": SimpleLazyObject(lambda: unread_count(recipient=user))}
