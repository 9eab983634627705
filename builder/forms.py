"""The campaign builder's forms, one per step (builder/views/).

They check what a person typed and say what is wrong on the field; the services in
builder/ (services.py, format_step.py, candidates.py) re-check what matters and do the
writes. Dates are read and shown in the time zone active while the form is used: the
builder activates the brand's."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from builder import services as builder
from builder.editing import SCHEDULE_FIELDS
from builder.presets import PRESETS, brand_enters_candidates, is_election, stages_as_text
from campaigns.lifecycle import schedule_problems
from campaigns.models import Campaign, default_support_stages
from core.images import image_clean
from voting.formats import format_choices, get_format

MARKDOWN_MAX = 20000


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def markdown_field(label, *, required=True, help_text=None, rows=8):
    return forms.CharField(
        label=label,
        required=required,
        max_length=MARKDOWN_MAX,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=help_text
        or _("Markdown: **bold**, *italics*, lists, links. HTML is shown as text."),
    )


def clean_image_upload(upload):
    """Every uploaded picture goes through core.images.image_clean (decoded, re-encoded)."""
    if not upload:
        return None
    return image_clean(upload)


class BasicsForm(forms.Form):
    brand = forms.ModelChoiceField(label=_("Brand"), queryset=None, empty_label=None)
    title = forms.CharField(label=_("Title"), max_length=160)
    cover_image = forms.FileField(
        label=_("Cover image"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("JPEG, PNG or WebP, up to 5 MB."),
    )
    remove_cover_image = forms.BooleanField(label=_("Remove the cover image"), required=False)

    def __init__(self, *args, brands, has_cover=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["brand"].queryset = brands
        if not has_cover:
            del self.fields["remove_cover_image"]

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise ValidationError(_("Give the campaign a title."))
        return title

    def clean_cover_image(self):
        return clean_image_upload(self.cleaned_data.get("cover_image"))


class BriefForm(forms.Form):
    brief = markdown_field(
        _("Brief"),
        rows=12,
        help_text=_(
            "What you ask the crowd: the problem, the kind of ideas you want, what happens "
            "to the best ones. Markdown; HTML is shown as text."
        ),
    )


class RulesForm(forms.Form):
    rules = markdown_field(_("Rules"), required=False)
    minimum_account_age_days = forms.IntegerField(
        label=_("Minimum account age (days)"),
        min_value=0,
        max_value=36500,
        initial=0,
        help_text=_("Only accounts at least this old may take part. 0: any verified account."),
    )
    is_invitation_only = forms.BooleanField(label=_("Invitation only"), required=False)
    invited_participants = forms.CharField(
        label=_("Invited participants"),
        required=False,
        max_length=MARKDOWN_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One email address or @domain per line (invitation-only campaigns)."),
    )

    def clean_invited_participants(self):
        text = self.cleaned_data.get("invited_participants", "")
        problems = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                problem = builder.invited_line_problem(line)
                if problem:
                    problems.append(
                        ValidationError(
                            _("Line %(number)d: %(problem)s"),
                            params={"number": number, "problem": problem},
                        )
                    )
        if problems:
            raise ValidationError(problems)
        return text

    def clean(self):
        data = super().clean()
        if (
            data.get("is_invitation_only")
            and "invited_participants" in data
            and not data["invited_participants"].strip()
        ):
            self.add_error(
                "invited_participants", _("List who is invited to an invitation-only campaign.")
            )
        return data


class TermsForm(forms.Form):
    ip_terms = markdown_field(
        _("Intellectual property"),
        help_text=_("Who owns the ideas and what the brand may do with them. Markdown."),
    )
    confidentiality = markdown_field(_("Confidentiality"), required=False, rows=5)
    is_private = forms.BooleanField(
        label=_("Private campaign"),
        required=False,
        help_text=_("Ideas are shown only to their author and the brand."),
    )


class ScheduleForm(forms.Form):
    submission_opens_at = forms.DateTimeField(label=_("Ideas open"), widget=DateTimeInput())
    submission_closes_at = forms.DateTimeField(label=_("Ideas close"), widget=DateTimeInput())
    voting_opens_at = forms.DateTimeField(label=_("Voting opens"), widget=DateTimeInput())
    voting_closes_at = forms.DateTimeField(label=_("Voting closes"), widget=DateTimeInput())
    results_at = forms.DateTimeField(
        label=_("Results published"),
        required=False,
        widget=DateTimeInput(),
        help_text=_("After your review. Empty: as soon as voting closes."),
    )

    def __init__(self, *args, accepts_ideas=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not accepts_ideas:  # an election whose candidates the brand enters
            del self.fields["submission_opens_at"]
            del self.fields["submission_closes_at"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        proposed = Campaign(**{name: data.get(name) for name in SCHEDULE_FIELDS})
        for field, message in schedule_problems(proposed, now=timezone.now()):
            self.add_error(field if field in self.fields else None, message)
        return data


def parse_support_stages(raw: str) -> list[list[int]]:
    """ "100/60, 1000/365" -> [[100, 60], [1000, 365]]; ValidationError with the reason."""
    stages: list[list[int]] = []
    for part in (raw or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        pieces = [piece.strip() for piece in part.split("/")]
        if len(pieces) == 1 or (len(pieces) == 2 and not pieces[1]):
            raise ValidationError(
                _(
                    "Every supporter threshold needs a deadline: “%(stage)s” has no days. "
                    "Write supporters/days, for example 100/60."
                ),
                params={"stage": part},
                code="no_deadline",
            )
        try:
            count, days = (int(piece) for piece in pieces)
        except ValueError:
            raise ValidationError(
                _("Write each stage as supporters/days, for example 100/60.")
            ) from None
        if days <= 0:
            raise ValidationError(
                _("Every supporter threshold needs a deadline of at least one day (“%(stage)s”)."),
                params={"stage": part},
                code="no_deadline",
            )
        if count <= 0:
            raise ValidationError(_("Supporters and days must be positive."))
        if count > 100_000_000 or days > 36500:
            raise ValidationError(_("That stage is too large."))
        if stages and count <= stages[-1][0]:
            raise ValidationError(_("Each stage needs more supporters than the last."))
        stages.append([count, days])
    return stages


class PresetForm(forms.Form):
    preset = forms.ChoiceField(
        label=_("Format"), choices=[(key, preset.label) for key, preset in PRESETS.items()]
    )


class FormatForm(forms.Form):
    CROWD, BRAND = "crowd", "brand"

    voting_method = forms.ChoiceField(label=_("Voting method"), choices=format_choices)
    ranked_method = forms.ChoiceField(
        label=_("Ranked ballots are counted by"),
        choices=Campaign.RankedMethod.choices,
        help_text=_("Ranked elections only."),
    )
    candidates_from = forms.ChoiceField(
        label=_("Who enters the ideas or candidates"),
        choices=[
            (CROWD, _("The crowd submits ideas")),
            (BRAND, _("The brand enters the candidates (elections only)")),
        ],
        widget=forms.RadioSelect,
        initial=CROWD,
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
        max_value=2_000_000_000,
        required=False,
        help_text=_("Budget campaigns: what each voter may spend across ideas."),
    )
    support_stages = forms.CharField(
        label=_("Support stages"),
        required=False,
        max_length=500,
        help_text=_(
            "Supporter thresholds: supporters/days, in order, for example "
            "100/60, 1000/365, 5000/180, 10000/180; each stage must be reached within its "
            "days after the previous one."
        ),
    )
    results_embargo = forms.BooleanField(label=_("Hide counts until voting closes"), required=False)

    def clean_support_stages(self):
        return parse_support_stages(self.cleaned_data.get("support_stages", ""))

    def clean(self):
        data = super().clean()
        method = data.get("voting_method")
        if method:
            # Only fields that were read: a field already in error is not told twice.
            read = ("budget_amount", "support_stages")
            values = {name: data[name] for name in read if name in data}
            for field, message in get_format(method).settings_problems(values):
                if field in values:
                    self.add_error(field, message)
        if data.get("candidates_from") == self.BRAND and method and not is_election(method):
            self.add_error(
                "candidates_from",
                _("Only an election (single, approval or ranked) takes candidates from the brand."),
            )
        return data

    @classmethod
    def initial_for(cls, campaign: Campaign) -> dict:
        stages = campaign.support_stages
        if not get_format(campaign.voting_method).has_support_stages and not stages:
            stages = default_support_stages()
        return {
            "voting_method": campaign.voting_method,
            "ranked_method": campaign.ranked_method,
            "candidates_from": cls.BRAND if brand_enters_candidates(campaign) else cls.CROWD,
            "max_votes_per_voter": campaign.max_votes_per_voter,
            "budget_amount": campaign.budget_amount,
            "support_stages": stages_as_text(stages),
            "results_embargo": campaign.results_embargo,
        }


class CandidateForm(forms.Form):
    title = forms.CharField(label=_("Candidate"), max_length=140)
    description = markdown_field(_("Description"), required=False, rows=4)
    image = forms.FileField(
        label=_("Picture"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("JPEG, PNG or WebP, up to 5 MB."),
    )
    remove_image = forms.BooleanField(label=_("Remove the picture"), required=False)

    def __init__(self, *args, has_image=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not has_image:
            del self.fields["remove_image"]

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise ValidationError(_("Give the candidate a name."))
        return title

    def clean_image(self):
        return clean_image_upload(self.cleaned_data.get("image"))


class ModerationForm(forms.Form):
    moderation = forms.ChoiceField(
        label=_("Moderation"), choices=Campaign.Moderation.choices, widget=forms.RadioSelect
    )


class RewardsForm(forms.Form):
    points_idea_published = forms.IntegerField(
        label=_("Points for a published idea"), min_value=0, max_value=100_000
    )
    points_idea_first_vote = forms.IntegerField(
        label=_("Points for an idea's first vote"), min_value=0, max_value=100_000
    )
    points_comment_posted = forms.IntegerField(
        label=_("Points for a comment"), min_value=0, max_value=100_000
    )

    def __init__(self, *args, prizes_initial=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.prizes = PrizeFormSet(
            self.data if self.is_bound else None, prefix="prizes", initial=prizes_initial
        )

    def is_valid(self) -> bool:
        points_valid = super().is_valid()
        prizes_valid = self.prizes.is_valid()  # both, so that every error is shown
        return points_valid and prizes_valid

    def points(self) -> dict[str, int]:
        return {reason: self.cleaned_data[f"points_{reason}"] for reason in builder.POINT_REASONS}

    @classmethod
    def initial_for(cls, campaign: Campaign) -> dict:
        return {f"points_{reason}": campaign.points_for(reason) for reason in builder.POINT_REASONS}


class PrizeForm(forms.Form):
    rank = forms.IntegerField(label=_("Rank"), min_value=1, max_value=1000, required=False)
    title = forms.CharField(label=_("Prize"), max_length=160, required=False)
    description = forms.CharField(
        label=_("Description"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        rank, title = data.get("rank"), (data.get("title") or "").strip()
        if rank is None and not title and not (data.get("description") or "").strip():
            return data  # an empty row: ignored
        if rank is None:
            self.add_error("rank", _("Give the prize a rank (1 for the best idea)."))
        if not title:
            self.add_error("title", _("Name the prize."))
        return data


class BasePrizeFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        ranks = [row.rank for row in self.rows()]
        if len(set(ranks)) != len(ranks):
            raise ValidationError(_("Two prizes have the same rank."))

    def rows(self) -> list[builder.PrizeRow]:
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("DELETE") or data.get("rank") is None:
                continue
            rows.append(
                builder.PrizeRow(
                    rank=data["rank"],
                    title=data["title"].strip(),
                    description=data.get("description", ""),
                )  # fmt: skip
            )
        return rows


PrizeFormSet = forms.formset_factory(
    PrizeForm, formset=BasePrizeFormSet, extra=2, can_delete=True, max_num=50, absolute_max=60
)
