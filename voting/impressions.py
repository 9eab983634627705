"""Impressions: how often each idea was shown in a list. Counted in Redis by the page
(one pipelined HINCRBY per idea, no database write), folded into the tallies by a worker.
Ranking by votes per impression corrects for exposure: the first ideas posted are seen
most, and should not win for that alone."""

import logging

from django.db import transaction
from django.db.models import F

from core.redis import get_redis, key
from voting.models import IdeaTally

logger = logging.getLogger(__name__)


def impressions_key() -> str:
    return key("impressions")


def impressions_record(*, idea_ids: list[int]) -> None:
    """Count one impression for each idea shown. Best effort: a page never fails for it."""
    if not idea_ids:
        return
    try:
        pipe = get_redis().pipeline(transaction=False)
        for idea_id in idea_ids:
            pipe.hincrby(impressions_key(), idea_id, 1)
        pipe.execute()
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
        for idea_id, added in counts.items():
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
