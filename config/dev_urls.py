"""URLs for `make dev` (config/settings/dev.py): the site's, plus the debug toolbar's."""

from debug_toolbar.toolbar import debug_toolbar_urls

from config.urls import handler429, urlpatterns

__all__ = ["handler429", "urlpatterns"]

urlpatterns = [*urlpatterns, *debug_toolbar_urls()]
