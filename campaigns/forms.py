from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import Brand, Campaign


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
    submission_closes_at = forms.DateTimeField(label=_("Submissions close"), widget=DateTimeInput())
    voting_opens_at = forms.DateTimeField(label=_("Voting opens"), widget=DateTimeInput())
    voting_closes_at = forms.DateTimeField(label=_("Voting closes"), widget=DateTimeInput())
    voting_method = forms.ChoiceField(
        label=_("Voting method"),
        choices=Campaign.VotingMethod.choices,
        initial=Campaign.VotingMethod.UPDOWN,
        required=False,
    )
    ranked_method = forms.ChoiceField(
        label=_("Ranked ballots are counted by"),
        choices=Campaign.RankedMethod.choices,
        initial=Campaign.RankedMethod.SCHULZE,
        required=False,
    )
    max_votes_per_voter = forms.IntegerField(
        label=_("Votes per voter"),
        min_value=1,
        max_value=10000,
        required=False,
        help_text=_("How many ideas one person may vote for or approve. Empty: no limit."),
    )
    budget_amount = forms.IntegerField(
        label=_("Budget per voter"),
        min_value=1,
        max_value=10**12,
        required=False,
        help_text=_("Budget campaigns: what each voter may spend across ideas."),
    )
    support_stages = forms.CharField(
        label=_("Support stages"),
        required=False,
        max_length=500,
        initial="100/60, 1000/365, 5000/180, 10000/180",
        help_text=_(
            "Supporter thresholds: supporters/days, in order; each stage must be "
            "reached within its days after the previous one."
        ),
    )
    results_embargo = forms.BooleanField(
        label=_("Hide counts until voting closes"),
        required=False,
    )

    def __init__(self, *args, brands, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["brand"].queryset = brands
        if brands.count() == 1:
            self.fields["brand"].initial = brands.first()
        # A sensible default schedule: ideas for two weeks, votes for three, starting now.
        now = timezone.localtime().replace(second=0, microsecond=0)
        for name, days in [
            ("submission_opens_at", 0),
            ("submission_closes_at", 14),
            ("voting_opens_at", 0),
            ("voting_closes_at", 21),
        ]:
            self.fields[name].initial = now + timedelta(days=days)

    def clean_support_stages(self):
        raw = self.cleaned_data.get("support_stages", "").strip()
        if not raw:
            return []
        stages = []
        for part in raw.split(","):
            try:
                count, days = (int(x) for x in part.strip().split("/"))
            except ValueError:
                raise forms.ValidationError(
                    _("Write each stage as supporters/days, for example 100/60.")
                ) from None
            if count <= 0 or days <= 0:
                raise forms.ValidationError(_("Supporters and days must be positive."))
            if stages and count <= stages[-1][0]:
                raise forms.ValidationError(_("Each stage needs more supporters than the last."))
            stages.append([count, days])
        return stages

    def clean(self):
        data = super().clean()
        method = data["voting_method"] = data.get("voting_method") or "updown"
        if method == Campaign.VotingMethod.BUDGET and not data.get("budget_amount"):
            self.add_error("budget_amount", _("A budget campaign needs a budget."))
        if method == Campaign.VotingMethod.SUPPORT and not data.get("support_stages"):
            self.add_error("support_stages", _("A supporter-threshold campaign needs stages."))
        pairs = [
            (
                "submission_opens_at",
                "submission_closes_at",
                _("Submissions must close after they open."),
            ),
            ("voting_opens_at", "voting_closes_at", _("Voting must close after it opens.")),
        ]
        for start, end, message in pairs:
            if data.get(start) and data.get(end) and data[end] <= data[start]:
                self.add_error(end, message)
        return data
