"""Single choice and approval elections: count, then rank."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class CountResult:
    counts: dict[int, int]
    ranking: list[int]  # best first; ties: lower candidate id first (submitted earlier)


def _rank(counts: dict[int, int]) -> list[int]:
    return sorted(counts, key=lambda candidate: (-counts[candidate], candidate))


def single_choice_result(
    *, candidates: Sequence[int], ballots: Iterable[Sequence[int]]
) -> CountResult:
    """Each ballot names one candidate (its first entry counts; unknown ids are ignored)."""
    counts = dict.fromkeys(candidates, 0)
    for ballot in ballots:
        if ballot and ballot[0] in counts:
            counts[ballot[0]] += 1
    return CountResult(counts=counts, ranking=_rank(counts))


def approval_result(
    *, candidates: Sequence[int], ballots: Iterable[Sequence[int]], max_approvals: int | None = None
) -> CountResult:
    """Each ballot approves a set of candidates; duplicates count once. A ballot over
    `max_approvals` is ignored whole (the services refuse such ballots anyway)."""
    counts = dict.fromkeys(candidates, 0)
    for ballot in ballots:
        approved = {candidate for candidate in ballot if candidate in counts}
        if max_approvals and len(approved) > max_approvals:
            continue
        for candidate in approved:
            counts[candidate] += 1
    return CountResult(counts=counts, ranking=_rank(counts))
