from django.conf import settings
from django.views.decorators.http import require_safe
from django.views.static import serve


@require_safe
def public_upload(request, path: str):
    """A public upload from MEDIA_ROOT (read at each request, not when the URLs load)."""
    return serve(request, path, document_root=settings.MEDIA_ROOT)
