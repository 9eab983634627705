"""Visitors of a campaign's page, counted without a cookie.

Each day of each campaign has a Redis HyperLogLog (PFADD / PFCOUNT: about 12 KB whatever
the crowd, 0.81 % standard error). A visitor is a logged-in user's id, else a SHA-256 of
the site's secret, the day, the IP address and the user agent: the same person counts once
a day, nobody can be followed from one day to the next, and no identifier is stored.

Redis only holds what the stats worker copies into CampaignStats while the campaign runs;
the keys expire long after that. Counting is best effort: a Redis outage never fails or
slows the page beyond the connection timeout."""

from __future__ import annotations

import hashlib
import logging
import zoneinfo
from datetime import date, datetime, timedelta

import redis
from django.conf import settings
from django.utils import timezone

from core.redis import get_redis, key

logger = logging.getLogger(__name__)

# Long enough for any campaign's statistics to have been copied by the worker.
KEY_LIFETIME = timedelta(days=400)


def campaign_zone(campaign) -> zoneinfo.ZoneInfo:
    """The brand's time zone (the dashboard's days are the brand's days), else UTC."""
    try:
        return zoneinfo.ZoneInfo(campaign.brand.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def campaign_today(campaign, now: datetime | None = None) -> date:
    return timezone.localtime(now or timezone.now(), campaign_zone(campaign)).date()


def visits_key(*, campaign_id: int, day: date) -> str:
    return key("visits", campaign_id, day.isoformat())


def visitor_id(request, *, day: date) -> str:
    """A logged-in user's id, else an anonymous daily hash (see the module docstring)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u{user.pk}"
    address = request.META.get("REMOTE_ADDR", "")
    agent = request.META.get("HTTP_USER_AGENT", "")[:512]
    material = "\x1f".join([settings.SECRET_KEY, "visit", day.isoformat(), address, agent])
    return "a" + hashlib.sha256(material.encode()).hexdigest()


def visit_record(*, request, campaign) -> None:
    """Count the request's visitor on the campaign's page today. Never raises."""
    try:
        day = campaign_today(campaign)
        name = visits_key(campaign_id=campaign.pk, day=day)
        pipe = get_redis().pipeline(transaction=False)
        pipe.pfadd(name, visitor_id(request, day=day))
        pipe.expire(name, int(KEY_LIFETIME.total_seconds()))
        pipe.execute()
    except (redis.RedisError, OSError) as error:
        logger.warning("visit not counted for campaign %s: %s", campaign.pk, error)


def visits_daily(*, campaign_id: int, days: list[date]) -> dict[date, int]:
    """Distinct visitors per day (PFCOUNT of each day's key), one round trip."""
    if not days:
        return {}
    pipe = get_redis().pipeline(transaction=False)
    for day in days:
        pipe.pfcount(visits_key(campaign_id=campaign_id, day=day))
    return dict(zip(days, (int(count) for count in pipe.execute()), strict=True))
