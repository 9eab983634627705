from django.utils.functional import SimpleLazyObject

from notifications.selectors import unread_count


def unread_notifications(request):
    """The bell's count and the user's brands, computed only if a template shows them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notification_count": 0, "my_brands": []}
    from campaigns.selectors import brands_of_member

    return {
        "unread_notification_count": SimpleLazyObject(lambda: unread_count(recipient=user)),
        # The header links a brand's team to its brand page (their campaigns, drafts,
        # dashboards); computed only if a template reads it.
        "my_brands": SimpleLazyObject(lambda: brands_of_member(user=user)),
    }
