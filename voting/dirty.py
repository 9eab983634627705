"""The Redis sorted set of ideas whose tally is stale, scored by when each was first marked.

It only speeds things up: if it is lost, the reconciliation task finds the same ideas from
the vote rows. The score (a timestamp) lets the drain measure the tally lag: the time from
a committed vote to the recount that includes it."""

import logging
import time

from core.redis import get_redis, key

logger = logging.getLogger(__name__)
LAG_SAMPLES = 1000


def dirty_key() -> str:
    return key("tally", "dirty")


def lag_key() -> str:
    return key("tally", "lag")


def mark_dirty(*idea_ids: int, marked_at: float | None = None) -> None:
    """Add ideas to the set. NX keeps an idea's first mark time, so its lag counts from the
    oldest vote not yet tallied."""
    if not idea_ids:
        return
    when = marked_at or time.time()
    try:
        get_redis().zadd(dirty_key(), dict.fromkeys(idea_ids, when), nx=True)
    except Exception:  # Redis down: the vote is safe in PostgreSQL, reconciliation catches up
        logger.warning("could not mark ideas %s dirty; reconciliation will", idea_ids)


def pop_dirty(count: int) -> list[tuple[int, float]]:
    """Take up to `count` ideas, oldest mark first: [(idea_id, marked_at), ...]."""
    return [(int(member), score) for member, score in get_redis().zpopmin(dirty_key(), count)]


def dirty_ids() -> set[int]:
    return {int(member) for member in get_redis().zrange(dirty_key(), 0, -1)}


def dirty_count() -> int:
    return get_redis().zcard(dirty_key())


def oldest_dirty_age() -> float | None:
    """Seconds since the oldest idea still waiting was marked, or None if none waits."""
    oldest = get_redis().zrange(dirty_key(), 0, 0, withscores=True)
    return round(time.time() - oldest[0][1], 3) if oldest else None


def record_lags(lags: list[float]) -> None:
    if lags:
        pipe = get_redis().pipeline()
        pipe.lpush(lag_key(), *[f"{lag:.4f}" for lag in lags])
        pipe.ltrim(lag_key(), 0, LAG_SAMPLES - 1)
        pipe.execute()


def recent_lags() -> list[float]:
    """The last LAG_SAMPLES measured lags, in seconds."""
    return [float(value) for value in get_redis().lrange(lag_key(), 0, -1)]


def campaigns_dirty_key() -> str:
    return key("results", "dirty")


def mark_campaign_dirty(*campaign_ids: int) -> None:
    """Ballot and pairwise campaigns: their live result is stale."""
    if not campaign_ids:
        return
    try:
        get_redis().sadd(campaigns_dirty_key(), *campaign_ids)
    except Exception:  # the ballot is safe in PostgreSQL; reconciliation catches up
        logger.warning("could not mark campaigns %s dirty; reconciliation will", campaign_ids)


def pop_dirty_campaigns(count: int) -> list[int]:
    return [int(member) for member in get_redis().spop(campaigns_dirty_key(), count) or []]
