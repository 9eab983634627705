"""How the OpenAPI schema (drf-spectacular) describes the API's token authentication.
Imported, as every app's `schema` module, by core/apps.py."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": _(
                "A personal API token, sent as `Authorization: Token <token>` (or "
                "`Bearer <token>`). Get one from POST /api/v1/auth/token/ or from your "
                "account's API tokens page."
            ),
        }
