import hmac

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from core.selectors import health_status


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
    with 200, or {"status": "unavailable"} with 503. The figures (database, broker, worker
    heartbeat, tally lag) only for `health_details_allowed`."""
    if not health_details_allowed(request):
        status = health_status(details=False)
        return JsonResponse(
            {"status": "ok" if status["ok"] else "unavailable"},
            status=200 if status["ok"] else 503,
        )
    status = health_status()
    status["status"] = "ok" if status["ok"] else "unavailable"
    return JsonResponse(status, status=200 if status["ok"] else 503)


@require_safe
def public_upload(request, path: str):
    """A public upload from MEDIA_ROOT (read at each request, not when the URLs load)."""
    from django.conf import settings
    from django.views.static import serve

    return serve(request, path, document_root=settings.MEDIA_ROOT)
