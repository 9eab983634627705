from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    """A brand's dashboard, figures and exports."""

    name = "insights"
    verbose_name = _("Insights")
