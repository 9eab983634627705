"""Settings shared by every environment; everything that differs comes from the environment."""

from pathlib import Path

import environ
from celery.schedules import schedule
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# `make run` / `make test` write the addresses of the embedded services here; real
# environment variables always win (read_env only sets what is missing).
EMBEDDED_ENV_FILE = BASE_DIR / ".foule" / "services.env"
if EMBEDDED_ENV_FILE.exists():
    environ.Env.read_env(EMBEDDED_ENV_FILE)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("FOULE_SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "django_htmx",
    "rules.apps.AutodiscoverRulesConfig",
    "core",
    "accounts",
    "brands",
    "campaigns",
    "ideas",
    "jury",
    "voting",
    "notifications",
    "rewards",
    "builder",
    "insights",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before the session, authentication and views read the path, headers or cookies.
    "core.middleware.RejectNulCharactersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A write over its limit (core.ratelimit) becomes a 429 page with Retry-After.
    "core.ratelimit.RateLimitMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.context_processors.unread_notifications",
                "brands.context_processors.my_brands",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/foule")
}
# A socket directory given as ?host=/path (the embedded server) is libpq's host.
if DATABASES["default"].get("OPTIONS", {}).get("host"):
    DATABASES["default"]["HOST"] = DATABASES["default"]["OPTIONS"].pop("host")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
# Every Redis key Foule writes starts with this, so tests and several instances can share
# one server without touching each other's keys.
FOULE_REDIS_PREFIX = env("FOULE_REDIS_PREFIX", default="foule")

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": FOULE_REDIS_PREFIX,
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "account_login"

# django-allauth: the email address is the login, and it must be verified before the
# account may vote or submit (the rules check it; allauth also refuses to log in without it).
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# The sign-up form also asks for the display name other people see (never the email).
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Foule] "
# Records the campaign whose page led to a sign-up (User.signed_up_via).
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
# allauth's limits, in its syntax (see FOULE_RATE_LIMITS below); the actions not named here
# keep allauth's defaults (change_password 5/m/user, manage_email 10/m/user...).
ACCOUNT_RATE_LIMITS = {
    "login": env("FOULE_RATE_LIMIT_LOGIN", default="30/m/ip,300/h/ip"),
    "login_failed": env("FOULE_RATE_LIMIT_LOGIN_FAILED", default="10/m/ip,5/5m/key"),
    "signup": env("FOULE_RATE_LIMIT_SIGNUP", default="20/m/ip,100/h/ip"),
    "reset_password": env("FOULE_RATE_LIMIT_RESET_PASSWORD", default="20/m/ip,5/m/key"),
}

# How many proxies of ours stand in front of Django, each appending to X-Forwarded-For.
# 0 (the default): the header is ignored and the client address is REMOTE_ADDR; with n, the
# n-th address from the right is the client's (core.ratelimit.client_address). Wrong in
# either direction, limits either lump every visitor together or trust a forged header.
FOULE_TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = FOULE_TRUSTED_PROXY_COUNT

# Limits on every write, pages and API alike (core.ratelimit), in allauth's syntax:
# "<amount>/<window>/<per>" joined by commas; window s, m, h or d ("5m" = 5 minutes); per
# user (the account) or ip (the client address). High enough that a person never meets
# them, low enough that a script does. FOULE_RATE_LIMIT_<ACTION> overrides one ("" = none).
FOULE_RATE_LIMITS = {
    action: env(f"FOULE_RATE_LIMIT_{action.upper()}", default=rates)
    for action, rates in {
        "idea_submit": "5/m/user,30/h/user,60/m/ip",
        "comment": "10/m/user,120/h/user,120/m/ip",
        "vote": "60/m/user,600/h/user,600/m/ip",
        "ballot": "10/m/user,60/h/user,120/m/ip",
        "pairwise_answer": "60/m/user,1000/h/user,600/m/ip",
        "invitation": "10/m/user,100/h/user,60/m/ip",
        "export": "5/m/user,30/h/user,30/m/ip",
        "token": "10/m/ip,50/h/ip",
        # No door yet: moderation reports will call rate_limit(request, "report").
        "report": "10/m/user,50/h/user,60/m/ip",
        # Every write at any door (core.ratelimit.RateLimitMiddleware), the ones above too.
        "write": "120/m/user,2000/h/user,1200/m/ip",
    }.items()
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Foule <no-reply@foule.localhost>")

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = env.path("FOULE_MEDIA_ROOT", default=BASE_DIR / ".foule" / "media")
# Exports (a campaign's data): no URL serves this folder.
FOULE_PRIVATE_ROOT = env.path("FOULE_PRIVATE_ROOT", default=BASE_DIR / ".foule" / "private")
MEDIA_URL = "media/"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts and styles come from our own static files;
# an inline <script> or <style> runs only with the request's nonce
# (nonce="{{ request.csp_nonce }}"). No inline event handlers (onclick=...) and no style=""
# attributes: behaviour lives in static/js/foule.js, looks in static/css/foule.css.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        # Where browsers send violation reports, if anywhere (a URL; none by default).
        "report-uri": env.list("FOULE_CSP_REPORT_URI", default=[]) or None,
    }
}
# Permissions-Policy (django-permissions-policy): no page of Foule uses these browser
# features, so no page (nor anything injected into one) may ask for them. Only features
# Chromium knows: an unknown one is a console warning on every page.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "browsing-topics", "camera",
        "display-capture", "encrypted-media", "geolocation", "gyroscope", "hid",
        "idle-detection", "magnetometer", "microphone", "midi", "payment",
        "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
    )
}  # fmt: skip
# /healthz answers {"status": "ok"} to anyone; its figures (database, broker, worker, tally
# lag) only to staff users and to requests with "Authorization: Bearer <this token>".
# Empty: no token is accepted.
FOULE_HEALTH_TOKEN = env("FOULE_HEALTH_TOKEN", default="")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Personal tokens (hashed, expiring, revocable), first: their WWW-Authenticate
        # header turns "not logged in" into a 401.
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    # JSON with size and depth limits (core/parsers.py); forms as DRF parses them.
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.LimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # JSON, and the browsable API in a browser (core/headers.py: its CSP allowance).
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "core.headers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    # Every request, reads included: anonymous ones by client address, signed-in ones by
    # account (core/api.py). Writes also have their own limits (FOULE_RATE_LIMITS).
    # AccountWriteThrottle: the "write" rate per account of a write made with a token.
    "DEFAULT_THROTTLE_CLASSES": [
        "core.api.AddressRateThrottle",
        "core.api.AccountRateThrottle",
        "core.api.AccountWriteThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("FOULE_API_ANON_RATE", default="600/minute"),
        "user": env("FOULE_API_USER_RATE", default="1200/minute"),
    },
    # DRF's own reading of X-Forwarded-For, for any code that asks it: the same count.
    "NUM_PROXIES": FOULE_TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Foule API",
    "DESCRIPTION": "Campaigns, ideas, votes and notifications of the Foule platform.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"ApiTokenStatusEnum": "accounts.models.ApiToken.Status"},
}

# Celery: Redis is the broker; one beat schedule, here.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"global_keyprefix": f"{FOULE_REDIS_PREFIX}:celery:"}
CELERY_TIMEZONE = TIME_ZONE
# How often the workers recount the tallies, in seconds; also how long a rendered idea list
# is shared between visitors (campaigns/views/idea_list.py): it shows no staler a count.
FOULE_TALLY_INTERVAL = env.float("FOULE_TALLY_INTERVAL", default=1.0)
CELERY_BEAT_SCHEDULE = {
    "tally-drain-dirty": {
        "task": "voting.tasks.tally_drain_dirty",
        "schedule": schedule(FOULE_TALLY_INTERVAL),
        "options": {"expires": 5},
    },
    "tally-reconcile": {
        "task": "voting.tasks.tally_reconcile",
        "schedule": schedule(60.0),
        "options": {"expires": 55},
    },
    "support-expire-due": {
        "task": "voting.tasks.support_expire_due",
        "schedule": schedule(60.0),
        "options": {"expires": 55},
    },
    "results-drain-dirty": {
        "task": "voting.tasks.results_drain_dirty",
        "schedule": schedule(env.float("FOULE_RESULTS_INTERVAL", default=2.0)),
        "options": {"expires": 10},
    },
    "results-reconcile": {
        "task": "voting.tasks.results_reconcile",
        "schedule": schedule(60.0),
        "options": {"expires": 55},
    },
    "results-finalize-due": {
        "task": "voting.tasks.results_finalize_due",
        "schedule": schedule(60.0),
        "options": {"expires": 55},
    },
    "impressions-flush": {
        "task": "voting.tasks.impressions_flush",
        "schedule": schedule(30.0),
        "options": {"expires": 25},
    },
    "campaigns-advance-due": {
        "task": "campaigns.tasks.campaigns_advance_due",
        "schedule": schedule(env.float("FOULE_LIFECYCLE_INTERVAL", default=15.0)),
        "options": {"expires": 14},
    },
    "campaigns-remind-voting-ending": {
        "task": "campaigns.tasks.campaigns_remind_voting_ending",
        "schedule": schedule(60.0),
        "options": {"expires": 55},
    },
    "campaigns-retry-transition-effects": {
        "task": "campaigns.tasks.transitions_retry_effects",
        "schedule": schedule(60.0),
        "options": {"expires": 55},
    },
    "campaigns-stats-refresh-due": {
        "task": "insights.tasks.campaigns_stats_refresh_due",
        "schedule": schedule(60.0),
        "options": {"expires": 55},
    },
    "campaign-exports-delete-expired": {
        "task": "insights.tasks.campaign_exports_delete_expired",
        "schedule": schedule(3600.0),
        "options": {"expires": 3000},
    },
    "worker-heartbeat": {
        "task": "core.tasks.worker_heartbeat",
        "schedule": schedule(5.0),
        "options": {"expires": 5},
    },
}

# Points a contributor earns, per event (each event pays once: see rewards.services).
FOULE_POINTS = {"idea_published": 10, "idea_first_vote": 5, "comment_posted": 1, "prize": 100}
# Vote counts at which the author of an idea is told (and the first one pays points).
FOULE_VOTE_MILESTONES = [1, 10, 100, 1000, 10000]
# How long a brand invitation link stays valid.
FOULE_INVITATION_DAYS = env.int("FOULE_INVITATION_DAYS", default=7)
# Personal API tokens (accounts/tokens.py): the expiry a new token gets unless its owner
# chooses, the longest one allowed, and how many unexpired, unrevoked tokens one account
# may hold at once.
FOULE_API_TOKEN_DAYS = env.int("FOULE_API_TOKEN_DAYS", default=90)
FOULE_API_TOKEN_MAX_DAYS = env.int("FOULE_API_TOKEN_MAX_DAYS", default=365)
FOULE_API_TOKEN_MAX_ACTIVE = env.int("FOULE_API_TOKEN_MAX_ACTIVE", default=20)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}
