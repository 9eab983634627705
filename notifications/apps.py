from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        # Subscribes who is told what to the events the services emit (docs/events.md).
        from notifications import receivers  # noqa: F401
