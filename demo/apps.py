from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo data `make run` loads (`manage.py seed_demo`): the top layer, it writes
    through every app's services like a brand and its crowd would."""

    name = "demo"
    verbose_name = _("Demo data")
