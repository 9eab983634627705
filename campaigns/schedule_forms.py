"""Forms of a running campaign's schedule actions. Dates are entered in the brand's time
zone (the form is given it) and handed to the services in UTC."""

import zoneinfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import ScheduleChange


class BrandDateTimeField(forms.DateTimeField):
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class RescheduleForm(forms.Form):
    ACTIONS = [("extend", _("Extend to a later end")), ("close", _("Close now"))]

    window = forms.ChoiceField(label=_("Window"), choices=ScheduleChange.Window.choices)
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS, widget=forms.RadioSelect)
    new_end = BrandDateTimeField(
        label=_("New end"), required=False, help_text=_("Only to extend; in the brand's time zone.")
    )
    reason = forms.CharField(
        label=_("Reason shown to participants"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, time_zone: str, **kwargs):
        super().__init__(*args, **kwargs)
        try:
            self.zone = zoneinfo.ZoneInfo(time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            self.zone = zoneinfo.ZoneInfo("UTC")

    def clean(self):
        data = super().clean()
        if data.get("action") == "extend":
            new_end = data.get("new_end")
            if new_end is None:
                self.add_error("new_end", _("Say until when."))
            else:
                # The browser sends a wall-clock time: it is the brand's.
                naive = timezone.make_naive(new_end, timezone.get_current_timezone())
                data["new_end"] = naive.replace(tzinfo=self.zone)
        else:
            data["new_end"] = None
        return data
