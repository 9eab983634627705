from allauth.account.models import EmailAddress
from django.db import transaction

from accounts.models import User


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    display_name: str = "",
    verified: bool = False,
    is_staff: bool = False,
) -> User:
    """Create an account and its allauth email record (verified or not)."""
    user = User.objects.create_user(
        email=email, password=password, display_name=display_name, is_staff=is_staff
    )
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=verified)
    return user
