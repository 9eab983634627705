import logging

from allauth.account.models import EmailAddress
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import rules as account_rules
from accounts import tokens
from accounts.models import ApiToken, User, public_name_for
from accounts.signals import account_erasing
from core.errors import ApplicationError, NotAllowed
from core.text import clean_single_line

logger = logging.getLogger(__name__)


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


DISPLAY_NAME_MIN_LENGTH = 2
DISPLAY_NAME_MAX_LENGTH = 80


def display_name_clean(value: str) -> str:
    """The display name as stored: one clean line (core.text: no control character, no
    bidirectional control or invisible character, spaces collapsed, stripped), 2 to 80
    characters, and not an email address (other people see it). Raises ApplicationError
    on the field "display_name"."""
    value = clean_single_line(value)
    if len(value) < DISPLAY_NAME_MIN_LENGTH:
        raise ApplicationError(
            _("Enter a name of at least %(count)d characters.")
            % {"count": DISPLAY_NAME_MIN_LENGTH},
            field="display_name",
            code="too_short",
        )
    if len(value) > DISPLAY_NAME_MAX_LENGTH:
        raise ApplicationError(
            _("Enter a name of at most %(count)d characters.") % {"count": DISPLAY_NAME_MAX_LENGTH},
            field="display_name",
            code="too_long",
        )
    try:
        validate_email(value)
    except DjangoValidationError:
        return value
    raise ApplicationError(
        _("Other people see this name: choose one that is not an email address."),
        field="display_name",
        code="email",
    )


def account_display_name_set(*, user: User, display_name: str) -> User:
    """Change the name other people see (cleaned by `accounts.forms.display_name_clean`
    at the door). An erased account has no name to change."""
    if user.erased_at is not None:
        raise NotAllowed(_("This account was deleted."))
    user.display_name = display_name_clean(display_name)
    user.save(update_fields=["display_name"])
    return user


# -- erasure ---------------------------------------------------------------------------------


# The columns `account_erase` overwrites.
ERASED_FIELDS = [
    *("email", "display_name", "first_name", "last_name", "password", "last_login"),
    *("is_active", "is_staff", "is_superuser", "signed_up_via", "erased_at"),
]


ERASED_EMAIL_DOMAIN = "erased.invalid"


def erased_email(pk: int) -> str:
    """The address an erased account keeps: unique, and undeliverable (`.invalid` is
    reserved by RFC 2606). Nobody signs up with or adds an address of this domain
    (`accounts.adapters.AccountAdapter.clean_email`): one taken in advance would make the
    erasure of account `pk` fail on the unique address."""
    return f"erased-{pk}@{ERASED_EMAIL_DOMAIN}"


def email_is_reserved(email: str) -> bool:
    """The address belongs to the domain of erased accounts' placeholders."""
    return (email or "").strip().lower().rpartition("@")[2] == ERASED_EMAIL_DOMAIN


def account_password_check(*, request, user: User, password: str) -> None:
    """Refuse unless `password` is the account's current one: the confirmation a deletion
    asks for. The web login's own check (`accounts.tokens.password_authenticate`, through
    allauth), so the failed-login limits count these attempts with the login form's, for
    this address and client: past them, even the right password is refused for a while
    (LoginRateLimited, 429). A wrong password is an ApplicationError on the field
    "password". `request` is Django's request."""
    try:
        authenticated = tokens.password_authenticate(
            request=request, email=user.email, password=password or ""
        )
    except tokens.InvalidCredentials:
        authenticated = None
    if authenticated is None or authenticated.pk != user.pk:
        raise ApplicationError(
            _("This is not your current password."), field="password", code="wrong_password"
        )


def _admin_log_forget(*, user: User) -> None:
    """The admin's log (`django_admin_log.object_repr`) keeps each object's name as it was
    when logged: the account's entries (blocked, changed by a superuser) now name the
    pseudonym; who did what stays. (Brands rewrite their memberships' entries.)"""
    about_account = Q(content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk))
    LogEntry.objects.filter(about_account).update(object_repr=user.public_name)


def account_erase(*, user: User, requested_by: User) -> User:
    """Erase the personal data of `user`'s account, at their request (or a superuser's).

    The row stays, as a pseudonymous account ("Former participant #n", see
    `User.public_name`): its ideas, comments, votes, ballots, pairwise answers, ledger
    entries and terms acceptances keep pointing at it, so no tally, result or audit digest
    changes (docs/decisions/0011). Erased: the email address (replaced by `erased_email`),
    display and real names, the password (made unusable, which also ends every session:
    Django checks a hash of it on each request), allauth's email records, API tokens,
    notifications, campaign follows, brand memberships, the brands' invitations to its
    addresses, its addresses' lines in campaigns' invitation lists, its name in the admin's
    log, groups, permissions and staff flags; the account can no longer log in.

    Refused with `last_owner` (Conflict, 409), changing nothing, while the account is the
    only owner of a brand. Holds the account's row lock; idempotent (erasing an erased
    account changes nothing)."""
    if requested_by is None or (requested_by.pk != user.pk and not requested_by.is_superuser):
        raise NotAllowed(_("Only the account's owner can delete it."))
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.erased_at is not None:
            return user
        placeholder = erased_email(user.pk)
        addresses = {
            user.email,
            *EmailAddress.objects.filter(user=user).values_list("email", flat=True),
        }
        # Each app erases its part (brands first, which may refuse: last_owner), in this
        # transaction (accounts.signals).
        account_erasing.send(
            sender=User,
            user=user,
            addresses=addresses,
            placeholder=placeholder,
            old_name=user.public_name,  # as the admin's log shows it
            pseudonym=public_name_for(pk=user.pk, display_name="", is_erased=True),
        )
        EmailAddress.objects.filter(user=user).delete()
        ApiToken.objects.filter(user=user).delete()
        user.groups.clear()
        user.user_permissions.clear()
        user.email = placeholder
        user.display_name = ""
        user.first_name = ""
        user.last_name = ""
        user.set_unusable_password()
        user.is_active = False
        user.is_staff = False
        user.is_superuser = False
        user.signed_up_via = None
        user.last_login = None
        user.erased_at = timezone.now()
        user.save(update_fields=ERASED_FIELDS)
        _admin_log_forget(user=user)
    # The account's id only: no personal datum in the logs.
    logger.info("account %s erased (requested by account %s)", user.pk, requested_by.pk)
    return user


# -- moderation ------------------------------------------------------------------------------

BLOCK_REASON_MAX_LENGTH = 1000


def user_block(*, user: User, moderator: User, reason: str) -> User:
    """Block `user`: they can no longer log in, and their sessions stop working at their
    next request (Django's backends refuse an inactive account); their API tokens are
    revoked, so that lifting the block does not bring them back. Only site moderators
    block (`accounts.rules.can_block_account`: never their own account or a superuser's; a
    staff account only by a superuser). The reason is required and kept, with the
    moderator, in the account's history (the admin's log). Holds the account's row lock;
    idempotent: blocking a blocked account changes nothing."""
    if not account_rules.can_block_account(moderator, user):
        raise NotAllowed(
            _("Only site moderators can block accounts, and never their own or a superuser's.")
        )
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            _("Say why the account is blocked: the reason is kept in its history."),
            field="reason",
        )
    if len(reason) > BLOCK_REASON_MAX_LENGTH:
        raise ApplicationError(
            _("Keep the reason under %(count)d characters.") % {"count": BLOCK_REASON_MAX_LENGTH},
            field="reason",
        )
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.is_active:
            return user
        user.is_active = False
        user.save(update_fields=["is_active"])
        # For good: lifting the block later must not bring back the tokens it was
        # abused through.
        tokens.api_tokens_revoke_all(user=user, reason="account blocked")
        LogEntry.objects.log_actions(
            user_id=moderator.pk,
            queryset=[user],
            action_flag=CHANGE,
            change_message=_("Account blocked. Reason: %(reason)s") % {"reason": reason},
            single_object=True,
        )
    logger.info("account %s blocked by account %s", user.pk, moderator.pk)
    return user
