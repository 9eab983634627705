"""How often one campaign's live result may be recomputed: after a recompute that took d
seconds, the campaign rests d seconds (a Redis key that expires), so one large election
takes at most about half of a worker's time, whatever the results interval, and the tally
drain and the heartbeat keep their turn.

Only an optimisation, like the dirty marks: with Redis unavailable nothing rests, and the
reconciliation task still finds what a lost mark missed."""

import logging

from core.redis import get_redis, key
from voting import dirty

logger = logging.getLogger(__name__)


def _resting_key(campaign_id: int) -> str:
    return key("results", "resting", str(campaign_id))


def rest(campaign_id: int, *, seconds: float) -> None:
    """The campaign's next live recompute waits `seconds` (its last one's duration)."""
    milliseconds = int(seconds * 1000)
    if milliseconds <= 0:
        return
    try:
        get_redis().set(_resting_key(campaign_id), 1, px=milliseconds)
    except Exception:  # Redis down: the campaign simply does not rest
        logger.warning("could not space campaign %s's live results", campaign_id)


def is_resting(campaign_id: int) -> bool:
    try:
        return bool(get_redis().exists(_resting_key(campaign_id)))
    except Exception:  # Redis down: recompute (the dirty mark could not be read either)
        return False


def marked_campaigns() -> set[int]:
    """Campaigns marked dirty (the drain will recompute them); empty if Redis is down."""
    try:
        members = get_redis().smembers(dirty.campaigns_dirty_key())
    except Exception:  # Redis down: the reconciliation then checks every campaign
        logger.warning("could not read the dirty campaigns; reconciling them all")
        return set()
    return {int(member) for member in members}
