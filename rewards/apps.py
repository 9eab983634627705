from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RewardsConfig(AppConfig):
    name = "rewards"
    verbose_name = _("Rewards")

    def ready(self):
        # Subscribes the points and prizes to the events the services emit (docs/events.md).
        # And its part of an account's erasure and export (accounts.signals).
        from rewards import account_data, receivers  # noqa: F401
