"""The Schulze method for ranked ballots (winning-votes strength)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class SchulzeResult:
    ranking: list[int]  # every candidate, best first, ties broken (see `schulze`)
    winners: list[int]  # all Schulze winners before the tie-break
    pairwise: dict[tuple[int, int], int]  # d[a, b]: voters preferring a to b
    strongest_paths: dict[tuple[int, int], int]


def _levels(ballot, candidates: Sequence[int]) -> dict[int, int]:
    """Rank level of each candidate on one ballot (0 best). A ballot entry may be a group
    of tied candidates; unlisted candidates share the level below all listed ones."""
    level: dict[int, int] = {}
    for position, entry in enumerate(ballot):
        group = entry if isinstance(entry, (list, tuple, set, frozenset)) else [entry]
        for candidate in group:
            if candidate in level or candidate not in candidates:
                continue
            level[candidate] = position
    bottom = len(ballot)
    return {candidate: level.get(candidate, bottom) for candidate in candidates}


def pairwise_preferences(*, candidates: Sequence[int], ballots: Iterable) -> dict:
    candidate_set = set(candidates)
    d = {(a, b): 0 for a in candidates for b in candidates if a != b}
    for ballot in ballots:
        levels = _levels(ballot, candidate_set)
        for a in candidates:
            for b in candidates:
                if a != b and levels[a] < levels[b]:
                    d[a, b] += 1
    return d


def schulze(*, candidates: Sequence[int], ballots: Iterable) -> SchulzeResult:
    """Rank `candidates` from ranked `ballots` (lists of ids, best first; an entry may be
    a group of equally ranked ids; unlisted ids rank last, equally).

    Strongest paths by the Floyd-Warshall widest-path algorithm on the winning-votes
    graph. a beats b when p[a, b] > p[b, a]; the ranking orders candidates by how many
    others they beat that way. Tie-break, in order: more candidates beaten, then a higher
    sum of pairwise support (sum over x of d[a, x]), then the lower id (the earlier)."""
    candidates = list(candidates)
    d = pairwise_preferences(candidates=candidates, ballots=ballots)
    p = {}
    for a in candidates:
        for b in candidates:
            if a != b:
                p[a, b] = d[a, b] if d[a, b] > d[b, a] else 0
    for k in candidates:
        for a in candidates:
            if a == k:
                continue
            for b in candidates:
                if b in (a, k):
                    continue
                p[a, b] = max(p[a, b], min(p[a, k], p[k, b]))
    beaten = {a: sum(1 for b in candidates if b != a and p[a, b] > p[b, a]) for a in candidates}
    winners = [a for a in candidates if all(p[a, b] >= p[b, a] for b in candidates if b != a)]
    support = {a: sum(d[a, b] for b in candidates if b != a) for a in candidates}
    ranking = sorted(candidates, key=lambda a: (-beaten[a], -support[a], a))
    return SchulzeResult(ranking=ranking, winners=sorted(winners), pairwise=d, strongest_paths=p)
