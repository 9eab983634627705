"""The dashboard's figures, derived by a worker and stored in CampaignStats.

On a million votes counting distinct voters and grouping votes per day takes a second or
two: that is the worker's job (every minute for running campaigns, `campaigns_stats_
refresh_due`), and the dashboard reads one row. The figures are a plain JSON document:

    visitors, visitors_per_day      distinct visitors of the campaign page (insights.visits)
    signups                         accounts created from the campaign's pages
    contributors                    distinct authors of ideas (brand candidates excluded)
    ideas {published, pending, hidden, total}
    votes, voters, vote_unit        per-idea votes, ballots, or pairwise answers
    comments                        published comments on the campaign's ideas
    funnel                          [[step, count], ...]: visitors, signups, voters, contributors
    ideas_per_day, votes_per_day    [[ISO day, count], ...] in the brand's time zone

Series run from the campaign's opening (or its first data) to today or the close, one entry
per day, zeros included, at most MAX_DAYS of them."""

from __future__ import annotations

import contextlib
import logging
from datetime import date, timedelta

import redis
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import User
from campaigns.models import Campaign
from core.redis import get_redis, key
from ideas.models import Comment, Idea
from insights.models import CampaignStats
from insights.visits import campaign_today, campaign_zone, visits_daily
from voting.formats import format_for

logger = logging.getLogger(__name__)

MAX_DAYS = 366
REFRESH_EVERY = timedelta(seconds=60)
# Closed campaigns are still refreshed for a day after their results (late visitors).
RESULTS_GRACE = timedelta(days=1)
RUNNING_STATES = (Campaign.State.SUBMISSION, Campaign.State.VOTING, Campaign.State.REVIEW)
FUNNEL_STEPS = ("visitors", "signups", "voters", "contributors")


def _grouped_by_day(queryset, field: str, zone) -> dict[date, int]:
    rows = (
        queryset.annotate(day=TruncDate(field, tzinfo=zone))
        .values("day")
        .annotate(count=Count("*"))
        .values_list("day", "count")
        .order_by()
    )
    return {day: count for day, count in rows if day is not None}


def _days(campaign: Campaign, *data_days: date) -> list[date]:
    """The days the series cover: from the opening (or first data) to today or the close."""
    zone = campaign_zone(campaign)
    today = campaign_today(campaign)
    opening = [m for m in (campaign.submission_opens_at, campaign.voting_opens_at) if m]
    start = timezone.localtime(min(opening) if opening else campaign.created_at, zone).date()
    start = min([start, *data_days])
    end = today
    closing = campaign.publishes_results_at
    if closing is not None and campaign.state in (Campaign.State.RESULTS, Campaign.State.ARCHIVED):
        end = min(today, timezone.localtime(closing, zone).date())
    end = max([end, *data_days])
    start = max(start, end - timedelta(days=MAX_DAYS - 1))
    return [start + timedelta(days=offset) for offset in range((end - start).days + 1)]


def _votes(campaign: Campaign, zone) -> tuple[dict[date, int], int, str]:
    """Votes per day, distinct voters and the unit, by the campaign's method (as
    campaigns.selectors._campaign_progress counts them): two queries."""
    rows, date_field, unit = format_for(campaign).participation(campaign=campaign)
    voters = rows.values("voter_id").distinct().count()
    return _grouped_by_day(rows, date_field, zone), voters, unit


def campaign_stats_compute(*, campaign: Campaign) -> dict:
    """The figures of `campaign` (see the module docstring), read fresh: about eight
    grouped queries and one Redis round trip, whatever the campaign's size."""
    zone = campaign_zone(campaign)
    ideas = Idea.objects.filter(campaign=campaign)
    idea_counts = ideas.aggregate(
        published=Count("pk", filter=Q(status=Idea.Status.PUBLISHED)),
        pending=Count("pk", filter=Q(status=Idea.Status.PENDING)),
        hidden=Count("pk", filter=Q(status=Idea.Status.HIDDEN)),
        total=Count("pk"),
        contributors=Count("author", distinct=True, filter=Q(is_candidate=False)),
    )
    contributors = idea_counts.pop("contributors")
    ideas_per_day = _grouped_by_day(ideas, "created_at", zone)
    votes_per_day, voters, vote_unit = _votes(campaign, zone)
    comments = Comment.objects.filter(
        idea__campaign=campaign, status=Comment.Status.PUBLISHED
    ).count()
    signups = User.objects.filter(signed_up_via=campaign).count()
    days = _days(campaign, *ideas_per_day, *votes_per_day)
    try:
        visitors_per_day = visits_daily(campaign_id=campaign.pk, days=days)
    except (redis.RedisError, OSError) as error:
        # Keep the last known visitor figures rather than report zero.
        logger.warning("visitor counts unavailable for campaign %s: %s", campaign.pk, error)
        previous = CampaignStats.objects.filter(campaign=campaign).values("figures").first()
        old = dict(
            tuple(row) for row in (previous or {}).get("figures", {}).get("visitors_per_day", [])
        )
        visitors_per_day = {day: old.get(day.isoformat(), 0) for day in days}
    visitors = sum(visitors_per_day.values())

    def series(per_day: dict[date, int]) -> list[list]:
        return [[day.isoformat(), per_day.get(day, 0)] for day in days]

    return {
        "visitors": visitors,
        "visitors_per_day": series(visitors_per_day),
        "signups": signups,
        "contributors": contributors,
        "ideas": idea_counts,
        "votes": sum(votes_per_day.values()),
        "voters": voters,
        "vote_unit": vote_unit,
        "comments": comments,
        "funnel": [
            ["visitors", visitors],
            ["signups", signups],
            ["voters", voters],
            ["contributors", contributors],
        ],
        "ideas_per_day": series(ideas_per_day),
        "votes_per_day": series(votes_per_day),
    }


def campaign_stats_refresh(*, campaign: Campaign) -> CampaignStats:
    """Recompute and store the figures of `campaign`. Idempotent; two runs at once both
    write a correct row (the later one wins)."""
    figures = campaign_stats_compute(campaign=campaign)
    stats, _ = CampaignStats.objects.update_or_create(
        campaign=campaign, defaults={"figures": figures, "computed_at": timezone.now()}
    )
    _queued_clear(campaign.pk)
    return stats


def _queued_key(campaign_id: int) -> str:
    return key("stats-queued", campaign_id)


def _queued_clear(campaign_id: int) -> None:
    with contextlib.suppress(redis.RedisError, OSError):  # else it expires by itself
        get_redis().delete(_queued_key(campaign_id))


def campaign_stats_enqueue(*, campaign_id: int) -> bool:
    """Ask a worker to refresh the campaign's figures, unless a refresh is already queued
    (a Redis key, set for two minutes, says so). Returns whether a task was sent; never
    raises (the dashboard calls it)."""
    from insights import tasks  # imported here: the task module imports this one

    try:
        if not get_redis().set(_queued_key(campaign_id), "1", nx=True, ex=120):
            return False
        tasks.campaign_stats_refresh.delay(campaign_id)
    except Exception as error:  # noqa: BLE001 - a broker outage must not fail the page
        logger.warning("stats refresh not queued for campaign %s: %s", campaign_id, error)
        return False
    return True


def campaigns_stats_due(*, now=None):
    """Running campaigns (and those whose results came out within a day) whose figures
    are missing or older than REFRESH_EVERY."""
    now = now or timezone.now()
    just_closed = Q(state=Campaign.State.RESULTS) & (
        Q(results_at__gte=now - RESULTS_GRACE)
        | Q(results_at__isnull=True, voting_closes_at__gte=now - RESULTS_GRACE)
    )
    return (
        Campaign.objects.filter(Q(state__in=RUNNING_STATES) | just_closed)
        .exclude(stats__computed_at__gte=now - REFRESH_EVERY)
        .order_by("pk")
    )


def campaigns_stats_refresh_due() -> int:
    """The beat's job: queue a refresh for each campaign due (one task each, so that a
    large campaign does not hold up the others). Returns how many were queued."""
    ids = list(campaigns_stats_due().values_list("pk", flat=True))
    return sum(campaign_stats_enqueue(campaign_id=pk) for pk in ids)
