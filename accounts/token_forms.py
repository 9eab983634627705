"""The form of the API tokens page. It only reads input; accounts/tokens.py decides (the
name's characters, the longest lifetime, the number of active tokens)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import tokens


class ApiTokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=tokens.NAME_MAX_LENGTH,
        help_text=_("What the token is for, e.g. “laptop script” or “CI”."),
        widget=forms.TextInput(attrs={"data-testid": "token-name", "autocomplete": "off"}),
    )
    expires_in_days = forms.IntegerField(
        label=_("Expires after (days)"),
        min_value=1,
        max_value=100_000,  # a bound on what is read; the service holds the real maximum
        widget=forms.NumberInput(attrs={"data-testid": "token-days", "min": 1}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read at request time: the settings may differ between deployments and in tests.
        maximum = tokens.token_days_max()
        field = self.fields["expires_in_days"]
        field.initial = min(tokens.token_days_default(), maximum)
        field.widget.attrs["max"] = maximum
        field.help_text = _("Between 1 and %(max)d days.") % {"max": maximum}
