"""A contest's jury: its criteria and weight, its jurors and their scores (invitations by
email are in jury/invitations.py). Every rule is checked here (jury/rules.py says why not),
whatever the door. Changes to one contest's jury are serialised by locking the campaign's
row."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from brands.models import BrandMembership
from campaigns.models import Campaign
from core.errors import ApplicationError, Conflict
from core.events import emit
from core.text import clean_single_line
from ideas.models import Idea
from jury import rules as jury_rules
from jury.models import (
    SCORE_MAX,
    SCORE_MIN,
    Criterion,
    Juror,
    JuryScore,
    JurySettings,
)

# What the builder suggests to a brand that has no criteria yet: (name, weight).
SUGGESTED_CRITERIA = (
    (gettext_lazy("Originality"), 40),
    (gettext_lazy("Fit with the brief"), 40),
    (gettext_lazy("Feasibility"), 20),
)


def raise_if(problem: ApplicationError | None) -> None:
    if problem is not None:
        raise problem


def lock_campaign(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().select_related("brand").get(pk=campaign.pk)


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


# -- criteria and weight -------------------------------------------------------------------


def _clean_criterion(name: str, weight, description: str) -> tuple[str, int, str]:
    name = clean_single_line(name or "")
    if not name:
        raise ApplicationError(_("Give the criterion a name."), field="name", code="invalid")
    if len(name) > Criterion._meta.get_field("name").max_length:
        raise ApplicationError(_("The criterion's name is too long."), field="name")
    try:
        weight = int(weight)
    except (TypeError, ValueError):
        weight = 0
    if not 1 <= weight <= 100:
        raise ApplicationError(
            _("A criterion's weight is a whole number from 1 to 100."), field="weight"
        )
    description = clean_single_line(description or "")[:300]
    return name, weight, description


def _check_unique_name(campaign: Campaign, name: str, *, exclude_pk=None) -> None:
    taken = Criterion.objects.filter(campaign=campaign, name__iexact=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise Conflict(
            _("There is already a criterion named “%(name)s”.") % {"name": name},
            field="name",
            code="duplicate_criterion",
        )


def criterion_add(
    *, campaign: Campaign, actor, name: str, weight: int, description: str = ""
) -> Criterion:
    raise_if(jury_rules.why_not_manage_criteria(actor, campaign))
    name, weight, description = _clean_criterion(name, weight, description)
    with transaction.atomic():
        campaign = lock_campaign(campaign)
        _check_unique_name(campaign, name)
        last = Criterion.objects.filter(campaign=campaign).aggregate(last=Max("position"))
        return Criterion.objects.create(
            campaign=campaign,
            name=name,
            weight=weight,
            description=description,
            position=(last["last"] or 0) + 1,
        )


def criterion_update(
    *, criterion: Criterion, actor, name: str, weight: int, description: str = ""
) -> Criterion:
    raise_if(jury_rules.why_not_manage_criteria(actor, criterion.campaign))
    name, weight, description = _clean_criterion(name, weight, description)
    with transaction.atomic():
        lock_campaign(criterion.campaign)
        _check_unique_name(criterion.campaign, name, exclude_pk=criterion.pk)
        criterion.name, criterion.weight, criterion.description = name, weight, description
        criterion.save(update_fields=["name", "weight", "description"])
    return criterion


def criterion_remove(*, criterion: Criterion, actor) -> None:
    raise_if(jury_rules.why_not_manage_criteria(actor, criterion.campaign))
    with transaction.atomic():
        lock_campaign(criterion.campaign)
        Criterion.objects.filter(pk=criterion.pk).delete()


def criteria_suggest(*, campaign: Campaign, actor) -> list[Criterion]:
    """Add the suggested criteria (originality 40, fit with the brief 40, feasibility 20)
    to a contest that has none yet; a contest with criteria keeps them."""
    raise_if(jury_rules.why_not_manage_criteria(actor, campaign))
    with transaction.atomic():
        campaign = lock_campaign(campaign)
        if not Criterion.objects.filter(campaign=campaign).exists():
            Criterion.objects.bulk_create(
                Criterion(campaign=campaign, name=str(name), weight=weight, position=index)
                for index, (name, weight) in enumerate(SUGGESTED_CRITERIA, start=1)
            )
    return list(Criterion.objects.filter(campaign=campaign).order_by("position", "id"))


def jury_weight_update(*, campaign: Campaign, actor, jury_weight: int) -> JurySettings:
    """Set the jury's share of the ranking (percent; the public's stars have the rest)."""
    raise_if(jury_rules.why_not_manage_criteria(actor, campaign))
    try:
        jury_weight = int(jury_weight)
    except (TypeError, ValueError):
        jury_weight = -1
    if not 0 <= jury_weight <= 100:
        raise ApplicationError(
            _("The jury's weight is a percentage from 0 to 100."), field="jury_weight"
        )
    with transaction.atomic():
        lock_campaign(campaign)
        jury_settings, _created = JurySettings.objects.update_or_create(
            campaign=campaign, defaults={"jury_weight": jury_weight}
        )
    return jury_settings


def launch_problems(*, campaign: Campaign) -> list[tuple[str, str]]:
    """What a contest lacks before its launch, as (field, message) like
    campaigns.lifecycle.launch_problems: at least one criterion for the jury."""
    if jury_rules.has_jury(campaign) and not Criterion.objects.filter(campaign=campaign).exists():
        return [("jury", _("Give the jury at least one criterion before launching the contest."))]
    return []


# -- jurors --------------------------------------------------------------------------------


def seat_juror(campaign: Campaign, user, added_by) -> Juror:
    """Seat `user` on the jury (again, if they were removed)."""
    juror, created = Juror.objects.get_or_create(
        campaign=campaign, user=user, defaults={"added_by": added_by}
    )
    if not created:
        if juror.removed_at is None:
            raise Conflict(
                _("%(name)s is already on the jury.") % {"name": user.public_name},
                code="already_juror",
            )
        juror.removed_at = None
        juror.save(update_fields=["removed_at"])
    jury_rules.forget_seats(user)
    emit("jury.juror_added", campaign_id=campaign.pk, juror_id=juror.pk, user_id=user.pk)
    return juror


def juror_add_member(*, campaign: Campaign, user, actor) -> Juror:
    """Seat one of the brand's members on the jury (no invitation needed)."""
    raise_if(jury_rules.why_not_manage_jurors(actor, campaign))
    with transaction.atomic():
        campaign = lock_campaign(campaign)
        if not BrandMembership.objects.filter(brand=campaign.brand, user=user).exists():
            raise ApplicationError(
                _("Only the brand's members can be added directly: invite others by email."),
                field="member",
                code="not_member",
            )
        return seat_juror(campaign, user, actor)


def juror_remove(*, juror: Juror, actor) -> Juror:
    """Take a juror off the jury: their scores stay on record but no longer count."""
    raise_if(jury_rules.why_not_manage_jurors(actor, juror.campaign))
    with transaction.atomic():
        lock_campaign(juror.campaign)
        juror = Juror.objects.select_for_update().get(pk=juror.pk)
        if juror.removed_at is None:
            juror.removed_at = timezone.now()
            juror.save(update_fields=["removed_at"])
            emit("jury.juror_removed", campaign_id=juror.campaign_id, juror_id=juror.pk)
    jury_rules.forget_seats(juror.user)
    return juror


# -- scores --------------------------------------------------------------------------------


def _clean_value(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or str(number) != str(value).strip() or not SCORE_MIN <= number <= SCORE_MAX:
        raise ApplicationError(
            _("A score is a whole number from %(low)d to %(high)d.")
            % {"low": SCORE_MIN, "high": SCORE_MAX},
            field="value",
            code="invalid_score",
        )
    return number


def entry_score(*, user, idea: Idea, scores: Mapping[int, int]) -> list[JuryScore]:
    """Record `user`'s scores of `idea`, {criterion id: 1..10}, replacing their earlier
    ones (one row per juror, entry and criterion). Criteria left out keep their score.
    All or nothing: one invalid score refuses the lot."""
    raise_if(jury_rules.why_not_score(user, idea))
    juror = jury_rules.active_juror(user, idea.campaign)
    criteria = set(
        Criterion.objects.filter(campaign_id=idea.campaign_id).values_list("pk", flat=True)
    )
    cleaned = {}
    for criterion_id, value in scores.items():
        if criterion_id not in criteria:
            raise ApplicationError(
                _("This criterion is not one of the contest's."), field="criterion"
            )
        cleaned[criterion_id] = _clean_value(value)
    if not cleaned:
        raise ApplicationError(_("Score at least one criterion."), field="value")
    now = timezone.now()
    with transaction.atomic():
        rows = JuryScore.objects.bulk_create(
            [
                JuryScore(
                    juror=juror, idea=idea, criterion_id=criterion_id, value=value,
                    created_at=now, updated_at=now,
                )
                for criterion_id, value in sorted(cleaned.items())
            ],
            update_conflicts=True,
            unique_fields=["juror", "idea", "criterion"],
            update_fields=["value", "updated_at"],
        )  # fmt: skip
        emit("jury.scored", campaign_id=idea.campaign_id, idea_id=idea.pk, juror_id=juror.pk)
    return rows
