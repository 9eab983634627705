"""The jury's forms: criteria, the jury's weight, jurors, and a juror's scores of one
entry. The services check every rule again; these forms only read the input."""

from django import forms
from django.utils.translation import gettext_lazy as _

from jury.models import DEFAULT_JURY_WEIGHT, SCORE_MAX, SCORE_MIN


class CriterionForm(forms.Form):
    name = forms.CharField(label=_("Criterion"), max_length=80)
    weight = forms.IntegerField(
        label=_("Weight"),
        min_value=1,
        max_value=100,
        help_text=_("Relative to the other criteria: 40, 40 and 20 make 40%, 40% and 20%."),
    )
    description = forms.CharField(
        label=_("What the jury looks for"), max_length=300, required=False
    )


class JuryWeightForm(forms.Form):
    jury_weight = forms.IntegerField(
        label=_("Jury weight (%)"),
        min_value=0,
        max_value=100,
        initial=DEFAULT_JURY_WEIGHT,
        help_text=_("The jury's share of the final ranking; the public's stars have the rest."),
    )


class JurorInviteForm(forms.Form):
    email = forms.EmailField(label=_("Juror's email address"))


class MemberJurorForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Brand member"), queryset=None)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["member"].label_from_instance = lambda user: user.public_name


class ScoreForm(forms.Form):
    """One number per criterion, named "criterion-<id>" and labelled by the criterion."""

    def __init__(self, *args, criteria, scores=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[self.field_name(criterion)] = forms.IntegerField(
                label=f"{criterion.name} ({criterion.weight})",
                min_value=SCORE_MIN,
                max_value=SCORE_MAX,
                required=False,
                initial=(scores or {}).get(criterion.pk),
                help_text=criterion.description,
            )

    @staticmethod
    def field_name(criterion) -> str:
        return f"criterion-{criterion.pk}"

    def scores(self) -> dict[int, int]:
        """{criterion id: value} of the criteria given a score."""
        return {
            criterion.pk: self.cleaned_data[self.field_name(criterion)]
            for criterion in self.criteria
            if self.cleaned_data.get(self.field_name(criterion)) is not None
        }
