from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotingConfig(AppConfig):
    name = "voting"
    verbose_name = _("Voting")

    def ready(self):
        # Its event receivers, and its part of an account's export (accounts.signals).
        from voting import account_data, receivers  # noqa: F401
