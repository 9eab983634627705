"""The API's token authentication: `Authorization: Token <secret>` (or `Bearer <secret>`)
with a personal token from accounts/tokens.py.

One query per request (the token joined to its owner, looked up by the secret's SHA-256),
plus one UPDATE at most once a minute per token for `last_used_at`. A header that is not
ours (no header, another scheme) leaves the request to the next authenticator (the
session); a header that is ours but malformed, unknown, expired, revoked, or whose owner is
inactive or erased gets a 401 with a message, never a 500: the secret's shape is checked
before any query, so no NUL byte, space or over-long string reaches the database."""

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from accounts import tokens
from accounts.models import ApiToken


class ApiTokenAuthentication(BaseAuthentication):
    keyword = "Token"
    # Both name the same credential; "Bearer" is what most HTTP clients send by default.
    keywords = frozenset({"token", "bearer"})

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
            token = ApiToken.objects.select_related("user").get(key_hash=tokens.secret_hash(secret))
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
