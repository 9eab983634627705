"""Permissions of the account endpoints, each with the message that explains a refusal."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.models import ApiToken


class NotMintedByToken(BasePermission):
    """New token secrets (create, rotate) come from a password or a browser session, never
    from another token: a stolen token could otherwise renew itself for ever, surviving
    its own expiry. Reading the list and revoking stay open to tokens."""

    message = _(
        "A token cannot create or rotate tokens: log in with your password "
        "(POST /api/v1/auth/token/) or use the API tokens page of your account."
    )
    code = "token_cannot_mint_tokens"

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or not isinstance(request.auth, ApiToken)
