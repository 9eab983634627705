"""The Redis set of ideas whose tally is stale. It only speeds things up: if it is lost,
the reconciliation task finds the same ideas from the vote rows."""

import logging

from core.redis import get_redis, key

logger = logging.getLogger(__name__)


def dirty_key() -> str:
    return key("tally", "dirty")


def mark_dirty(*idea_ids: int) -> None:
    if not idea_ids:
        return
    try:
        get_redis().sadd(dirty_key(), *idea_ids)
    except Exception:  # Redis down: the vote is safe in PostgreSQL, reconciliation catches up
        logger.warning("could not mark ideas %s dirty; reconciliation will", idea_ids)


def pop_dirty(count: int) -> list[int]:
    return [int(member) for member in get_redis().spop(dirty_key(), count) or []]


def dirty_count() -> int:
    return get_redis().scard(dirty_key())
