"""Settings for `make dev`, the development loop: `make run`'s settings with Django's debug
pages, the debug toolbar (django-debug-toolbar, a development dependency only) and the
development server, which reloads on code changes."""

from .local import *  # noqa: F403
from .local import DATABASES, INSTALLED_APPS, MIDDLEWARE, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
INSTALLED_APPS = [*INSTALLED_APPS, "debug_toolbar"]
# Right after the CSP middleware, so that on the way out the toolbar asks for the request's
# nonce (its <script> and <link> carry it) before the policy header is written.
_after_csp = MIDDLEWARE.index("csp.middleware.CSPMiddleware") + 1
MIDDLEWARE = [
    *MIDDLEWARE[:_after_csp],
    "debug_toolbar.middleware.DebugToolbarMiddleware",
    *MIDDLEWARE[_after_csp:],
]
INTERNAL_IPS = ["127.0.0.1", "::1"]
ROOT_URLCONF = "config.dev_urls"
# The development server runs each request in a thread of its own: a connection kept per
# thread piles up (88 held after 1,000 requests once). One per request here.
DATABASES["default"]["CONN_MAX_AGE"] = 0
