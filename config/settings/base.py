"""Settings shared by every environment; everything that differs comes from the environment."""

from pathlib import Path

import environ
from celery.schedules import schedule
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
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "django_htmx",
    "rules.apps.AutodiscoverRulesConfig",
    "core",
    "accounts",
    "campaigns",
    "ideas",
    "voting",
    "notifications",
    "rewards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
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
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Foule] "
# Records the campaign whose page led to a sign-up (User.signed_up_via).
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key", "signup": "20/m/ip"}

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

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header turns "not logged in" into a 401.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": env("FOULE_API_ANON_RATE", default="600/minute")},
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
CELERY_BEAT_SCHEDULE = {
    "tally-drain-dirty": {
        "task": "voting.tasks.tally_drain_dirty",
        "schedule": schedule(env.float("FOULE_TALLY_INTERVAL", default=1.0)),
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
        "task": "campaigns.tasks.campaigns_stats_refresh_due",
        "schedule": schedule(60.0),
        "options": {"expires": 55},
    },
    "campaign-exports-delete-expired": {
        "task": "campaigns.tasks.campaign_exports_delete_expired",
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}
