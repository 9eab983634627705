from django.apps import AppConfig
from django.core import checks


class CoreConfig(AppConfig):
    name = "core"

    def ready(self):
        # Imported once the apps are loaded (core.ratelimit reads allauth's settings).
        from core.ratelimit import check_rate_limits

        checks.register(check_rate_limits)
