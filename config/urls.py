from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.health import healthz
from core.views import public_upload

# allauth answers its own limits (sign-up, login...) through this hook: Foule's 429 page.
handler429 = "core.ratelimit.allauth_too_many_requests"

admin.site.site_header = _("Foule moderation")
admin.site.site_title = _("Foule moderation")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # Foule's own account pages (before allauth's, which share the prefix).
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include("config.api_router")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("notifications/", include("notifications.urls")),
    path("", include("builder.urls")),
    path("", include("campaigns.urls")),
    path("", include("brands.urls")),
    path("", include("insights.urls")),
    path("", include("ideas.urls")),
    path("", include("voting.urls")),
    path("", include("jury.urls")),
]

# Public uploads (logos, covers, candidate pictures: validated and re-encoded images, see
# core/images.py) are served by Django in every environment; a proxy or CDN in front may
# cache them. Exports are not in MEDIA_ROOT (core/storage.py).
urlpatterns += [
    re_path(
        rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>(brands|campaigns|ideas)/[\w.-]+)$",
        public_upload,
    ),
]
