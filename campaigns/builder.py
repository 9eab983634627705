"""The step-by-step campaign builder's writes (and the few reads it needs).

Every write checks `can_edit_campaign` (or `can_create_campaign_for_brand` for a new
draft), then takes the campaign's row lock and re-checks that the campaign is still a
draft or a scheduled campaign that has not opened yet: a campaign that opened meanwhile is
changed only by the schedule actions (campaigns/lifecycle.py). Launching is
`lifecycle.campaign_launch`, which re-checks everything.

Forms validate what a person typed; these functions re-check what matters (they are also
the API's and the tests' door) and raise ApplicationError with the field to blame."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns import lifecycle
from campaigns import rules as campaign_rules
from campaigns.models import Brand, Campaign, CampaignPrize, CampaignTerms
from campaigns.presets import PRESETS, Preset, brand_enters_candidates, is_election
from core.errors import ApplicationError, Conflict, NotAllowed
from core.markdown import render_markdown
from core.text import check_cleaned_length, clean_single_line
from ideas.models import Idea
from voting.models import BallotChoice, IdeaTally, PairwisePrompt

State = Campaign.State
POINT_REASONS = ("idea_published", "idea_first_vote", "comment_posted")
# What the database stores at most (checked again after cleaning: core.text).
CAMPAIGN_TITLE_MAX_LENGTH = Campaign._meta.get_field("title").max_length
CANDIDATE_TITLE_MAX_LENGTH = Idea._meta.get_field("title").max_length
PRIZE_TITLE_MAX_LENGTH = CampaignPrize._meta.get_field("title").max_length
EDITABLE_STATES = (State.DRAFT, State.SCHEDULED)
SCHEDULE_FIELDS = (
    "submission_opens_at",
    "submission_closes_at",
    "voting_opens_at",
    "voting_closes_at",
    "results_at",
)


# -- helpers -------------------------------------------------------------------------------


def brand_zone(brand: Brand) -> ZoneInfo:
    """The brand's time zone (schedules are entered and shown in it); UTC if unknown."""
    try:
        return ZoneInfo(brand.time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _normalise(text: str) -> str:
    """Browsers send textareas with CRLF line ends; store LF, without outer blanks."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _locked_for_edit(campaign: Campaign, actor) -> Campaign:
    """The campaign's row, locked, if `actor` may still change it (caller is atomic)."""
    if not campaign_rules.can_edit_campaign(actor, campaign):
        raise NotAllowed(_("Only the brand's owners and managers can edit this campaign."))
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if locked.state not in EDITABLE_STATES or (
        locked.state == State.SCHEDULED and lifecycle.due_state(locked) != State.SCHEDULED
    ):
        raise Conflict(
            _("This campaign has opened: only its schedule can change now."), code="opened"
        )
    return locked


def _unique_slug(title: str) -> str:
    base = slugify(title)[:160] or "campaign"
    if not Campaign.objects.filter(slug=base).exists():
        return base
    return f"{base}-{get_random_string(6).lower()}"


def _delete_file_after_commit(field_file) -> None:
    if field_file and field_file.name:
        storage, name = field_file.storage, field_file.name
        transaction.on_commit(lambda: storage.delete(name))


def _advance_if_scheduled(campaign: Campaign) -> Campaign:
    """A scheduled campaign whose new dates are already due moves on at once."""
    if campaign.state == State.SCHEDULED:
        return lifecycle.campaign_advance(campaign_id=campaign.pk)
    return campaign


# -- step 1: basics (and the draft itself) --------------------------------------------------


def draft_create(
    *, actor, brand: Brand, title: str, cover_image: UploadedFile | None = None
) -> Campaign:
    """A new draft for `brand` (not public, no schedule yet)."""
    if not campaign_rules.can_create_campaign_for_brand(actor, brand):
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
        locked = _locked_for_edit(campaign, actor)
        if brand.pk != locked.brand_id:
            if locked.state != State.DRAFT:
                raise Conflict(
                    _("A launched campaign cannot move to another brand."), code="launched"
                )
            if not campaign_rules.can_create_campaign_for_brand(actor, brand):
                raise NotAllowed(
                    _("You cannot create campaigns for %(brand)s.") % {"brand": brand.name},
                    field="brand",
                )
        locked.brand = brand
        locked.title = title
        if cover_image is not None:
            _delete_file_after_commit(locked.cover_image)
            locked.cover_image = cover_image
        elif remove_cover_image:
            _delete_file_after_commit(locked.cover_image)
            locked.cover_image = ""
        locked.save(update_fields=["brand", "title", "cover_image", "updated_at"])
    return locked


# -- steps 2 and 3: brief, rules and eligibility --------------------------------------------


def campaign_brief_update(*, campaign: Campaign, actor, brief: str) -> Campaign:
    brief = _normalise(brief)
    if not brief:
        raise ApplicationError(
            _("Write the brief: what problem, what kind of ideas."), field="brief"
        )
    with transaction.atomic():
        locked = _locked_for_edit(campaign, actor)
        locked.brief, locked.brief_html = brief, render_markdown(brief)
        locked.save(update_fields=["brief", "brief_html", "updated_at"])
    return locked


def invited_line_problem(line: str) -> str | None:
    """Why one line of the invited participants is refused, or None if it is an email
    address or an @domain."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

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
    rules = _normalise(rules)
    lines = [line.strip() for line in _normalise(invited_participants).split("\n")]
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
        locked = _locked_for_edit(campaign, actor)
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


# -- step 4: terms -------------------------------------------------------------------------


def terms_current(*, campaign: Campaign) -> CampaignTerms | None:
    return campaign.terms.order_by("-version").first()


def campaign_terms_update(
    *, campaign: Campaign, actor, ip_terms: str, confidentiality: str, is_private: bool
) -> tuple[Campaign, CampaignTerms, bool]:
    """Save the privacy setting, and the terms as a NEW version if their text changed
    (versions are never edited: contributors accepted a precise text). Returns the
    campaign, the current terms and whether a version was created."""
    ip_terms, confidentiality = _normalise(ip_terms), _normalise(confidentiality)
    if not ip_terms:
        raise ApplicationError(
            _("Say who owns the ideas and what the brand may do with them."), field="ip_terms"
        )
    with transaction.atomic():
        locked = _locked_for_edit(campaign, actor)
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


# -- step 5: schedule ----------------------------------------------------------------------


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
        locked = _locked_for_edit(campaign, actor)
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
    return _advance_if_scheduled(locked)


def _start_of_next_hour(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def _fill_default_windows(campaign: Campaign, preset: Preset, now: datetime) -> None:
    """Window lengths from the preset, only where the schedule is empty."""
    window = preset.window
    brand_candidates = window.submission_days is None
    if campaign.voting_opens_at is None and campaign.voting_closes_at is None:
        start = _start_of_next_hour(now)
        if not brand_candidates and campaign.submission_opens_at is not None:
            start = campaign.submission_opens_at
        campaign.voting_opens_at = start + timedelta(days=window.voting_starts_after_days)
        campaign.voting_closes_at = campaign.voting_opens_at + timedelta(days=window.voting_days)
        if window.results_after_days is not None and campaign.results_at is None:
            campaign.results_at = campaign.voting_closes_at + timedelta(
                days=window.results_after_days
            )
        if not brand_candidates and campaign.submission_opens_at is None:
            campaign.submission_opens_at = start
            campaign.submission_closes_at = start + timedelta(days=window.submission_days)
    if brand_candidates:
        campaign.submission_opens_at = campaign.submission_closes_at = None
    elif campaign.submission_opens_at is None or campaign.submission_closes_at is None:
        # Was an election with the brand's candidates: ideas while the vote runs.
        campaign.submission_opens_at = campaign.voting_opens_at
        campaign.submission_closes_at = campaign.voting_closes_at
    if campaign.results_at is not None and campaign.results_at < campaign.voting_closes_at:
        campaign.results_at = campaign.voting_closes_at


# -- step 6: format ------------------------------------------------------------------------


def campaign_preset_apply(
    *, campaign: Campaign, actor, preset: str, now: datetime | None = None
) -> Campaign:
    """Fill the format's defaults from a preset (campaigns/presets.py): voting method and
    options, moderation, points, default prizes (if none yet), and window lengths where
    the schedule is empty. Everything stays editable."""
    chosen = PRESETS.get(preset)
    if chosen is None:
        raise ApplicationError(_("Choose one of the formats."), field="preset")
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked_for_edit(campaign, actor)
        locked.voting_method = chosen.voting_method
        locked.ranked_method = chosen.ranked_method
        locked.max_votes_per_voter = chosen.max_votes_per_voter
        locked.budget_amount = chosen.budget_amount
        locked.support_stages = [list(stage) for stage in chosen.support_stages]
        locked.results_embargo = chosen.results_embargo
        locked.moderation = chosen.moderation
        locked.points = dict(chosen.points)
        _fill_default_windows(locked, chosen, now)
        locked.save(
            update_fields=[
                "voting_method", "ranked_method", "max_votes_per_voter", "budget_amount",
                "support_stages", "results_embargo", "moderation", "points",
                *SCHEDULE_FIELDS, "updated_at",
            ]
        )  # fmt: skip
        if chosen.prizes and not locked.prizes.exists():
            CampaignPrize.objects.bulk_create(
                CampaignPrize(campaign=locked, rank=rank, title=str(title))
                for rank, title in chosen.prizes
            )
    return _advance_if_scheduled(locked)


def support_stages_problem(stages) -> str | None:
    if not stages:
        return _("A supporter-threshold campaign needs stages.")
    previous = 0
    for stage in stages:
        if not isinstance(stage, (list, tuple)) or len(stage) != 2 or not stage[1]:
            return _("Every supporter threshold needs a deadline (days to reach it).")
        supporters, days = stage
        if supporters <= 0 or days <= 0:
            return _("Supporters and days must be positive.")
        if supporters <= previous:
            return _("Each stage needs more supporters than the last.")
        previous = supporters
    return None


def campaign_format_update(
    *,
    campaign: Campaign,
    actor,
    voting_method: str,
    ranked_method: str,
    max_votes_per_voter: int | None,
    budget_amount: int | None,
    support_stages: list[list[int]],
    results_embargo: bool,
    candidates_from_brand: bool,
) -> Campaign:
    """The voting format and its options. For an election, `candidates_from_brand`
    removes the submission window (the brand enters the candidates); the other way round,
    ideas are taken while the vote runs until the brand edits the schedule."""
    if voting_method not in Campaign.VotingMethod.values:
        raise ApplicationError(_("Choose a voting method."), field="voting_method")
    if ranked_method not in Campaign.RankedMethod.values:
        raise ApplicationError(_("Choose how ranked ballots are counted."), field="ranked_method")
    if voting_method == Campaign.VotingMethod.BUDGET and not budget_amount:
        raise ApplicationError(_("A budget campaign needs a budget."), field="budget_amount")
    if voting_method == Campaign.VotingMethod.SUPPORT:
        problem = support_stages_problem(support_stages)
        if problem:
            raise ApplicationError(problem, field="support_stages")
    candidates_from_brand = candidates_from_brand and is_election(voting_method)
    with transaction.atomic():
        locked = _locked_for_edit(campaign, actor)
        locked.voting_method = voting_method
        locked.ranked_method = ranked_method
        locked.max_votes_per_voter = max_votes_per_voter
        locked.budget_amount = budget_amount
        locked.support_stages = [list(stage) for stage in support_stages]
        locked.results_embargo = results_embargo
        if candidates_from_brand:
            locked.submission_opens_at = locked.submission_closes_at = None
        elif not locked.accepts_ideas:
            if locked.voting_opens_at is not None and locked.voting_closes_at is not None:
                locked.submission_opens_at = locked.voting_opens_at
                locked.submission_closes_at = locked.voting_closes_at
            else:
                _fill_default_windows(locked, PRESETS["idea_challenge"], timezone.now())
        locked.save(
            update_fields=[
                "voting_method", "ranked_method", "max_votes_per_voter", "budget_amount",
                "support_stages", "results_embargo", *SCHEDULE_FIELDS, "updated_at",
            ]
        )  # fmt: skip
    return _advance_if_scheduled(locked)


# -- step 7: candidates --------------------------------------------------------------------


def _candidate_hash(title: str, body: str) -> str:
    return hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()


def candidate_add(
    *, campaign: Campaign, actor, title: str, description: str, image: UploadedFile | None = None
) -> Idea:
    """A candidate of an election whose candidates the brand enters: a published idea
    by the manager, with its (empty) tally row like every idea."""
    title, description = clean_single_line(title), _normalise(description)
    if not title:
        raise ApplicationError(_("Give the candidate a name."), field="title")
    check_cleaned_length(title, max_length=CANDIDATE_TITLE_MAX_LENGTH, field="title")
    with transaction.atomic():
        locked = _locked_for_edit(campaign, actor)
        if not brand_enters_candidates(locked):
            raise Conflict(
                _("Only an election without crowd submissions takes candidates."),
                code="not_an_election",
            )
        idea = Idea.objects.create(
            campaign=locked,
            author=actor,
            title=title,
            body=description,
            body_html=render_markdown(description),
            content_hash=_candidate_hash(title, description),
            status=Idea.Status.PUBLISHED,
            is_candidate=True,
            image=image or "",
        )
        IdeaTally.objects.create(idea=idea, campaign_id=locked.pk)
    return idea


def _locked_candidate(campaign: Campaign, actor, idea_id: int) -> tuple[Campaign, Idea]:
    locked = _locked_for_edit(campaign, actor)
    idea = Idea.objects.filter(campaign=locked, pk=idea_id, is_candidate=True).first()
    if idea is None:
        raise ApplicationError(_("No such candidate."), code="not_found")
    return locked, idea


def candidate_update(
    *,
    campaign: Campaign,
    actor,
    idea_id: int,
    title: str,
    description: str,
    image: UploadedFile | None = None,
    remove_image: bool = False,
) -> Idea:
    title, description = clean_single_line(title), _normalise(description)
    if not title:
        raise ApplicationError(_("Give the candidate a name."), field="title")
    check_cleaned_length(title, max_length=CANDIDATE_TITLE_MAX_LENGTH, field="title")
    with transaction.atomic():
        _locked, idea = _locked_candidate(campaign, actor, idea_id)
        idea.title, idea.body = title, description
        idea.body_html = render_markdown(description)
        idea.content_hash = _candidate_hash(title, description)
        if image is not None:
            _delete_file_after_commit(idea.image)
            idea.image = image
        elif remove_image:
            _delete_file_after_commit(idea.image)
            idea.image = ""
        idea.save(
            update_fields=["title", "body", "body_html", "content_hash", "image", "updated_at"]
        )
    return idea


def candidate_remove(*, campaign: Campaign, actor, idea_id: int) -> None:
    with transaction.atomic():
        locked, idea = _locked_candidate(campaign, actor, idea_id)
        if locked.state != State.DRAFT and (
            Idea.objects.filter(campaign=locked, is_candidate=True).count() <= 2
        ):
            raise Conflict(_("A launched election keeps at least two candidates."), code="too_few")
        # A ballot or a comparison names this candidate: deleting it would rewrite other
        # people's votes (the database refuses it too: PROTECT).
        if (
            BallotChoice.objects.filter(idea=idea).exists()
            or PairwisePrompt.objects.filter(left=idea).exists()
            or PairwisePrompt.objects.filter(right=idea).exists()
            or idea.votes.exists()
        ):
            raise Conflict(
                _("Voters have already chosen this candidate: it can no longer be removed."),
                code="candidate_has_votes",
            )
        _delete_file_after_commit(idea.image)
        idea.delete()


# -- steps 8 and 9: moderation, rewards ----------------------------------------------------


def campaign_moderation_update(*, campaign: Campaign, actor, moderation: str) -> Campaign:
    if moderation not in Campaign.Moderation.values:
        raise ApplicationError(_("Choose pre- or post-moderation."), field="moderation")
    with transaction.atomic():
        locked = _locked_for_edit(campaign, actor)
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
        locked = _locked_for_edit(campaign, actor)
        locked.points = clean_points
        locked.save(update_fields=["points", "updated_at"])
        locked.prizes.all().delete()
        CampaignPrize.objects.bulk_create(
            CampaignPrize(
                campaign=locked,
                rank=prize.rank,
                title=clean_single_line(prize.title),
                description=_normalise(prize.description),
            )
            for prize in sorted(prizes, key=lambda prize: prize.rank)
        )
    return locked


# -- reads ---------------------------------------------------------------------------------


def brands_for_builder(*, user) -> QuerySet[Brand]:
    """Brands the user may create campaigns for (owner or manager)."""
    if not user.is_authenticated:
        return Brand.objects.none()
    return Brand.objects.filter(
        memberships__user=user, memberships__role__in=campaign_rules.RUNS_CAMPAIGNS
    ).order_by("name", "id")


def builder_drafts(*, user) -> QuerySet[Campaign]:
    """The drafts and scheduled campaigns of the brands the user runs: one query."""
    if not user.is_authenticated:
        return Campaign.objects.none()
    return (
        Campaign.objects.filter(
            state__in=EDITABLE_STATES,
            brand__memberships__user=user,
            brand__memberships__role__in=campaign_rules.RUNS_CAMPAIGNS,
        )
        .select_related("brand")
        .order_by("-updated_at", "-id")
    )


@dataclass(frozen=True)
class Step:
    key: str
    label: str


STEPS = [
    Step("basics", gettext_lazy("Basics")),
    Step("brief", gettext_lazy("Brief")),
    Step("rules", gettext_lazy("Rules & eligibility")),
    Step("terms", gettext_lazy("Terms")),
    Step("schedule", gettext_lazy("Schedule")),
    Step("format", gettext_lazy("Format")),
    Step("candidates", gettext_lazy("Candidates")),
    Step("moderation", gettext_lazy("Moderation")),
    Step("rewards", gettext_lazy("Rewards")),
    Step("preview", gettext_lazy("Preview & launch")),
]
STEP_KEYS = [step.key for step in STEPS]

# Which step fixes each of lifecycle.launch_problems' fields.
PROBLEM_STEPS = {
    "title": "basics",
    "brief": "brief",
    "invited_participants": "rules",
    "terms": "terms",
    "submission_opens_at": "schedule",
    "submission_closes_at": "schedule",
    "voting_opens_at": "schedule",
    "voting_closes_at": "schedule",
    "results_at": "schedule",
    "budget_amount": "format",
    "support_stages": "format",
    "candidates": "candidates",
}


def step_applies(campaign: Campaign | None, key: str) -> bool:
    """The candidates step exists only for elections whose candidates the brand enters."""
    if key == "candidates":
        return campaign is not None and brand_enters_candidates(campaign)
    return True


def problem_step(campaign: Campaign, field: str) -> str:
    step = PROBLEM_STEPS.get(field, "basics")
    if step == "candidates" and not step_applies(campaign, "candidates"):
        return "schedule"  # no submission window and not an election: fix the dates
    return step


@dataclass(frozen=True)
class StepStatus:
    key: str
    label: str
    number: int
    applies: bool
    is_complete: bool


def builder_status(campaign: Campaign | None) -> tuple[list[StepStatus], list[tuple]]:
    """Each step with whether it applies and is complete, and the launch problems as
    (step, field, message). Two or three queries (terms, candidates)."""
    if campaign is None:
        steps = [
            StepStatus(step.key, step.label, number, step_applies(None, step.key), False)
            for number, step in enumerate(STEPS, start=1)
        ]
        return steps, []
    problems = [
        (problem_step(campaign, field), field, message)
        for field, message in lifecycle.launch_problems(campaign)
    ]
    if campaign.state != State.DRAFT:
        problems = []  # launched: what launch would refuse no longer matters here
    troubled = {step for step, _field, _message in problems}
    complete = {
        "basics": bool(campaign.title.strip()),
        "brief": bool(campaign.brief.strip()),
        "rules": bool(campaign.rules.strip()),
        "terms": campaign.state != State.DRAFT or "terms" not in troubled,
        "schedule": campaign.voting_closes_at is not None,
        "format": True,
        "candidates": True,
        "moderation": True,
        "rewards": True,
        "preview": campaign.state != State.DRAFT,
    }
    steps = [
        StepStatus(
            step.key,
            step.label,
            number,
            step_applies(campaign, step.key),
            complete[step.key] and step.key not in troubled,
        )
        for number, step in enumerate(STEPS, start=1)
    ]
    return steps, problems


def next_step(campaign: Campaign, key: str) -> str:
    """The step after `key` that applies to this campaign."""
    index = STEP_KEYS.index(key)
    for following in STEP_KEYS[index + 1 :]:
        if step_applies(campaign, following):
            return following
    return STEP_KEYS[-1]
