from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JuryConfig(AppConfig):
    """A creative contest's jury: its weighted criteria, its jurors and their scores."""

    name = "jury"
    verbose_name = _("Jury")
