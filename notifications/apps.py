from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        # Subscribes who is told what to the events the services emit (docs/events.md).
        # And its part of an account's erasure and export (accounts.signals).
        from notifications import account_data, receivers  # noqa: F401
