"""Personal API tokens: services (writes) and the few reads the token pages and the API need.

A token's secret is `foule_` followed by 43 URL-safe characters (256 random bits). It is
returned once, by the service that makes it, and never stored: the database keeps its
SHA-256 (`ApiToken.key_hash`, unique, looked up by `accounts.authentication`) and its first
characters (`ApiToken.prefix`), so that a list can tell tokens apart and a database dump
gives nobody a way in. A fast hash is enough because the secret is random, not chosen.

A token stops working when it expires, when its owner revokes it (or rotates it), and when
its owner's password is changed, set or reset (`api_tokens_revoke_all`, called from
accounts/receivers.py). Revoked rows stay, so the owner's list shows what was revoked.

Creating a token for an account locks the account's row (`select_for_update`), so two
requests at the same moment cannot both pass the limit on active tokens.

The token endpoint's login (`password_authenticate`) is the web login's, through allauth's
adapter: the same `login_failed` limits (ACCOUNT_RATE_LIMITS, shared with the web form for
the same address), the same verified-email rule."""

from __future__ import annotations

import hashlib
import logging
import math
import re
import secrets
import time
from datetime import timedelta

from allauth.account import app_settings as allauth_settings
from allauth.account.adapter import get_adapter
from allauth.account.utils import has_verified_email
from allauth.core.internal import ratelimit
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiToken, User
from core.errors import ApplicationError, Conflict, NotAllowed, RateLimited
from core.text import clean_single_line

logger = logging.getLogger(__name__)

SECRET_PREFIX = "foule_"  # noqa: S105 (a public marker, not a secret)
# `secrets.token_urlsafe(32)`: 32 random bytes in unpadded base64url, 43 characters.
SECRET_PATTERN = re.compile(r"foule_[A-Za-z0-9_-]{43}")
# Shown in lists: "foule_" and the first six random characters.
DISPLAY_PREFIX_LENGTH = 12
NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length


class TokenNotFound(ApplicationError):
    """No such token among the account's own (someone else's id looks the same)."""

    status_code = 404
    code = "not_found"


class InvalidCredentials(ApplicationError):
    status_code = 400
    code = "invalid_credentials"


class LoginRateLimited(RateLimited):
    """allauth's `login_failed` limit is reached for this address or this client (a 429
    with Retry-After at the API's door, as every limit)."""

    code = "too_many_login_attempts"


# -- settings (read at call time, so that tests and deployments may change them) -----------


def token_days_default() -> int:
    return int(getattr(settings, "FOULE_API_TOKEN_DAYS", 90))


def token_days_max() -> int:
    return int(getattr(settings, "FOULE_API_TOKEN_MAX_DAYS", 365))


def tokens_active_max() -> int:
    return int(getattr(settings, "FOULE_API_TOKEN_MAX_ACTIVE", 20))


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def secret_is_well_formed(secret: str) -> bool:
    """The shape of a secret this module makes; anything else cannot be a token (and is
    never sent to the database: no NUL byte, no over-long string reaches a query)."""
    return SECRET_PATTERN.fullmatch(secret) is not None


# -- reads ---------------------------------------------------------------------------------


def api_tokens_of(*, user: User) -> QuerySet[ApiToken]:
    """The account's tokens, newest first, revoked and expired ones included."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


# -- rules ---------------------------------------------------------------------------------


def _name_clean(name: str) -> str:
    """One clean line (core.text: no control, bidirectional or invisible character)."""
    name = clean_single_line(name)
    if not name:
        raise ApplicationError(_("Give the token a name."), field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise ApplicationError(
            _("Keep the name to %(max)d characters or fewer.") % {"max": NAME_MAX_LENGTH},
            field="name",
        )
    return name


def _days_clean(expires_in_days: int | None) -> int:
    if expires_in_days is None:
        return min(token_days_default(), token_days_max())
    maximum = token_days_max()
    if isinstance(expires_in_days, bool) or not isinstance(expires_in_days, int):
        raise ApplicationError(_("Enter a whole number of days."), field="expires_in_days")
    if not 1 <= expires_in_days <= maximum:
        raise ApplicationError(
            _("A token lasts between 1 and %(max)d days.") % {"max": maximum},
            field="expires_in_days",
        )
    return expires_in_days


def _owner_check(user: User) -> None:
    if not user.is_active or user.erased_at is not None:
        raise NotAllowed(_("This account is inactive."), code="account_inactive")


# -- writes --------------------------------------------------------------------------------


def _insert(*, user: User, name: str, days: int) -> tuple[ApiToken, str]:
    """Lock held: the owner's row (see `api_token_create`)."""
    now = timezone.now()
    active = ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now)
    maximum = tokens_active_max()
    if active.count() >= maximum:
        raise Conflict(
            _("You already have %(max)d active tokens: revoke one you no longer use first.")
            % {"max": maximum},
            code="too_many_tokens",
        )
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[:DISPLAY_PREFIX_LENGTH],
        key_hash=secret_hash(secret),
        expires_at=now + timedelta(days=days),
    )
    return token, secret


def _owner_lock(user: User) -> None:
    """Serialises token creation for one account (the limit on active tokens)."""
    list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))


@transaction.atomic
def api_token_create(
    *, user: User, name: str, expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """A new token for `user`, valid `expires_in_days` days (FOULE_API_TOKEN_DAYS if None,
    at most FOULE_API_TOKEN_MAX_DAYS). Returns the token and its secret: the only time the
    secret exists outside its owner's hands. Refused (Conflict) when the account already
    holds FOULE_API_TOKEN_MAX_ACTIVE active tokens."""
    name = _name_clean(name)
    days = _days_clean(expires_in_days)
    _owner_check(user)
    _owner_lock(user)
    return _insert(user=user, name=name, days=days)


def _owned_token_locked(*, user: User, token_id) -> ApiToken:
    try:
        return ApiToken.objects.select_for_update().get(pk=int(token_id), user=user)
    except (ApiToken.DoesNotExist, TypeError, ValueError, OverflowError):
        raise TokenNotFound(_("No such token.")) from None


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    """Revoke one of `user`'s tokens (TokenNotFound for anyone else's). Idempotent: an
    already revoked token keeps its first revocation date."""
    token = _owned_token_locked(user=user, token_id=token_id)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


@transaction.atomic
def api_token_rotate(*, user: User, token_id: int) -> tuple[ApiToken, str]:
    """Revoke one of `user`'s tokens and make its successor: same name, same lifetime (from
    now, within today's maximum). Returns the new token and its secret. A revoked token
    cannot be rotated (Conflict); an expired one can."""
    _owner_check(user)
    _owner_lock(user)
    token = _owned_token_locked(user=user, token_id=token_id)
    if token.revoked_at is not None:
        raise Conflict(_("This token is revoked: create a new one instead."), code="token_revoked")
    now = timezone.now()
    token.revoked_at = now
    token.save(update_fields=["revoked_at"])
    lifetime = token.expires_at - token.created_at
    days = min(max(1, round(lifetime / timedelta(days=1))), token_days_max())
    return _insert(user=user, name=token.name, days=days)


def api_tokens_revoke_all(*, user: User, reason: str) -> int:
    """Revoke every token of `user` that is not revoked yet (a password change, a reset,
    an erasure). Returns how many were revoked; running it twice revokes nothing more."""
    count = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if count:
        logger.info("Revoked %d API tokens of user %s: %s", count, user.pk, reason)
    return count


def api_token_mark_used(*, token: ApiToken) -> None:
    """Record that `token` was just used, at most once a minute: a conditional UPDATE (no
    lock taken beforehand), so a token used by many requests at once costs one write a
    minute, and none at all while its last use is recent."""
    now = timezone.now()
    a_minute_ago = now - timedelta(minutes=1)
    if token.last_used_at is not None and token.last_used_at > a_minute_ago:
        return
    updated = (
        ApiToken.objects.filter(pk=token.pk)
        .exclude(last_used_at__gt=a_minute_ago)
        .update(last_used_at=now)
    )
    if updated:
        token.last_used_at = now


# -- the token endpoint's login ------------------------------------------------------------


def _login_failed_retry_after(request: HttpRequest, email: str) -> int:
    """Seconds until allauth's `login_failed` limit lets this client try `email` again,
    read from allauth's own records (its rate-limit module, pinned with allauth); the
    longest window of the limits if they cannot be read."""
    rates = ratelimit.get_rates(app="allauth.account", action="login_failed")
    longest = max([1, *(math.ceil(rate.duration) for rate in rates)])
    try:
        key = get_adapter(request)._get_login_attempts_cache_key(request, email=email)
        now = time.time()
        waits = [1.0]
        for rate in rates:
            cache_key = ratelimit.get_cache_key(
                request, app="allauth.account", action="login_failed", rate=rate, key=key
            )
            history = [when for when in cache.get(cache_key, []) if when > now - rate.duration]
            if len(history) >= rate.amount:
                # Newest first: the attempt whose expiry lets one more in.
                waits.append(history[rate.amount - 1] + rate.duration - now)
        return min(longest, math.ceil(max(waits)))
    except Exception:  # the limit holds either way; only the hint is less precise
        logger.exception("Could not read allauth's login_failed history")
        return longest


def password_authenticate(*, request: HttpRequest, email: str, password: str) -> User:
    """The web login's checks for an email and a password, through allauth's adapter, so
    that `login_failed` (ACCOUNT_RATE_LIMITS) counts and refuses exactly as on the login
    form, for the same address and client: LoginRateLimited (with the seconds to wait),
    InvalidCredentials, NotAllowed for an inactive or erased account or (with mandatory
    verification, as the web login) an unverified email. `request` is Django's request."""
    adapter = get_adapter(request)
    try:
        user = adapter.authenticate(request, email=email, password=password)
    except ValidationError as error:
        if error.code != "too_many_login_attempts":
            raise
        raise LoginRateLimited(
            _("Too many failed login attempts. Try again later."),
            retry_after=_login_failed_retry_after(request, email),
        ) from None
    if user is None:
        raise InvalidCredentials(_("Unable to log in with these credentials."))
    if not user.is_active or user.erased_at is not None:
        raise NotAllowed(_("This account is inactive."), code="account_inactive")
    verification = allauth_settings.EMAIL_VERIFICATION
    is_mandatory = verification == allauth_settings.EmailVerificationMethod.MANDATORY
    if is_mandatory and not has_verified_email(user, email):
        raise NotAllowed(
            _(
                "Confirm your email address first: follow the link we sent you, or log in "
                "on the website to get a new one."
            ),
            code="email_not_verified",
        )
    return user
