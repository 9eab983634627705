from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self):
        # Its part of an account's erasure and export (accounts.signals).
        from campaigns import account_data  # noqa: F401
