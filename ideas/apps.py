from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdeasConfig(AppConfig):
    name = "ideas"
    verbose_name = _("Ideas")

    def ready(self):
        # Its part of an account's erasure and export (accounts.signals).
        from ideas import account_data  # noqa: F401
