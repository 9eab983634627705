"""Settings for the test suite: the same real PostgreSQL and Redis, faster hashing."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests get their own key space so that a running `make run` is never disturbed.
FOULE_REDIS_PREFIX = env("FOULE_REDIS_PREFIX", default="foule-test")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("REDIS_URL", default="redis://127.0.0.1:6379/0"),
        "KEY_PREFIX": FOULE_REDIS_PREFIX,
    }
}
CELERY_BROKER_TRANSPORT_OPTIONS = {"global_keyprefix": f"{FOULE_REDIS_PREFIX}:celery:"}
# No limits in the suite; tests/test_rate_limits.py turns them on with override_settings.
ACCOUNT_RATE_LIMITS = False
FOULE_RATE_LIMITS: dict[str, str] = {}
# DRF's throttles off (their rates are always on); AccountWriteThrottle stays: it counts
# FOULE_RATE_LIMITS["write"], empty here unless a test turns it on.
REST_FRAMEWORK = {  # noqa: F405
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_CLASSES": ["core.api.AccountWriteThrottle"],
}
STORAGES = {  # no manifest needed: tests never run collectstatic
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Two test runs on one server (say, two checkouts) each need their own test database.
DATABASES["default"]["TEST"] = {  # noqa: F405
    "NAME": env("FOULE_TEST_DATABASE_NAME", default=None)
}
MEDIA_ROOT = BASE_DIR / ".foule" / "test-media"  # noqa: F405
FOULE_PRIVATE_ROOT = BASE_DIR / ".foule" / "test-private"  # noqa: F405
