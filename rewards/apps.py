from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RewardsConfig(AppConfig):
    name = "rewards"
    verbose_name = _("Rewards")

    def ready(self):
        # Subscribes the points and prizes to the events the services emit (docs/events.md).
        from rewards import receivers  # noqa: F401
