from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BrandsConfig(AppConfig):
    """Brands and their teams."""

    name = "brands"
    verbose_name = _("Brands")

    def ready(self):
        # Its part of an account's erasure and export (accounts.signals).
        from brands import account_data  # noqa: F401
