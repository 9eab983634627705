import rules
from allauth.account.models import EmailAddress


@rules.predicate
def is_verified(user) -> bool:
    """The account has confirmed its email address (mandatory before voting or submitting).
    The answer is cached on the user object for the request."""
    if not user or not user.is_authenticated:
        return False
    cached = getattr(user, "_foule_is_verified", None)
    if cached is None:
        cached = EmailAddress.objects.filter(user=user, verified=True).exists()
        user._foule_is_verified = cached
    return cached


is_moderator = rules.is_group_member("Moderators") | rules.is_superuser
