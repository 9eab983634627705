"""The account API: the token endpoint (an email and a password for a personal token) and
your own tokens (list, create, rotate, revoke). Thin: accounts/tokens.py holds the rules."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services as account_services
from accounts import tokens
from accounts.api.permissions import NotMintedByToken
from accounts.api.serializers import (
    AccountDeleteInputSerializer,
    TokenCreateInputSerializer,
    TokenObtainInputSerializer,
    TokenObtainOutputSerializer,
    TokenOutputSerializer,
    TokenWithSecretOutputSerializer,
)
from accounts.views import export_response
from core.api import AddressRateThrottle
from core.ratelimit import rate_limit

_REFUSAL = OpenApiResponse(description='`{"detail": ..., "code": ...}`')


def _with_secret(token, secret: str) -> dict:
    token.secret = secret
    return TokenWithSecretOutputSerializer(token).data


class TokenObtainView(APIView):
    """Exchange an email and a password for a new personal API token (a new one on each
    call, named as you ask). The web login's rules apply: the same limits on failed
    attempts (429 with Retry-After once reached, for this address or this client, shared
    with the login form), and the email address must be verified (403
    `email_not_verified`)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [AddressRateThrottle]

    @extend_schema(
        request=TokenObtainInputSerializer,
        responses={
            200: TokenObtainOutputSerializer,
            400: _REFUSAL,
            403: _REFUSAL,
            409: _REFUSAL,
            429: _REFUSAL,
        },
    )
    def post(self, request):
        rate_limit(request, "token")
        serializer = TokenObtainInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            user = tokens.password_authenticate(
                request=request._request, email=data["email"], password=data["password"]
            )
        except tokens.InvalidCredentials as error:
            # The shape DRF's own token view used, which clients already read.
            return Response({"non_field_errors": [error.message]}, status=error.status_code)
        token, secret = tokens.api_token_create(
            user=user,
            name=data.get("name") or _("API login"),
            expires_in_days=data.get("expires_in_days"),
        )
        return Response(
            {"token": secret, "id": token.pk, "name": token.name, "expires_at": token.expires_at}
        )


class MyTokenListCreateView(generics.GenericAPIView):
    """Your personal API tokens, newest first (revoked and expired ones included), and a new
    one: its secret is in the answer to the POST, and nowhere else, ever. Creating needs
    the session or a password, not a token (403 `token_cannot_mint_tokens`)."""

    permission_classes = [IsAuthenticated, NotMintedByToken]
    serializer_class = TokenOutputSerializer

    def get_queryset(self):
        return tokens.api_tokens_of(user=self.request.user)

    @extend_schema(responses=TokenOutputSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(TokenOutputSerializer(page, many=True).data)

    @extend_schema(
        request=TokenCreateInputSerializer,
        responses={201: TokenWithSecretOutputSerializer, 400: _REFUSAL, 409: _REFUSAL},
    )
    def post(self, request):
        serializer = TokenCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, secret = tokens.api_token_create(
            user=request.user,
            name=serializer.validated_data["name"],
            expires_in_days=serializer.validated_data.get("expires_in_days"),
        )
        return Response(_with_secret(token, secret), status=status.HTTP_201_CREATED)


class MyTokenDetailView(APIView):
    """Revoke one of your tokens (it stays in your list, marked revoked). Someone else's
    token id answers 404, as an unknown one."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None, 404: _REFUSAL})
    def delete(self, request, pk: int):
        tokens.api_token_revoke(user=request.user, token_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyTokenRotateView(APIView):
    """Replace one of your tokens: it is revoked and a new one, with the same name and
    lifetime, is returned with its secret (shown only now). A revoked token cannot be
    rotated (409), and a token cannot rotate tokens (403 `token_cannot_mint_tokens`)."""

    permission_classes = [IsAuthenticated, NotMintedByToken]

    @extend_schema(
        request=None,
        responses={201: TokenWithSecretOutputSerializer, 404: _REFUSAL, 409: _REFUSAL},
    )
    def post(self, request, pk: int):
        token, secret = tokens.api_token_rotate(user=request.user, token_id=pk)
        return Response(_with_secret(token, secret), status=status.HTTP_201_CREATED)


class MeView(APIView):
    """Delete your account, confirming with your current password (204). Your personal
    data is erased; your ideas and comments stay under the pseudonym "Former participant
    #n", your votes, ballots, points and accepted terms stay attached to it, so no count
    or result changes. Refused with 409 `last_owner` while you are the only owner of a
    brand, and 400 on the field `password` for a wrong password (the login's limits on
    failed attempts apply)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=AccountDeleteInputSerializer,
        responses={204: None, 400: _REFUSAL, 409: _REFUSAL},
    )
    def delete(self, request):
        serializer = AccountDeleteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        account_services.account_password_check(
            request=request._request,
            user=request.user,
            password=serializer.validated_data["password"],
        )
        account_services.account_erase(user=request.user, requested_by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyExportView(APIView):
    """Everything Foule holds about you, as a JSON file to download (the same file as the
    account page's "Download my data"): profile, email addresses, ideas, comments, votes
    with their receipts, ballots, pairwise answers, points, accepted terms, brand roles,
    follows, notifications and your API tokens' names and dates (never their secrets)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        return export_response(request.user)
