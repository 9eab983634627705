from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BuilderConfig(AppConfig):
    """The step-by-step campaign builder."""

    name = "builder"
    verbose_name = _("Campaign builder")
