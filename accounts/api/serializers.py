"""Input and output shapes of the account API. They hold no rules: the token service checks
names, lifetimes and limits (accounts/tokens.py)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import ApiToken
from accounts.tokens import NAME_MAX_LENGTH

# A bound on what is read, well above any real value; the service decides what is allowed.
_DAYS_FIELD = {"required": False, "min_value": 1, "max_value": 100_000}


class TokenObtainInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(
        trim_whitespace=False, max_length=4096, style={"input_type": "password"}
    )
    name = serializers.CharField(
        required=False,
        max_length=NAME_MAX_LENGTH,
        help_text=_("A name to tell this token apart in your list (default: “API login”)."),
    )
    expires_in_days = serializers.IntegerField(
        **_DAYS_FIELD,
        help_text=_(
            "Days until the token expires; the site's default (90 days) if omitted, at most "
            "the site's maximum (365 days unless configured otherwise)."
        ),
    )


class TokenCreateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=NAME_MAX_LENGTH)
    expires_in_days = serializers.IntegerField(
        **_DAYS_FIELD,
        help_text=_(
            "Days until the token expires; the site's default (90 days) if omitted, at most "
            "the site's maximum (365 days unless configured otherwise)."
        ),
    )


class TokenObtainOutputSerializer(serializers.Serializer):
    token = serializers.CharField(
        help_text=_("The secret, shown only now: send it as `Authorization: Token <token>`.")
    )
    id = serializers.IntegerField()
    name = serializers.CharField()
    expires_at = serializers.DateTimeField()


class TokenOutputSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=ApiToken.Status.choices, read_only=True)

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "status",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
        ]
        read_only_fields = fields


class TokenWithSecretOutputSerializer(TokenOutputSerializer):
    token = serializers.CharField(
        source="secret",
        help_text=_("The secret, shown only now: send it as `Authorization: Token <token>`."),
    )

    class Meta(TokenOutputSerializer.Meta):
        fields = ["token", *TokenOutputSerializer.Meta.fields]
        read_only_fields = fields


class AccountDeleteInputSerializer(serializers.Serializer):
    password = serializers.CharField(
        trim_whitespace=False,
        max_length=4096,
        style={"input_type": "password"},
        help_text=_("Your current password, to confirm."),
    )
