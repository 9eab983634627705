"""Foule's limits on writes: one home for who may write how often, at every door.

Each kind of write (an idea, a comment, a vote, a ballot, a pairwise answer, an invitation,
an export, an API token, a report) has a rate in `settings.FOULE_RATE_LIMITS`, written in
django-allauth's syntax: comma-separated `<amount>/<window>/<per>` where the window is
`s`, `m`, `h` or `d` with an optional number ("5m") and `per` is `user` (the account),
`ip` (the client address) or `key` (a value the door passes, e.g. an email address). For
example "60/m/user,600/h/user,600/m/ip". The counts live in the Django cache (Redis), kept
by allauth's rate limiter, the same one that limits sign-up and login
(`ACCOUNT_RATE_LIMITS`). An empty or missing rate means no limit.

`rate_limit(request, action)` is called by the page views and the API views before a
write; it raises `core.errors.RateLimited` (429, with the seconds to wait) when a rate is
used up. A GET never counts. The pages turn the error into a 429 page (or a form error)
with a Retry-After header (`RateLimitMiddleware`), the API into a 429 JSON answer with
the same header (`core.api.exception_handler`).

The client address is `client_address(request)`: REMOTE_ADDR, unless
`FOULE_TRUSTED_PROXY_COUNT` (env DJANGO_TRUSTED_PROXY_COUNT) says how many proxies of ours
stand in front of Django; then it is that many entries from the right of X-Forwarded-For,
the one our outermost proxy wrote. The left of the header is whatever the client sent, so
it is never read. allauth (through accounts.adapters) and the API's throttles
(core.api) use this same function.
"""

import math
import time

from allauth.account import app_settings as account_settings
from allauth.core.internal.httpkit import clean_client_ip
from allauth.core.internal.ratelimit import consume, get_cache_key, parse_rate, truncate_ip
from django.conf import settings
from django.core.cache import cache
from django.core.checks import Error
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.errors import RateLimited

# The namespace of Foule's counters in the cache (allauth's own are "allauth.account").
APP = "foule"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
UNKNOWN_ADDRESS = "unknown"

# The kinds of write that have a rate (settings.FOULE_RATE_LIMITS) and what the person is
# told when they send too many. "report" has no door yet: moderation reports will use it.
MESSAGES = {
    "idea_submit": _("You have submitted many ideas in a short time."),
    "comment": _("You have posted many comments in a short time."),
    "vote": _("You have voted many times in a short time."),
    "ballot": _("You have changed your ballot many times in a short time."),
    "pairwise_answer": _("You have answered many comparisons in a short time."),
    "invitation": _("You have sent many invitations in a short time."),
    "export": _("You have requested many exports in a short time."),
    "token": _("Too many API token requests from this address."),
    "report": _("You have sent many reports in a short time."),
    "write": _("You have made many changes in a short time."),
    # allauth's actions (ACCOUNT_RATE_LIMITS), for its 429 page.
    "signup": _("Too many sign-ups from this address."),
    "login": _("Too many login attempts from this address."),
    "reset_password": _("Too many password reset requests."),
}
DEFAULT_MESSAGE = _("Too many requests in a short time.")


# --- the client address ---------------------------------------------------------------


def client_address(request: HttpRequest) -> str:
    """The address of the client that sent `request`, for limits and throttles.

    With FOULE_TRUSTED_PROXY_COUNT = 0 (the default) this is REMOTE_ADDR and
    X-Forwarded-For is ignored: anyone can write that header. With n > 0, each of our n
    proxies appended the address it received the request from, so the n-th entry from the
    right is the client as our outermost proxy saw it; what the client wrote itself is to
    the left and never read. A header with fewer entries than n did not come through our
    proxies: REMOTE_ADDR is used. Never raises."""
    count = getattr(settings, "FOULE_TRUSTED_PROXY_COUNT", 0)
    if count > 0:
        forwarded = request.headers.get("x-forwarded-for") or ""
        entries = forwarded.split(",")
        if forwarded and len(entries) >= count:
            address = clean_client_ip(entries[-count])
            if address:
                return address
    remote = request.META.get("REMOTE_ADDR") or ""
    return clean_client_ip(remote) or remote or UNKNOWN_ADDRESS


def client_address_for_limits(request: HttpRequest) -> str:
    """`client_address`, with an IPv6 address cut to its network (/64 by default, allauth's
    ALLAUTH_RATE_LIMIT_IPV6_PREFIX): one host owns a whole /64 and could rotate through it."""
    return truncate_ip(client_address(request))


# --- rates ------------------------------------------------------------------------------


def configured_rates(action: str) -> str:
    limits = getattr(settings, "FOULE_RATE_LIMITS", None) or {}
    return (limits.get(action) or "").strip()


def _applicable_rates(rates: str, *, user, key, only_per: str | None = None) -> list[str]:
    """The rates that apply to this request: per-user ones need an account, per-key ones a
    key (an anonymous request is limited by its address only); with `only_per`, only the
    rates of that kind ("user", "ip", "key")."""
    applicable = []
    for part in rates.split(","):
        part = part.strip()
        if not part:
            continue
        per = parse_rate(part).per
        if (per == "user" and user is None) or (per == "key" and key is None):
            continue
        if only_per is not None and per != only_per:
            continue
        applicable.append(part)
    return list(dict.fromkeys(applicable))


def _seconds_until_free(request, *, app: str, action: str, rates: list[str], user, key) -> int:
    """Seconds until every rate has room again: for each full window, until its oldest
    counted hit leaves it. At least 1."""
    now = time.time()
    wait = 0.0
    for part in rates:
        rate = parse_rate(part)
        cache_key = get_cache_key(request, app=app, action=action, rate=rate, key=key, user=user)
        history = sorted(
            (hit for hit in cache.get(cache_key, []) if hit > now - rate.duration), reverse=True
        )
        if len(history) >= rate.amount:
            wait = max(wait, history[rate.amount - 1] + rate.duration - now)
    return max(1, math.ceil(wait))


def wait_text(seconds: int) -> str:
    """ "45 seconds", "3 minutes": the wait, in words a person reads at a glance."""
    if seconds < 120:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def limited_message(action: str, seconds: int) -> str:
    return _("%(problem)s Please try again in %(wait)s.") % {
        "problem": MESSAGES.get(action, DEFAULT_MESSAGE),
        "wait": wait_text(seconds),
    }


def rate_limit(
    request: HttpRequest, action: str, *, key: str | None = None, only_per: str | None = None
) -> None:
    """Count one `action` by this request's account and address; raise RateLimited (and
    count nothing) if one of the action's rates is used up. GET, HEAD and OPTIONS never
    count. Call it before the write, outside any `except ApplicationError` that would turn
    the refusal into a 200 or a redirect. `only_per` counts only the rates of one kind
    (see `AccountWriteThrottle` in core.api).

    The rates are consumed one by one through allauth's limiter; when one refuses, the
    hits already counted for this request are taken back, so a refused request costs
    nothing and the wait it is told is exact."""
    if request.method in SAFE_METHODS:
        return
    rates = configured_rates(action)
    if not rates:
        return
    user = request.user if getattr(request.user, "is_authenticated", False) else None
    applicable = _applicable_rates(rates, user=user, key=key, only_per=only_per)
    counted = []
    for rate in applicable:
        usage = consume(request, app=APP, action=action, config={action: rate}, user=user, key=key)
        if usage is None:
            for earlier in counted:
                earlier.rollback()
            seconds = _seconds_until_free(
                request, app=APP, action=action, rates=applicable, user=user, key=key
            )
            # The pages' middleware adds the Retry-After header to whatever 429 the view
            # makes of the error (a form error, the 429 page).
            request.foule_retry_after = seconds
            raise RateLimited(limited_message(action, seconds), retry_after=seconds)
        counted.append(usage)


# --- the pages' answer --------------------------------------------------------------------


def too_many_requests(request: HttpRequest, *, message: str, retry_after: int) -> HttpResponse:
    """The 429 page (a short fragment for htmx), with its Retry-After header."""
    template = "_rate_limited.html" if getattr(request, "htmx", False) else "429.html"
    response = render(
        request, template, {"message": message, "retry_after": retry_after}, status=429
    )
    response["Retry-After"] = str(retry_after)
    return response


class RateLimitMiddleware:
    """Every write, whatever its door (page, API, admin, account pages), first counts
    against the catch-all "write" rate: the actions with a rate of their own (votes, ideas,
    ...) are limited more closely in their views, and no write is left unlimited. (An API
    request with a token is authenticated later, by DRF: here it counts by address only,
    and core.api.AccountWriteThrottle counts the account's part.)
    Pages: a RateLimited that leaves a view becomes the 429 page; a 429 a view made itself
    of the error (say, a form showing it) gets its Retry-After header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The account whose "write" rates were counted here (a session's), if any; DRF
        # counts the account it authenticates itself (core.api.AccountWriteThrottle).
        request.foule_write_counted_account_id = None
        if request.method not in SAFE_METHODS and getattr(request.user, "is_authenticated", False):
            request.foule_write_counted_account_id = request.user.pk
        try:
            rate_limit(request, "write")
        except RateLimited as refusal:
            if request.path.startswith("/api/"):
                response = JsonResponse(
                    {"detail": str(refusal.message), "code": refusal.code}, status=429
                )
                response["Retry-After"] = str(refusal.retry_after)
                return response
            return too_many_requests(
                request, message=refusal.message, retry_after=refusal.retry_after
            )
        response = self.get_response(request)
        retry_after = getattr(request, "foule_retry_after", None)
        if response.status_code == 429 and retry_after and not response.has_header("Retry-After"):
            response["Retry-After"] = str(retry_after)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, RateLimited):
            return too_many_requests(
                request, message=exception.message, retry_after=exception.retry_after
            )
        return None


# allauth's own limits (sign-up, login, password reset...) answer through
# `config.urls.handler429`; which of its actions the page belongs to, to tell the wait.
ALLAUTH_ACTIONS = {
    "account_login": ["login"],
    "account_signup": ["signup"],
    "account_reset_password": ["reset_password"],
    "account_reset_password_from_key": ["reset_password_from_key"],
    "account_change_password": ["change_password"],
    "account_set_password": ["change_password"],
    "account_email": ["manage_email"],
    "account_reauthenticate": ["reauthenticate"],
}


def allauth_too_many_requests(request: HttpRequest) -> HttpResponse:
    """allauth's 429 (its `handler429` hook): Foule's page, with the wait computed from
    allauth's own counters for this address (and account, and the email address of a
    password reset)."""
    limits = account_settings.RATE_LIMITS
    match = getattr(request, "resolver_match", None)
    actions = ALLAUTH_ACTIONS.get(getattr(match, "url_name", None), list(limits))
    user = request.user if getattr(request.user, "is_authenticated", False) else None
    email = request.POST.get("email", "").strip().lower() or None
    seconds = 1
    for action in actions:
        rates = _applicable_rates(limits.get(action) or "", user=user, key=email)
        seconds = max(
            seconds,
            _seconds_until_free(
                request, app="allauth.account", action=action, rates=rates, user=user, key=email
            ),
        )
    action = actions[0] if len(actions) == 1 else ""
    return too_many_requests(request, message=limited_message(action, seconds), retry_after=seconds)


# --- configuration check -----------------------------------------------------------------


def check_rate_limits(app_configs=None, **kwargs) -> list[Error]:
    """`manage.py check` (and every start) refuses a rate it cannot read, rather than every
    write failing with a 500 later."""
    errors = []
    for setting in ("FOULE_RATE_LIMITS", "ACCOUNT_RATE_LIMITS"):
        limits = getattr(settings, setting, None) or {}
        for action, rates in limits.items():
            for part in (rates or "").split(","):
                part = part.strip()
                if not part:
                    continue
                try:
                    rate = parse_rate(part)
                    valid = rate.per in {"user", "ip", "key"} and rate.amount > 0
                except ValueError:
                    valid = False
                if not valid:
                    errors.append(
                        Error(
                            f"{setting}[{action!r}]: cannot read the rate {part!r}.",
                            hint='Write rates like "60/m/user,600/h/user,600/m/ip".',
                            id="foule.E001",
                        )
                    )
    return errors
