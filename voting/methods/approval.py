"""Single choice and approval elections: count, then rank."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class CountResult:
    counts: dict[int, int]  # every candidate, in the order given, to its votes
    ranking: list[int]  # best first; ties: lower candidate id first (submitted earlier)


def _rank(counts: dict[int, int]) -> list[int]:
    return sorted(counts, key=lambda candidate: (-counts[candidate], candidate))


def counted_result(counts: dict[int, int]) -> CountResult:
    """The result of votes already counted (by the database): {candidate: votes}, every
    candidate present; ranked as both counts below rank."""
    return CountResult(counts=dict(counts), ranking=_rank(counts))


def single_choice_result(
    *, candidates: Sequence[int], ballots: Iterable[Sequence[int]]
) -> CountResult:
    """Plurality: each ballot votes for its first entry (later entries, and a first
    entry that is not a candidate, are ignored; an empty ballot counts for nobody).
    Ranking by more votes, ties broken by the lower id."""
    counts = dict.fromkeys(candidates, 0)
    for ballot in ballots:
        if ballot and ballot[0] in counts:
            counts[ballot[0]] += 1
    return CountResult(counts=counts, ranking=_rank(counts))


def approval_result(
    *,
    candidates: Sequence[int],
    ballots: Iterable[Iterable[int]],
    max_approvals: int | None = None,
) -> CountResult:
    """Approval voting: each ballot approves a set of candidates (a repeated id counts
    once, ids that are not candidates are ignored). A ballot approving more than
    `max_approvals` candidates is ignored whole (the services refuse such ballots
    anyway); None or 0 means no limit, as for the campaign setting. Ranking by more
    approvals, ties broken by the lower id."""
    counts = dict.fromkeys(candidates, 0)
    for ballot in ballots:
        approved = {candidate for candidate in ballot if candidate in counts}
        if max_approvals and len(approved) > max_approvals:
            continue
        for candidate in approved:
            counts[candidate] += 1
    return CountResult(counts=counts, ranking=_rank(counts))
