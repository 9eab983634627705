import math

from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, BaseThrottle, UserRateThrottle
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import ApplicationError, Duplicate, RateLimited
from core.ratelimit import SAFE_METHODS, client_address_for_limits, limited_message, rate_limit


def exception_handler(exc, context):
    """Map service errors to API responses: {"detail": ..., "code": ...} with 403/409/400,
    and a field error dictionary when the error names a field. A limit (ours or a DRF
    throttle) is a 429 with a Retry-After header and code "rate_limited"; a duplicate
    names the first one ({"existing": {"id", "url"}})."""
    if isinstance(exc, ApplicationError):
        body = {"detail": exc.message, "code": exc.code}
        headers = {}
        if exc.field:
            body = {exc.field: [exc.message]}  # the same shape as a serializer's field error
        if isinstance(exc, Duplicate):
            body["existing"] = {"id": exc.existing.pk, "url": exc.existing.get_absolute_url()}
        if isinstance(exc, RateLimited):
            headers["Retry-After"] = str(exc.retry_after)
        return Response(body, status=exc.status_code, headers=headers)
    if isinstance(exc, exceptions.Throttled):
        seconds = max(1, math.ceil(exc.wait or 1))
        return Response(
            {"detail": limited_message("", seconds), "code": RateLimited.code},
            status=429,
            headers={"Retry-After": str(seconds)},
        )
    # Django's request limits (DATA_UPLOAD_MAX_*), met while DRF reads the body.
    if isinstance(exc, RequestDataTooBig):
        exc = exceptions.ParseError(
            _("The request body is larger than %(limit)d bytes.")
            % {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
        )
    elif isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        exc = exceptions.ParseError(_("The request has too many fields or files."))
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        )
    return drf_exception_handler(exc, context)


class AddressRateThrottle(AnonRateThrottle):
    """The API's throttle for anonymous requests (rate "anon"), by client address as
    core.ratelimit reads it: X-Forwarded-For only through FOULE_TRUSTED_PROXY_COUNT
    proxies of ours, never as the client wrote it."""

    def get_ident(self, request):
        return client_address_for_limits(request)


class AccountRateThrottle(UserRateThrottle):
    """The API's throttle for signed-in requests, reads included (rate "user"), by account.
    Anonymous requests are left to AddressRateThrottle."""

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)


class AccountWriteThrottle(BaseThrottle):
    """The per-account part of the catch-all "write" rate (FOULE_RATE_LIMITS) for a write
    that DRF authenticated itself, with a personal token: RateLimitMiddleware runs before
    DRF knows that account and counted the request by address only, so an account with
    several tokens, from several addresses, had no per-account catch-all at all. A session's
    write was counted by the middleware and is not counted twice (a token of another
    account sent with a session counts for the token's account). Over the rate: 429 with
    Retry-After (core.errors.RateLimited, through `exception_handler`)."""

    def allow_request(self, request, view):
        if request.method in SAFE_METHODS or not (request.user and request.user.is_authenticated):
            return True
        django_request = request._request
        if getattr(django_request, "foule_write_counted_account_id", None) == request.user.pk:
            return True
        rate_limit(django_request, "write", only_per="user")
        django_request.foule_write_counted_account_id = request.user.pk
        return True
