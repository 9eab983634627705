"""Campaign results by each format's method, live and final, with an audit digest.

The digest is the SHA-256 of the canonical JSON of the anonymised counted votes (see
`audit_entries`): anyone holding the published list can recompute it, and each voter can
find their own entry by the receipt shown to them. `manage.py results_recount` recomputes
a closed campaign and checks both the ranking and the digest."""

import hashlib
import hmac
import json
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone

from campaigns.models import Campaign
from ideas.models import Idea
from voting import dirty
from voting.methods.approval import approval_result, single_choice_result
from voting.methods.bradley_terry import bradley_terry
from voting.methods.budget import budget_result
from voting.methods.irv import instant_runoff
from voting.methods.schulze import schulze
from voting.models import Ballot, BallotChoice, CampaignResult, IdeaTally, PairwisePrompt, Vote

RECONCILE_LOOKBACK = timedelta(seconds=60)


def voter_receipt(*, campaign_id: int, voter_id: int) -> str:
    """A voter's pseudonym in one campaign's published list: only they (and the server)
    can link it to them."""
    message = f"foule-receipt:{campaign_id}:{voter_id}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:32]


def audit_entries(*, campaign: Campaign) -> list[dict]:
    """The canonical, anonymised list of what was counted, sorted."""
    method = campaign.voting_method
    if method in Campaign.IDEA_VOTE_METHODS:
        entries = [
            {"receipt": voter_receipt(campaign_id=campaign.pk, voter_id=voter_id),
             "idea": idea_id, "value": value}
            for voter_id, idea_id, value in Vote.objects.filter(idea__campaign=campaign)
            .exclude(value=Vote.Value.RETRACTED)
            .values_list("voter_id", "idea_id", "value")
            .iterator(chunk_size=5000)
        ]  # fmt: skip
        return sorted(entries, key=lambda entry: (entry["receipt"], entry["idea"]))
    if method == Campaign.VotingMethod.PAIRWISE:
        entries = [
            {"receipt": hashlib.sha256(token.encode()).hexdigest()[:32], "left": left,
             "right": right, "outcome": outcome}
            for token, left, right, outcome in PairwisePrompt.objects.filter(
                campaign=campaign, answered_at__isnull=False
            ).values_list("token", "left_id", "right_id", "outcome").iterator(chunk_size=5000)
        ]  # fmt: skip
        return sorted(entries, key=lambda entry: entry["receipt"])
    choices: dict[str, list[int]] = {}
    for receipt, idea_id in (
        BallotChoice.objects.filter(ballot__campaign=campaign)
        .order_by("ballot__receipt", "rank", "idea_id")
        .values_list("ballot__receipt", "idea_id")
        .iterator(chunk_size=5000)
    ):
        choices.setdefault(receipt, []).append(idea_id)
    return [{"receipt": receipt, "choices": ids} for receipt, ids in sorted(choices.items())]


def audit_digest(entries: list[dict]) -> str:
    canonical = json.dumps(entries, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _candidates(campaign: Campaign) -> list[int]:
    return list(
        Idea.objects.visible().filter(campaign=campaign).order_by("pk").values_list("pk", flat=True)
    )


def compute_result(*, campaign: Campaign, entries: list[dict]) -> tuple[list[int], dict, int]:
    """(ranking, details, number of ballots or votes counted) by the campaign's method."""
    method = campaign.voting_method
    candidates = _candidates(campaign)
    allowed = set(candidates)
    if method in Campaign.IDEA_VOTE_METHODS:
        order = {
            "updown": ("-wilson_lower_bound", "-score"),
            "support": ("-upvotes",),
            "star": ("-method_score", "-upvotes"),
        }[method]
        tallies = list(
            IdeaTally.objects.filter(idea_id__in=candidates)
            .order_by(*order, "idea_id")
            .values("idea_id", "upvotes", "downvotes", "score", "method_score")
        )
        details = {"counts": {str(t["idea_id"]): t for t in tallies}}
        return [t["idea_id"] for t in tallies], details, len(entries)
    if method == Campaign.VotingMethod.PAIRWISE:
        comparisons = [
            (entry["left"], entry["right"]) if entry["outcome"] == "left"
            else (entry["right"], entry["left"])
            for entry in entries
            if entry["outcome"] in ("left", "right")
            and entry["left"] in allowed and entry["right"] in allowed
        ]  # fmt: skip
        scores = bradley_terry(items=candidates, comparisons=comparisons)
        ranking = sorted(candidates, key=lambda pk: (-scores[pk], pk))
        wins = {pk: 0 for pk in candidates}
        losses = {pk: 0 for pk in candidates}
        for winner, loser in comparisons:
            wins[winner] += 1
            losses[loser] += 1
        details = {
            "scores": {str(pk): scores[pk] for pk in candidates},
            "wins": {str(pk): wins[pk] for pk in candidates},
            "losses": {str(pk): losses[pk] for pk in candidates},
        }
        return ranking, details, len(entries)
    ballots = [[pk for pk in entry["choices"] if pk in allowed] for entry in entries]
    ballots = [ballot for ballot in ballots if ballot]
    if method == Campaign.VotingMethod.SINGLE:
        result = single_choice_result(candidates=candidates, ballots=ballots)
        return list(result.ranking), {"counts": _str_keys(result.counts)}, len(ballots)
    if method == Campaign.VotingMethod.APPROVAL:
        result = approval_result(
            candidates=candidates, ballots=ballots, max_approvals=campaign.max_votes_per_voter
        )
        return list(result.ranking), {"counts": _str_keys(result.counts)}, len(ballots)
    if method == Campaign.VotingMethod.BUDGET:
        costs = dict(Idea.objects.filter(pk__in=candidates).values_list("pk", "cost"))
        result = budget_result(
            costs={pk: cost or 0 for pk, cost in costs.items()},
            ballots=ballots,
            budget=campaign.budget_amount or 0,
        )
        details = {
            "counts": _str_keys(result.approvals),
            "funded": list(result.funded),
            "spent": result.spent,
            "costs": _str_keys(costs),
        }
        return list(result.ranking), details, len(ballots)
    if campaign.ranked_method == Campaign.RankedMethod.IRV:
        result = instant_runoff(candidates=candidates, ballots=ballots)
        details = {
            "method": "irv",
            "rounds": [_str_keys(r) for r in result.rounds],
            "eliminated": list(result.eliminated),
            "winner": result.winner,
            "exhausted": list(result.exhausted),
        }
        return list(result.ranking), details, len(ballots)
    result = schulze(candidates=candidates, ballots=ballots)
    matrix = {
        str(a): {str(b): result.pairwise.get((a, b), 0) for b in candidates} for a in candidates
    }
    details = {"method": "schulze", "pairwise": matrix, "winners": list(result.winners)}
    return list(result.ranking), details, len(ballots)


def _str_keys(mapping) -> dict:
    return {str(key): value for key, value in dict(mapping).items()}


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
        entries = audit_entries(campaign=campaign)
        ranking, details, counted = compute_result(campaign=campaign, entries=entries)
        if campaign.voting_method == Campaign.VotingMethod.PAIRWISE:
            _write_pairwise_tallies(campaign=campaign, details=details)
        result, _created = CampaignResult.objects.update_or_create(
            campaign=campaign,
            defaults={
                "method": campaign.voting_method if campaign.voting_method != "ranked"
                else f"ranked:{campaign.ranked_method}",
                "ranking": ranking, "details": details, "ballot_count": counted,
                "digest": audit_digest(entries) if final else "",
                "is_final": final, "computed_at": timezone.now(),
            },
        )  # fmt: skip
    return result


def _write_pairwise_tallies(*, campaign: Campaign, details: dict) -> None:
    """Pairwise ideas are listed by their Bradley-Terry score like any other order."""
    tallies = list(IdeaTally.objects.filter(campaign=campaign))
    now = timezone.now()
    for tally in tallies:
        key = str(tally.idea_id)
        tally.method_score = details["scores"].get(key, 0.0)
        tally.upvotes = details["wins"].get(key, 0)
        tally.downvotes = details["losses"].get(key, 0)
        tally.score = tally.upvotes - tally.downvotes
        tally.computed_at = now
    IdeaTally.objects.bulk_update(
        tallies, ["method_score", "upvotes", "downvotes", "score", "computed_at"]
    )


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
    methods = Campaign.BALLOT_METHODS | {Campaign.VotingMethod.PAIRWISE}
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
    from voting.tally import tally_recompute  # counts must be fresh before ranking

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
