"""Campaign results by each format's method, live and final, with an audit digest.

The digest is the SHA-256 of the canonical JSON of the anonymised counted votes (see
`audit_entries`): anyone holding the published list can recompute it, and each voter can
find their own entry by the receipt shown to them. `manage.py results_recount` recomputes
a closed campaign and checks both the ranking and the digest."""

from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone

from campaigns.models import Campaign
from ideas.models import Idea
from voting import dirty
from voting.audit import audit_digest, voter_receipt
from voting.formats import format_for, format_keys
from voting.models import Ballot, CampaignResult, PairwisePrompt
from voting.tally import tally_recompute

RECONCILE_LOOKBACK = timedelta(seconds=60)

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


def _lock_campaign(campaign_id: int) -> None:
    """Results of one campaign are computed by one worker at a time."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [0x5E5, campaign_id])


def result_compute(*, campaign: Campaign, final: bool = False) -> CampaignResult:
    """Compute and store the campaign's result (live, or final with its digest). A final
    result is never replaced by a live one. Idempotent."""
    with transaction.atomic():
        _lock_campaign(campaign.pk)
        existing = CampaignResult.objects.filter(campaign=campaign).first()
        if existing and existing.is_final:
            return existing
        voting_format = format_for(campaign)
        entries = voting_format.audit_entries(campaign=campaign)
        ranking, details, counted = compute_result(campaign=campaign, entries=entries)
        voting_format.after_result(campaign=campaign, details=details)
        result, _created = CampaignResult.objects.update_or_create(
            campaign=campaign,
            defaults={
                "method": voting_format.result_method(campaign=campaign),
                "ranking": ranking, "details": details, "ballot_count": counted,
                "digest": audit_digest(entries) if final else "",
                "is_final": final, "computed_at": timezone.now(),
            },
        )  # fmt: skip
    return result


def results_drain_dirty(*, batch_size: int = 50) -> int:
    """Recompute the live results of campaigns whose ballots or answers changed."""
    done = 0
    for campaign_id in dirty.pop_dirty_campaigns(batch_size):
        campaign = Campaign.objects.filter(pk=campaign_id).first()
        if campaign is None:
            continue
        try:
            result_compute(campaign=campaign)
        except Exception:
            dirty.mark_campaign_dirty(campaign_id)
            raise
        done += 1
    return done


def results_reconcile() -> int:
    """Live results older than their newest ballot or answer (within a look-back, as for
    tallies) are recomputed, so a lost dirty mark costs freshness only."""
    stale = []
    # Formats whose result is computed for the whole campaign (per-idea formats are
    # reconciled by their tallies).
    methods = format_keys(lambda voting_format: not voting_format.votes_per_idea)
    recent = timezone.now() - timedelta(days=1)
    for campaign in Campaign.objects.filter(voting_method__in=methods, voting_closes_at__gt=recent):
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
        result = CampaignResult.objects.filter(campaign=campaign).first()
        if result is None or (
            not result.is_final and newest > result.computed_at - RECONCILE_LOOKBACK
        ):
            stale.append(campaign)
    for campaign in stale:
        result_compute(campaign=campaign)
    return len(stale)


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
