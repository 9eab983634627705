from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # allauth's password signals revoke API tokens; the schema learns the token scheme.
        from accounts import receivers, schema  # noqa: F401
