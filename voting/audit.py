"""What a result counted, anonymised: the canonical entries whose SHA-256 is a campaign's
published audit digest, one builder per place a vote is stored (voting.formats.base picks
the one of its kind).

Anyone holding the published list can recompute the digest, and each voter can find their
own entry by the receipt shown to them."""

import hashlib
import hmac
import json

from django.conf import settings

from voting.models import BallotChoice, PairwisePrompt, Vote


def voter_receipt(*, campaign_id: int, voter_id: int) -> str:
    """A voter's pseudonym in one campaign's published list: only they (and the server)
    can link it to them."""
    message = f"foule-receipt:{campaign_id}:{voter_id}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:32]


def audit_digest(entries: list[dict]) -> str:
    canonical = json.dumps(entries, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def vote_entries(*, campaign) -> list[dict]:
    """Per-idea votes under each voter's receipt, sorted by (receipt, idea)."""
    entries = [
        {"receipt": voter_receipt(campaign_id=campaign.pk, voter_id=voter_id),
         "idea": idea_id, "value": value}
        for voter_id, idea_id, value in Vote.objects.filter(idea__campaign=campaign)
        .exclude(value=Vote.Value.RETRACTED)
        .values_list("voter_id", "idea_id", "value")
        .iterator(chunk_size=5000)
    ]  # fmt: skip
    return sorted(entries, key=lambda entry: (entry["receipt"], entry["idea"]))


def pairwise_entries(*, campaign) -> list[dict]:
    """Answered pairs under the SHA-256 of their prompt's token, sorted by receipt."""
    entries = [
        {"receipt": hashlib.sha256(token.encode()).hexdigest()[:32], "left": left,
         "right": right, "outcome": outcome}
        for token, left, right, outcome in PairwisePrompt.objects.filter(
            campaign=campaign, answered_at__isnull=False
        ).values_list("token", "left_id", "right_id", "outcome").iterator(chunk_size=5000)
    ]  # fmt: skip
    return sorted(entries, key=lambda entry: entry["receipt"])


def ballot_entries(*, campaign) -> list[dict]:
    """Ballots under their receipt, choices in rank order (ranks first, then unranked,
    each by idea id: PostgreSQL's ascending order), sorted by receipt.

    Sorted here rather than by the query: ordering by receipt made PostgreSQL walk the
    receipt index of every campaign's ballots and probe each one's choices."""
    choices: dict[str, list[tuple]] = {}
    for receipt, rank, idea_id in (
        BallotChoice.objects.filter(ballot__campaign=campaign)
        .order_by()
        .values_list("ballot__receipt", "rank", "idea_id")
        .iterator(chunk_size=5000)
    ):
        choices.setdefault(receipt, []).append((rank is None, rank or 0, idea_id))
    return [
        {"receipt": receipt, "choices": [idea_id for *_order, idea_id in sorted(ranked)]}
        for receipt, ranked in sorted(choices.items())
    ]
