from django.apps import AppConfig
from django.core import checks
from django.utils.module_loading import autodiscover_modules, import_string

# Each app's subscribers, imported once the apps are loaded, in INSTALLED_APPS order:
# `receivers` (core.events), `account_data` (accounts.signals: its part of an account's
# erasure and export) and `schema` (drf-spectacular extensions, which register themselves
# when imported). core names no app: any app with such a module takes part.
SUBSCRIBER_MODULES = ("receivers", "account_data", "schema")


class CoreConfig(AppConfig):
    name = "core"

    def ready(self):
        # Loaded once the apps are (core.ratelimit reads allauth's settings at import).
        checks.register(import_string("core.ratelimit.check_rate_limits"))
        autodiscover_modules(*SUBSCRIBER_MODULES)
