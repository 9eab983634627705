"""Campaign results by each format's method, live and final, with an audit digest.

The digest is the SHA-256 of the canonical JSON of the anonymised counted votes (see
`audit_entries`): anyone holding the published list can recompute it, and each voter can
find their own entry by the receipt shown to them. `manage.py results_recount` recomputes
a closed campaign and checks both the ranking and the digest.

Only the final result builds that list, once, streamed into numbered compressed chunks
that the API serves (voting/audit_store.py). A live result (recomputed by the workers while
voting is open) asks the format for `live_result`, counted by the database for ballot and
pairwise formats. The workers never wait for one another: a campaign already being
recomputed is marked dirty again and skipped, and a campaign's live recomputes are spaced
by their own duration, so one large election takes a bounded share of the workers."""

import logging
import time
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Campaign
from core.errors import Conflict
from ideas.models import Idea
from voting import aggregate_counts, aggregates, audit_store, dirty, live_spacing
from voting.audit import audit_digest, voter_receipt
from voting.formats import format_for, format_keys
from voting.models import Ballot, CampaignResult, PairwisePrompt
from voting.tally import tally_recompute

logger = logging.getLogger(__name__)

RECONCILE_LOOKBACK = timedelta(seconds=60)
_LOCK_SPACE = 0x5E5  # the advisory-lock class of campaign results

__all__ = ["audit_digest", "voter_receipt"]  # kept importable from here


def audit_entries(*, campaign: Campaign) -> list[dict]:
    """The canonical, anonymised list of what was counted, sorted (by the format)."""
    return format_for(campaign).audit_entries(campaign=campaign)


def _candidates(campaign: Campaign) -> list[int]:
    return list(
        Idea.objects.visible().filter(campaign=campaign).order_by("pk").values_list("pk", flat=True)
    )


def compute_result(*, campaign: Campaign, entries: list[dict]) -> tuple[list[int], dict, int]:
    """(ranking, details, number of ballots or votes counted) by the campaign's format."""
    return format_for(campaign).compute_result(
        campaign=campaign, entries=entries, candidates=_candidates(campaign)
    )


def _lock_campaign(campaign_id: int, *, wait: bool) -> bool:
    """Results of one campaign are computed by one worker at a time (a transaction-level
    advisory lock). With `wait` False, return False at once when another holds it."""
    function = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s, %s)", [_LOCK_SPACE, campaign_id])
        return wait or cursor.fetchone()[0]


def result_compute(
    *, campaign: Campaign, final: bool = False, wait: bool = True
) -> CampaignResult | None:
    """Compute and store the campaign's result (live, or final with its digest). A final
    result is never replaced by a live one. Idempotent.

    With `wait` False (the workers' live recomputes), a campaign another worker is
    computing is marked dirty again and None is returned at once: no worker process blocks
    on the lock with a transaction open."""
    with transaction.atomic():
        if not _lock_campaign(campaign.pk, wait=wait):
            dirty.mark_campaign_dirty(campaign.pk)
            return None
        existing = CampaignResult.objects.filter(campaign=campaign).first()
        if existing and existing.is_final:
            return existing
        voting_format = format_for(campaign)
        candidates = _candidates(campaign)
        if final:
            count = voting_format.final_result(campaign=campaign, candidates=candidates)
        else:
            count = _live_result(campaign, voting_format, candidates)
        ranking, details, counted = count
        voting_format.after_result(campaign=campaign, details=details)
        result, _created = CampaignResult.objects.update_or_create(
            campaign=campaign,
            defaults={
                "method": voting_format.result_method(campaign=campaign),
                "ranking": ranking, "details": details, "ballot_count": counted,
                "digest": "", "is_final": final, "computed_at": timezone.now(),
            },
        )  # fmt: skip
        if final:
            # Written once, streamed: the digest is that of the list's chunks.
            entries = voting_format.audit_stream(campaign=campaign)
            result.digest, _entries = audit_store.audit_chunks_write(result=result, entries=entries)
            result.save(update_fields=["digest"])
            aggregates.aggregate_drop(campaign_id=campaign.pk)  # no live result any more
    return result


def _live_result(campaign: Campaign, voting_format, candidates: list[int]):
    """The live result, from the campaign's incremental aggregate where the format counts
    that way (brought up to date first, built on the first call; voting/aggregates.py).
    Called under the campaign's results lock."""
    if not voting_format.counts_incrementally:
        return voting_format.live_result(campaign=campaign, candidates=candidates)
    aggregates.aggregate_update(campaign_id=campaign.pk, pairwise=voting_format.is_pairwise)
    return voting_format.live_result(
        campaign=campaign, candidates=candidates, source=aggregate_counts
    )


def aggregates_check_due() -> int:
    """Compare each incremental aggregate not checked for a while with a full recount
    (aggregates.aggregate_check logs and repairs a difference); a campaign whose results
    another worker is computing is checked on a later run. How many were checked."""
    checked = 0
    for campaign_id in aggregates.aggregates_due_for_check():
        campaign = Campaign.objects.filter(pk=campaign_id).first()
        if campaign is None:
            continue
        with transaction.atomic():
            if not _lock_campaign(campaign_id, wait=False):
                continue
            pairwise = format_for(campaign).is_pairwise
            aggregates.aggregate_check(campaign_id=campaign_id, pairwise=pairwise)
        checked += 1
    return checked


def result_recount(*, campaign: Campaign) -> tuple[list[int], int, str, int]:
    """(ranking, number counted, digest, number of audit entries) recomputed from the
    stored votes as the final result computes them, the list streamed (bounded memory).
    Writes nothing."""
    voting_format = format_for(campaign)
    ranking, _details, counted = voting_format.final_result(
        campaign=campaign, candidates=_candidates(campaign)
    )
    digest, entries = audit_store.stream_digest(voting_format.audit_stream(campaign=campaign))
    return ranking, counted, digest, entries


class AuditMismatch(Conflict):
    """The votes stored now no longer give the digest published with the result."""

    code = "audit_mismatch"


def audit_chunks_ensure(*, result: CampaignResult) -> bool:
    """Write the chunks of a final result published before they existed, once: under the
    campaign's results lock, never waited for. True when the chunks exist; False when
    another process holds the lock (writing them, or computing the result): ask again
    later. Raises AuditMismatch, writing nothing, when the stored votes no longer give
    the published digest."""
    if audit_store.has_chunks(result_id=result.pk):
        return True
    with transaction.atomic():
        if not _lock_campaign(result.pk, wait=False):
            return False
        if audit_store.has_chunks(result_id=result.pk):
            return True
        campaign = Campaign.objects.get(pk=result.pk)
        entries = format_for(campaign).audit_stream(campaign=campaign)
        digest, _entries = audit_store.audit_chunks_write(result=result, entries=entries)
        if digest != result.digest:
            raise AuditMismatch(_("The stored votes no longer give the published digest."))
    return True


def audit_chunks_build_missing() -> int:
    """Write the chunks of every final result that has none (those published before the
    chunks existed); safe to run twice, and beside the workers. How many were written."""
    missing = CampaignResult.objects.filter(is_final=True).exclude(audit_chunks__number=1)
    written = 0
    for result in missing.order_by("pk"):
        try:
            written += audit_chunks_ensure(result=result)
        except AuditMismatch:
            # Left without chunks (its page answers 409); results_recount tells more.
            logger.error("audit of campaign %s no longer gives its digest", result.pk)
    return written


def results_drain_dirty(*, batch_size: int = 50) -> int:
    """Recompute the live results of campaigns whose ballots or answers changed. A
    campaign recomputed less than its last recompute's duration ago, or being recomputed
    by another worker, stays marked for a later run."""
    done = 0
    for campaign_id in dirty.pop_dirty_campaigns(batch_size):
        if live_spacing.is_resting(campaign_id):
            dirty.mark_campaign_dirty(campaign_id)
            continue
        campaign = Campaign.objects.filter(pk=campaign_id).first()
        if campaign is None:
            continue
        started = time.monotonic()
        try:
            computed = result_compute(campaign=campaign, wait=False)
        except Exception:
            dirty.mark_campaign_dirty(campaign_id)
            raise
        if computed is not None:
            live_spacing.rest(campaign_id, seconds=time.monotonic() - started)
            done += 1
    return done


def results_reconcile() -> int:
    """Live results that may have missed a change are recomputed, so a lost dirty mark
    costs freshness only (as for tallies): a campaign with no result and a ballot or
    answer, or one not marked dirty whose result is older than the look-back while a
    ballot or answer is newer than the result minus the look-back (a change committed
    around the recompute may not have been seen). While voting goes on and the marks
    work, the drain keeps each result younger than the look-back: nothing is recomputed
    twice (comparing with the newest ballot alone was always true while votes arrive)."""
    stale = []
    # Formats whose result is computed for the whole campaign (per-idea formats are
    # reconciled by their tallies).
    methods = format_keys(lambda voting_format: not voting_format.votes_per_idea)
    now = timezone.now()
    marked = live_spacing.marked_campaigns()
    recent = now - timedelta(days=1)
    for campaign in Campaign.objects.filter(voting_method__in=methods, voting_closes_at__gt=recent):
        result = CampaignResult.objects.filter(campaign=campaign).first()
        if result is not None and (
            result.is_final
            or result.computed_at > now - RECONCILE_LOOKBACK
            or campaign.pk in marked  # the drain will recompute it
        ):
            continue
        newest = max(
            filter(None, [
                Ballot.objects.filter(campaign=campaign).aggregate(at=Max("updated_at"))["at"],
                PairwisePrompt.objects.filter(campaign=campaign).aggregate(
                    at=Max("answered_at"))["at"],
            ]),
            default=None,
        )  # fmt: skip
        if newest is None:
            continue
        if result is None or newest > result.computed_at - RECONCILE_LOOKBACK:
            stale.append(campaign)
    recomputed = 0
    for campaign in stale:
        if result_compute(campaign=campaign, wait=False) is not None:
            recomputed += 1
    aggregates_check_due()
    return recomputed


def results_finalize_due() -> int:
    """Compute the final result of every published campaign whose voting has closed and
    that has none yet (beat, every minute; safe to run twice)."""
    due = (
        Campaign.objects.published()
        .filter(voting_closes_at__lte=timezone.now())
        .exclude(result__is_final=True)
    )
    count = 0
    for campaign in due:
        results_finalize_campaign(campaign=campaign)
        count += 1
    return count


def results_finalize_campaign(*, campaign: Campaign) -> CampaignResult:
    """The final result of a campaign whose voting has closed, computed once from fresh
    tallies (the brand reviews it; it is published at the results date, when the
    lifecycle tells the participants). Idempotent."""
    existing = CampaignResult.objects.filter(campaign=campaign, is_final=True).first()
    if existing:
        return existing
    # Counts must be fresh before ranking.
    ids = list(Idea.objects.filter(campaign=campaign).values_list("pk", flat=True))
    for start in range(0, len(ids), 500):
        tally_recompute(idea_ids=ids[start : start + 500])
    return result_compute(campaign=campaign, final=True)


def participation_counts(*, campaign: Campaign) -> dict[str, int]:
    return {
        "ideas": Idea.objects.visible().filter(campaign=campaign).count(),
        "ballots": Ballot.objects.filter(campaign=campaign)
        .annotate(n=Count("choices"))
        .filter(n__gt=0)
        .count(),
    }
