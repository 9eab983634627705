"""The API's token authentication: `Authorization: Token <secret>` (or `Bearer <secret>`)
with a personal token from accounts/tokens.py.

One query per request (the token joined to its owner, looked up by the secret's SHA-256),
plus one UPDATE at most once a minute per token for `last_used_at`. A header that is not
ours (no header, another scheme) leaves the request to the next authenticator (the
session); a header that is ours but malformed, unknown, expired, revoked, or whose owner is
inactive or erased gets a 401 with a message, never a 500: the secret's shape is checked
before any query, so no NUL byte, space or over-long string reaches the database.

The query reads the token's checks and the owner's row, not the token's name, prefix, hash
or creation date, nor the owner's password hash: nothing after authentication reads them.

The vote's door (voting/api/fast_path.py) asks less: which account a token belongs to
(`known_token_owner`, remembered by the process for a minute: a token never changes hands)
and, in the very statement that writes the vote, whether the token still holds
(`TOKEN_HOLDS`: the same checks in SQL), so that a token revoked, expired or whose owner
is blocked a moment ago writes nothing. When that statement refuses, `token_holds` says
whether the token was the reason; the door then answers this authenticator's 401."""

import time
from types import SimpleNamespace
from typing import NamedTuple

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from accounts import tokens
from accounts.models import ApiToken
from core.errors import ApplicationError
from core.permissions import Condition

# What authentication never reads (a deferred field is still loaded if something asks).
UNREAD_COLUMNS = ("name", "prefix", "key_hash", "created_at", "user__password")
# Both name the same credential; "Bearer" is what most HTTP clients send by default.
KEYWORDS = frozenset({"token", "bearer"})

# ApiTokenAuthentication's checks, over the rows `token` and its owner `voter`.
TOKEN_HOLDS = Condition(
    "token.key_hash = %(token_hash)s AND token.user_id = voter.id AND token.revoked_at IS NULL"
    " AND token.expires_at > %(now)s AND voter.is_active AND voter.erased_at IS NULL"
)
OWNER_SQL = (
    "SELECT token.id, token.user_id, token.last_used_at FROM accounts_apitoken AS token"  # noqa: S608
    f" JOIN accounts_user AS voter ON voter.id = token.user_id WHERE {TOKEN_HOLDS.sql}"
)
# How long a process remembers a token's owner, and how many owners at most.
REMEMBERED_SECONDS = 60
REMEMBERED_MAX = 10_000
_remembered: dict[str, tuple[float, "TokenOwner"]] = {}  # by the secret's hash


class TokenOwner(NamedTuple):
    token_id: int
    user_id: int
    last_used_at: object  # datetime or None
    token_hash: str


class TokenRefused(ApplicationError):
    """The token no longer holds (revoked, expired, owner blocked or erased): a 401, whose
    message ApiTokenAuthentication gives."""

    status_code = 401
    code = "authentication_failed"


def header_secret(header: str) -> str | None:
    """The secret of an `Authorization` header of ours with one credential ("Token <s>" or
    "Bearer <s>"), else None (not ours, or malformed: ApiTokenAuthentication says how)."""
    parts = header.split(maxsplit=2)
    if len(parts) != 2 or parts[0].lower() not in KEYWORDS:
        return None
    return parts[1]


def _owner_by_hash(token_hash: str) -> TokenOwner | None:
    with connection.cursor() as cursor:
        # Written out rather than built by the ORM: the vote's door asks it.
        cursor.execute(OWNER_SQL, {"token_hash": token_hash, "now": timezone.now()})
        row = cursor.fetchone()
    return None if row is None else TokenOwner(*row, token_hash)


def token_holds(token_hash: str) -> bool:
    """Whether the token of this hash passes every check now."""
    return _owner_by_hash(token_hash) is not None


def _mark_used(owner: TokenOwner) -> TokenOwner:
    """`last_used_at`, recorded at most once a minute as ApiTokenAuthentication does (the
    service reads the token's id and last use only: no ApiToken is built for it)."""
    token = SimpleNamespace(pk=owner.token_id, last_used_at=owner.last_used_at)
    tokens.api_token_mark_used(token=token)
    return owner._replace(last_used_at=token.last_used_at)


def known_token_owner(secret: str) -> TokenOwner | None:
    """The owner of a token ApiTokenAuthentication would accept, else None (that
    authenticator then says why). Read once a minute per process, in one query of the
    columns the checks need; `last_used_at` recorded as that authenticator does. Whatever
    acts with it checks `TOKEN_HOLDS` in its own statement, and calls
    `forget_token_owner` when the token no longer holds."""
    if not tokens.secret_is_well_formed(secret):
        return None
    token_hash = tokens.secret_hash(secret)
    now = time.monotonic()
    remembered = _remembered.get(token_hash)
    if remembered is None or now - remembered[0] >= REMEMBERED_SECONDS:
        owner = _owner_by_hash(token_hash)
        if owner is None:
            _remembered.pop(token_hash, None)
            return None
        if len(_remembered) >= REMEMBERED_MAX:
            _remembered.clear()
        remembered = (now, owner)
    since, owner = remembered
    owner = _mark_used(owner)
    _remembered[token_hash] = (since, owner)
    return owner


def forget_token_owner(token_hash: str) -> None:
    _remembered.pop(token_hash, None)


class ApiTokenAuthentication(BaseAuthentication):
    keyword = "Token"
    keywords = KEYWORDS

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION")
        if not header:
            return None
        if isinstance(header, bytes):
            header = header.decode("latin-1")
        parts = header.split(maxsplit=2)
        if not parts or parts[0].lower() not in self.keywords:
            return None
        # DRF's own messages (translated by DRF's catalogues).
        if len(parts) == 1:
            raise exceptions.AuthenticationFailed(
                _("Invalid token header. No credentials provided.")
            )
        if len(parts) > 2:
            raise exceptions.AuthenticationFailed(
                _("Invalid token header. Token string should not contain spaces.")
            )
        return self.authenticate_credentials(parts[1])

    def authenticate_credentials(self, secret: str):
        if not tokens.secret_is_well_formed(secret):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        try:
            token = (
                ApiToken.objects.select_related("user")
                .defer(*UNREAD_COLUMNS)
                .get(key_hash=tokens.secret_hash(secret))
            )
        except ApiToken.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This token has been revoked."))
        if token.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed(_("This token has expired."))
        user = token.user
        if not user.is_active or user.erased_at is not None:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        tokens.api_token_mark_used(token=token)
        return (user, token)

    def authenticate_header(self, request):
        # Sent with every 401, which is what makes "not logged in" a 401 rather than a 403.
        return self.keyword
