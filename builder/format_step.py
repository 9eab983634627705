"""The builder's format step: a preset's defaults, or the voting method and its options
chosen one by one (see builder/editing.py for the checks every step makes)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from builder.editing import SCHEDULE_FIELDS, advance_if_scheduled, locked_for_edit
from builder.presets import PRESETS, Preset, is_election, preset_settings
from campaigns.models import Campaign, CampaignPrize
from core.errors import ApplicationError
from voting.formats import format_keys, get_format


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
        locked = locked_for_edit(campaign, actor)
        for name, value in preset_settings(chosen).items():
            setattr(locked, name, value)
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
    return advance_if_scheduled(locked)


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
    if voting_method not in format_keys():
        raise ApplicationError(_("Choose a voting method."), field="voting_method")
    if ranked_method not in Campaign.RankedMethod.values:
        raise ApplicationError(_("Choose how ranked ballots are counted."), field="ranked_method")
    problems = get_format(voting_method).settings_problems(
        {"budget_amount": budget_amount, "support_stages": support_stages}
    )
    if problems:
        field, message = problems[0]
        raise ApplicationError(message, field=field)
    candidates_from_brand = candidates_from_brand and is_election(voting_method)
    with transaction.atomic():
        locked = locked_for_edit(campaign, actor)
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
    return advance_if_scheduled(locked)
