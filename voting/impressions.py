"""Impressions: how often each idea was shown in a list. Counted in Redis by the page
(one HINCRBY per idea, all in one script call; no database write), folded into the
tallies by a worker. Ranking by votes per impression corrects for exposure: the first
ideas posted are seen most, and should not win for that alone."""

import logging
from functools import cache

from django.db import transaction
from django.db.models import F

from core.redis import get_redis, key
from voting.models import IdeaTally

logger = logging.getLogger(__name__)


def impressions_key() -> str:
    return key("impressions")


# One command for a page's ideas: fifty HINCRBY in a pipeline cost the page more to pack
# and parse than the rest of its Redis work.
_COUNT_EACH = """for _, field in ipairs(ARGV) do redis.call("HINCRBY", KEYS[1], field, 1) end"""


@cache
def _count_each():
    return get_redis().register_script(_COUNT_EACH)


def impressions_record(*, idea_ids: list[int]) -> None:
    """Count one impression for each idea shown. Best effort: a page never fails for it."""
    if not idea_ids:
        return
    try:
        _count_each()(keys=[impressions_key()], args=idea_ids)
    except Exception:  # Redis down: the page still renders; some impressions are lost
        logger.warning("could not record impressions")


def exposure_score(*, upvotes: int, impressions: int) -> float:
    """Votes per impression, smoothed (one virtual vote in ten virtual impressions) so
    that an idea seen twice and liked once does not top the list."""
    return (upvotes + 1) / (impressions + 10)


def impressions_flush() -> int:
    """Move the counted impressions into the tallies and refresh their exposure score.
    The hash is renamed first, so impressions counted meanwhile go to a fresh hash; the
    renamed one is deleted after the commit. A worker dying between the commit and that
    delete would count one batch twice: impressions are a ranking signal, not a ledger."""
    redis = get_redis()
    flushing = key("impressions", "flushing")
    if not redis.exists(flushing):
        try:
            redis.rename(impressions_key(), flushing)
        except Exception:  # nothing to flush (the hash does not exist)
            return 0
    counts = {int(k): int(v) for k, v in redis.hgetall(flushing).items()}
    with transaction.atomic():
        # Lock the tallies in idea order, as the tally drain and the reconciliation do:
        # taken in the hash's order, the locks crossed theirs ("deadlock detected").
        locked = IdeaTally.objects.select_for_update().filter(idea_id__in=counts)
        list(locked.order_by("idea_id").values_list("idea_id", flat=True))
        for idea_id, added in sorted(counts.items()):
            IdeaTally.objects.filter(idea_id=idea_id).update(impressions=F("impressions") + added)
        tallies = list(
            IdeaTally.objects.filter(idea_id__in=counts).only("idea_id", "upvotes", "impressions")
        )
        for tally in tallies:
            tally.exposure_score = exposure_score(
                upvotes=tally.upvotes, impressions=tally.impressions
            )
        IdeaTally.objects.bulk_update(tallies, ["exposure_score"])
        transaction.on_commit(lambda: redis.delete(flushing))
    return len(counts)
