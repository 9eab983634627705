from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import Brand


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class CampaignForm(forms.Form):
    brand = forms.ModelChoiceField(label=_("Brand"), queryset=Brand.objects.none())
    title = forms.CharField(label=_("Title"), max_length=160)
    brief = forms.CharField(
        label=_("Brief"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20000,
        help_text=_("What you are asking the crowd, in Markdown."),
    )
    submission_opens_at = forms.DateTimeField(label=_("Submissions open"), widget=DateTimeInput())
    submission_closes_at = forms.DateTimeField(label=_("Submissions close"),
                                               widget=DateTimeInput())
    voting_opens_at = forms.DateTimeField(label=_("Voting opens"), widget=DateTimeInput())
    voting_closes_at = forms.DateTimeField(label=_("Voting closes"), widget=DateTimeInput())

    def __init__(self, *args, brands, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["brand"].queryset = brands
        if brands.count() == 1:
            self.fields["brand"].initial = brands.first()
        # A sensible default schedule: ideas for two weeks, votes for three, starting now.
        now = timezone.localtime().replace(second=0, microsecond=0)
        for name, days in [("submission_opens_at", 0), ("submission_closes_at", 14),
                           ("voting_opens_at", 0), ("voting_closes_at", 21)]:
            self.fields[name].initial = now + timedelta(days=days)

    def clean(self):
        data = super().clean()
        pairs = [
            ("submission_opens_at", "submission_closes_at",
             _("Submissions must close after they open.")),
            ("voting_opens_at", "voting_closes_at", _("Voting must close after it opens.")),
        ]
        for start, end, message in pairs:
            if data.get(start) and data.get(end) and data[end] <= data[start]:
                self.add_error(end, message)
        return data
