"""What a result counted, anonymised: the canonical entries whose SHA-256 is a campaign's
published audit digest, one builder per place a vote is stored (voting.formats.base picks
the one of its kind).

Anyone holding the published list can recompute the digest, and each voter can find their
own entry by the receipt shown to them."""

import hashlib
import heapq
import hmac
import json
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack

from django.conf import settings
from django.db import connection

from voting.models import BallotChoice, PairwisePrompt, Vote

# Streams (the iter_* functions): the same entries in the same order as the lists, one at a
# time, so that the final result's chunks and digest are written in bounded memory. Rows
# come from a server-side cursor, FETCH_SIZE at a time; receipts are compared as Python
# compares strings (code points: COLLATE "C" in PostgreSQL).
FETCH_SIZE = 5000
# Per-idea votes are sorted by a receipt only the server can compute (an HMAC): runs of
# this many are sorted in memory, spilled to temporary files and merged.
SORT_RUN_SIZE = 200_000


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


def _streamed_rows(sql: str, params: dict) -> Iterator[tuple]:
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(FETCH_SIZE):
            yield from rows


def iter_ballot_entries(*, campaign) -> Iterator[dict]:
    """ballot_entries, streamed: PostgreSQL groups each ballot's choices in rank order
    (ranks ascending with NULLS LAST, then idea id) and sorts one campaign's ballots by
    receipt, found through the (campaign, voter) index."""
    rows = _streamed_rows(
        """SELECT ballot.receipt, array_agg(choice.idea_id ORDER BY choice.rank, choice.idea_id)
           FROM voting_ballot ballot
           JOIN voting_ballotchoice choice ON choice.ballot_id = ballot.id
           WHERE ballot.campaign_id = %(campaign)s
           GROUP BY ballot.id
           ORDER BY ballot.receipt COLLATE "C"
        """,
        {"campaign": campaign.pk},
    )
    for receipt, choices in rows:
        yield {"receipt": receipt, "choices": choices}


def iter_pairwise_entries(*, campaign) -> Iterator[dict]:
    """pairwise_entries, streamed: the receipt (SHA-256 of the prompt's token, which is
    unique) is computed and sorted by PostgreSQL."""
    rows = _streamed_rows(
        """SELECT receipt, left_id, right_id, outcome FROM (
               SELECT left(encode(sha256(convert_to(token, 'UTF8')), 'hex'), 32) AS receipt,
                      left_id, right_id, outcome
               FROM voting_pairwiseprompt
               WHERE campaign_id = %(campaign)s AND answered_at IS NOT NULL
           ) answers
           ORDER BY receipt COLLATE "C"
        """,
        {"campaign": campaign.pk},
    )
    for receipt, left, right, outcome in rows:
        yield {"receipt": receipt, "left": left, "right": right, "outcome": outcome}


def _spill(run: list[tuple[str, int, int]], stack: ExitStack):
    # Closed (and deleted) by the caller's ExitStack once the merge is done.
    spilled = stack.enter_context(tempfile.TemporaryFile(mode="w+", encoding="ascii"))  # noqa: SIM115
    spilled.writelines(f"{receipt}\t{idea}\t{value}\n" for receipt, idea, value in run)
    spilled.seek(0)
    return spilled


def _read_run(spilled) -> Iterator[tuple[str, int, int]]:
    for line in spilled:
        receipt, idea, value = line.split("\t")
        yield receipt, int(idea), int(value)


def iter_vote_entries(*, campaign, run_size: int = SORT_RUN_SIZE) -> Iterator[dict]:
    """vote_entries, streamed: at most `run_size` votes in memory (an external merge sort;
    (receipt, idea) is unique, so the order is the list's)."""
    rows = (
        Vote.objects.filter(idea__campaign=campaign)
        .exclude(value=Vote.Value.RETRACTED)
        .order_by()
        .values_list("voter_id", "idea_id", "value")
        .iterator(chunk_size=FETCH_SIZE)
    )
    with ExitStack() as stack:
        runs, run = [], []
        for voter_id, idea_id, value in rows:
            run.append((voter_receipt(campaign_id=campaign.pk, voter_id=voter_id), idea_id, value))
            if len(run) >= run_size:
                run.sort()
                runs.append(_read_run(_spill(run, stack)))
                run = []
        run.sort()
        for receipt, idea_id, value in heapq.merge(*runs, run):
            yield {"receipt": receipt, "idea": idea_id, "value": value}
