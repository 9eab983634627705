"""/healthz: whether Foule is up, for anyone; the figures (database, broker, worker
heartbeat, tally lag) for Foule's staff and holders of the health token. It lives in
config, above every app, because its figures come from several of them (voting's tally
lag); `core` imports no app."""

import hmac
import time

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.redis import get_redis, key
from core.tasks import HEARTBEAT_KEY
from voting.selectors import tally_health


def health_status(*, details: bool = True) -> dict:
    """Database, broker and worker state; `ok` is false if any part is down. Without
    `details` the tally figures (a few more Redis reads) are left out: the public answer
    only says whether the service is up."""
    status: dict = {"database": "ok", "broker": "ok", "worker_heartbeat_age_seconds": None}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # any driver error means the database is unreachable
        status["database"] = f"error: {error.__class__.__name__}"
    try:
        redis = get_redis()
        redis.ping()
        beat = redis.get(key(HEARTBEAT_KEY))
        if beat is not None:
            status["worker_heartbeat_age_seconds"] = round(time.time() - float(beat), 1)
    except Exception as error:  # same: report, never raise from a health check
        status["broker"] = f"error: {error.__class__.__name__}"
    if details and status["broker"] == "ok":
        status["tally"] = tally_health()
    age = status["worker_heartbeat_age_seconds"]
    status["worker"] = "ok" if age is not None and age < 30 else "stale"
    status["ok"] = status["database"] == "ok" and status["broker"] == "ok"
    return status


def health_details_allowed(request) -> bool:
    """Foule's staff (the "Staff" group or superusers, not Django's is_staff, which only
    opens the admin to brand moderators too) and requests carrying `Authorization: Bearer
    <FOULE_HEALTH_TOKEN>` may read the health figures; the token is compared in constant
    time, and an empty setting accepts no token."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.has_perm("core.view_health_figures"):
        return True
    expected = settings.FOULE_HEALTH_TOKEN
    scheme, _, given = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if not expected or scheme.lower() != "bearer" or not given:
        return False
    return hmac.compare_digest(
        given.strip().encode("utf-8", "replace"), expected.encode("utf-8", "replace")
    )


@never_cache
@require_GET
def healthz(request):
    """Up or not, for anyone (load balancers, container health checks): {"status": "ok"}
    with 200, or {"status": "unavailable"} with 503. The figures only for
    `health_details_allowed`."""
    if not health_details_allowed(request):
        status = health_status(details=False)
        return JsonResponse(
            {"status": "ok" if status["ok"] else "unavailable"},
            status=200 if status["ok"] else 503,
        )
    status = health_status()
    status["status"] = "ok" if status["ok"] else "unavailable"
    return JsonResponse(status, status=200 if status["ok"] else 503)
