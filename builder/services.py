"""The step-by-step campaign builder's writes for the draft and its content: basics,
brief, rules and eligibility, terms, schedule, moderation and rewards. The format step is
in builder/format_step.py, the candidates in builder/candidates.py, the steps' list and
status in builder/steps.py. Launching is `lifecycle.campaign_launch`, which re-checks
everything.

Forms validate what a person typed; these functions re-check what matters (they are also
the API's and the tests' door) and raise ApplicationError with the field to blame."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.text import slugify
from django.utils.translation import gettext as _

from brands import rules as brand_rules
from brands.models import Brand
from builder.editing import (
    SCHEDULE_FIELDS,
    State,
    advance_if_scheduled,
    delete_file_after_commit,
    locked_for_edit,
    normalise,
)
from builder.presets import brand_enters_candidates
from campaigns import lifecycle
from campaigns.models import Campaign, CampaignPrize, CampaignTerms
from core.errors import ApplicationError, Conflict, NotAllowed
from core.markdown import render_markdown
from core.text import check_cleaned_length, clean_single_line

POINT_REASONS = ("idea_published", "idea_first_vote", "comment_posted")


CAMPAIGN_TITLE_MAX_LENGTH = Campaign._meta.get_field("title").max_length


PRIZE_TITLE_MAX_LENGTH = CampaignPrize._meta.get_field("title").max_length


def _unique_slug(title: str) -> str:
    base = slugify(title)[:160] or "campaign"
    if not Campaign.objects.filter(slug=base).exists():
        return base
    return f"{base}-{get_random_string(6).lower()}"


def draft_create(
    *, actor, brand: Brand, title: str, cover_image: UploadedFile | None = None
) -> Campaign:
    """A new draft for `brand` (not public, no schedule yet)."""
    if not brand_rules.can_create_campaign_for_brand(actor, brand):
        raise NotAllowed(
            _("Only verified owners and managers of %(brand)s can create its campaigns.")
            % {"brand": brand.name},
            field="brand",
        )
    title = clean_single_line(title)
    if not title:
        raise ApplicationError(_("Give the campaign a title."), field="title")
    check_cleaned_length(title, max_length=CAMPAIGN_TITLE_MAX_LENGTH, field="title")
    for _attempt in range(3):  # a concurrent draft may take the slug; try a fresh one
        try:
            with transaction.atomic():
                return Campaign.objects.create(
                    brand=brand,
                    title=title,
                    slug=_unique_slug(title),
                    state=State.DRAFT,
                    is_published=False,
                    cover_image=cover_image or "",
                    created_by=actor,
                )
        except IntegrityError:
            continue
    raise ApplicationError(_("Could not create the campaign, please try again."))


def campaign_basics_update(
    *,
    campaign: Campaign,
    actor,
    brand: Brand,
    title: str,
    cover_image: UploadedFile | None = None,
    remove_cover_image: bool = False,
) -> Campaign:
    """Brand, title and cover. The slug stays (links already shared keep working)."""
    title = clean_single_line(title)
    if not title:
        raise ApplicationError(_("Give the campaign a title."), field="title")
    check_cleaned_length(title, max_length=CAMPAIGN_TITLE_MAX_LENGTH, field="title")
    with transaction.atomic():
        locked = locked_for_edit(campaign, actor)
        if brand.pk != locked.brand_id:
            if locked.state != State.DRAFT:
                raise Conflict(
                    _("A launched campaign cannot move to another brand."), code="launched"
                )
            if not brand_rules.can_create_campaign_for_brand(actor, brand):
                raise NotAllowed(
                    _("You cannot create campaigns for %(brand)s.") % {"brand": brand.name},
                    field="brand",
                )
        locked.brand = brand
        locked.title = title
        if cover_image is not None:
            delete_file_after_commit(locked.cover_image)
            locked.cover_image = cover_image
        elif remove_cover_image:
            delete_file_after_commit(locked.cover_image)
            locked.cover_image = ""
        locked.save(update_fields=["brand", "title", "cover_image", "updated_at"])
    return locked


def campaign_brief_update(*, campaign: Campaign, actor, brief: str) -> Campaign:
    brief = normalise(brief)
    if not brief:
        raise ApplicationError(
            _("Write the brief: what problem, what kind of ideas."), field="brief"
        )
    with transaction.atomic():
        locked = locked_for_edit(campaign, actor)
        locked.brief, locked.brief_html = brief, render_markdown(brief)
        locked.save(update_fields=["brief", "brief_html", "updated_at"])
    return locked


def invited_line_problem(line: str) -> str | None:
    """Why one line of the invited participants is refused, or None if it is an email
    address or an @domain."""
    entry = line.strip()
    try:
        # "@example.org" is checked as the address "someone@example.org".
        validate_email(f"someone{entry}" if entry.startswith("@") else entry)
    except ValidationError:
        return _("“%(line)s” is neither an email address nor an @domain.") % {"line": entry}
    return None


def campaign_rules_update(
    *,
    campaign: Campaign,
    actor,
    rules: str,
    minimum_account_age_days: int,
    is_invitation_only: bool,
    invited_participants: str,
) -> Campaign:
    rules = normalise(rules)
    lines = [line.strip() for line in normalise(invited_participants).split("\n")]
    lines = [line for line in lines if line]
    for number, line in enumerate(lines, start=1):
        problem = invited_line_problem(line)
        if problem:
            raise ApplicationError(
                _("Line %(number)d: %(problem)s") % {"number": number, "problem": problem},
                field="invited_participants",
            )
    if is_invitation_only and not lines:
        raise ApplicationError(
            _("List who is invited to an invitation-only campaign."),
            field="invited_participants",
        )
    if minimum_account_age_days < 0:
        raise ApplicationError(
            _("The minimum account age cannot be negative."), field="minimum_account_age_days"
        )
    with transaction.atomic():
        locked = locked_for_edit(campaign, actor)
        locked.rules, locked.rules_html = rules, render_markdown(rules)
        locked.minimum_account_age_days = minimum_account_age_days
        locked.is_invitation_only = is_invitation_only
        locked.invited_participants = "\n".join(lines)
        locked.save(
            update_fields=[
                "rules", "rules_html", "minimum_account_age_days", "is_invitation_only",
                "invited_participants", "updated_at",
            ]
        )  # fmt: skip
    return locked


def terms_current(*, campaign: Campaign) -> CampaignTerms | None:
    return campaign.terms.order_by("-version").first()


def campaign_terms_update(
    *, campaign: Campaign, actor, ip_terms: str, confidentiality: str, is_private: bool
) -> tuple[Campaign, CampaignTerms, bool]:
    """Save the privacy setting, and the terms as a NEW version if their text changed
    (versions are never edited: contributors accepted a precise text). Returns the
    campaign, the current terms and whether a version was created."""
    ip_terms, confidentiality = normalise(ip_terms), normalise(confidentiality)
    if not ip_terms:
        raise ApplicationError(
            _("Say who owns the ideas and what the brand may do with them."), field="ip_terms"
        )
    with transaction.atomic():
        locked = locked_for_edit(campaign, actor)
        if locked.is_private != is_private:
            locked.is_private = is_private
            locked.save(update_fields=["is_private", "updated_at"])
        current = terms_current(campaign=locked)
        if (
            current is not None
            and current.ip_terms == ip_terms
            and current.confidentiality == confidentiality
        ):
            return locked, current, False
        # The campaign's row lock serialises versions; the unique constraint backs it.
        last = locked.terms.aggregate(last=Max("version"))["last"] or 0
        terms = CampaignTerms.objects.create(
            campaign=locked,
            version=last + 1,
            ip_terms=ip_terms,
            confidentiality=confidentiality,
            ip_terms_html=render_markdown(ip_terms),
            confidentiality_html=render_markdown(confidentiality),
            created_by=actor,
        )
    return locked, terms, True


def campaign_schedule_update(
    *,
    campaign: Campaign,
    actor,
    submission_opens_at: datetime | None,
    submission_closes_at: datetime | None,
    voting_opens_at: datetime | None,
    voting_closes_at: datetime | None,
    results_at: datetime | None = None,
) -> Campaign:
    """Set the windows. An election whose candidates the brand enters has no submission
    window (whatever is passed). Refused, with the first reason, if inconsistent."""
    with transaction.atomic():
        locked = locked_for_edit(campaign, actor)
        if brand_enters_candidates(locked):
            submission_opens_at = submission_closes_at = None
        elif submission_opens_at is None or submission_closes_at is None:
            raise ApplicationError(
                _("Set when ideas can be submitted."), field="submission_opens_at"
            )
        locked.submission_opens_at = submission_opens_at
        locked.submission_closes_at = submission_closes_at
        locked.voting_opens_at = voting_opens_at
        locked.voting_closes_at = voting_closes_at
        locked.results_at = results_at
        problems = lifecycle.schedule_problems(locked, now=timezone.now())
        if problems:
            field, message = problems[0]
            raise ApplicationError(message, field=field, code="invalid_schedule")
        locked.save(update_fields=[*SCHEDULE_FIELDS, "updated_at"])
    return advance_if_scheduled(locked)


def campaign_moderation_update(*, campaign: Campaign, actor, moderation: str) -> Campaign:
    if moderation not in Campaign.Moderation.values:
        raise ApplicationError(_("Choose pre- or post-moderation."), field="moderation")
    with transaction.atomic():
        locked = locked_for_edit(campaign, actor)
        locked.moderation = moderation
        locked.save(update_fields=["moderation", "updated_at"])
    return locked


@dataclass(frozen=True)
class PrizeRow:
    rank: int
    title: str
    description: str = ""


def campaign_rewards_update(
    *, campaign: Campaign, actor, points: dict[str, int], prizes: list[PrizeRow]
) -> Campaign:
    """Points per action (Campaign.points) and the prizes, replaced as a whole."""
    clean_points = {}
    for reason in POINT_REASONS:
        value = points.get(reason)
        if not isinstance(value, int) or not 0 <= value <= 100_000:
            raise ApplicationError(
                _("Points are a whole number from 0 to 100,000."), field=f"points_{reason}"
            )
        clean_points[reason] = value
    ranks = [prize.rank for prize in prizes]
    if len(set(ranks)) != len(ranks):
        raise ApplicationError(_("Two prizes have the same rank."), field="prizes")
    if any(rank < 1 for rank in ranks) or any(
        not clean_single_line(prize.title) for prize in prizes
    ):
        raise ApplicationError(_("Every prize needs a rank and a title."), field="prizes")
    for prize in prizes:
        check_cleaned_length(
            clean_single_line(prize.title), max_length=PRIZE_TITLE_MAX_LENGTH, field="prizes"
        )
    with transaction.atomic():
        locked = locked_for_edit(campaign, actor)
        locked.points = clean_points
        locked.save(update_fields=["points", "updated_at"])
        locked.prizes.all().delete()
        CampaignPrize.objects.bulk_create(
            CampaignPrize(
                campaign=locked,
                rank=prize.rank,
                title=clean_single_line(prize.title),
                description=normalise(prize.description),
            )
            for prize in sorted(prizes, key=lambda prize: prize.rank)
        )
    return locked
