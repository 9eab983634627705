"""The Schulze method for ranked ballots (winning-votes strength)."""

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

# One ballot: candidate ids, best first. An entry may also be a group (list, tuple, set) of
# ids ranked equally.
RankedBallot = Sequence[int | Collection[int]]
# Identical ballots counted together: (ids best first, no groups; how many voters cast it).
CountedBallot = tuple[Sequence[int], int]


@dataclass(frozen=True)
class SchulzeResult:
    ranking: list[int]  # every candidate, best first, ties broken (see `schulze`)
    winners: list[int]  # all Schulze winners before the tie-break, by ascending id
    pairwise: dict[tuple[int, int], int]  # d[a, b]: voters preferring a to b
    strongest_paths: dict[tuple[int, int], int]  # p[a, b]: widest path strength from a to b


def _group(entry: int | Collection[int]) -> Collection[int]:
    if isinstance(entry, list | tuple | set | frozenset):
        return entry
    return (entry,)


def ballot_levels(ballot: RankedBallot, candidates: Sequence[int]) -> tuple[int, ...]:
    """The rank level of each of `candidates` (in that order) on one ballot, 0 the best.

    Entries that are not candidates are ignored; a candidate listed twice keeps its first
    (best) place; every candidate the ballot does not list shares the level below all
    listed ones. Levels are dense (0, 1, 2, ...), so two ballots that express the same
    preferences get the same tuple."""
    known = set(candidates)
    level: dict[int, int] = {}
    for position, entry in enumerate(ballot):
        for candidate in _group(entry):
            if candidate in known and candidate not in level:
                level[candidate] = position
    bottom = len(ballot)
    raw = [level.get(candidate, bottom) for candidate in candidates]
    dense = {value: index for index, value in enumerate(sorted(set(raw)))}
    return tuple(dense[value] for value in raw)


def pairwise_preferences(
    *,
    candidates: Sequence[int],
    ballots: Iterable[RankedBallot] = (),
    counted_ballots: Iterable[CountedBallot] = (),
) -> dict[tuple[int, int], int]:
    """d[a, b] for every ordered pair of different candidates: how many ballots rank a
    strictly above b (see `ballot_levels` for ties, unlisted and unknown entries).

    `ballots` are single ballots (entries may be groups of ids ranked equally);
    `counted_ballots` are strict orders already grouped with their number of voters (as the
    database returns them), counted the same way. Identical ballots are counted together,
    so the cost grows with the number of ballots times their length, plus the number of
    distinct ballots times the square of the number of candidates (counted ballots: times
    the square of their length only)."""
    candidates = list(dict.fromkeys(candidates))
    shapes = Counter(ballot_levels(ballot, candidates) for ballot in ballots)
    d = {(a, b): 0 for a in candidates for b in candidates if a != b}
    for levels, voters in shapes.items():
        for i, a in enumerate(candidates):
            for j, b in enumerate(candidates):
                if levels[i] < levels[j]:
                    d[a, b] += voters
    _add_strict_orders(d, candidates, counted_ballots)
    return d


def _add_strict_orders(
    d: dict[tuple[int, int], int], candidates: list[int], counted_ballots: Iterable[CountedBallot]
) -> None:
    """Add strict-order ballots with counts to d: a ballot prefers a to b when it lists a
    and either leaves b out or lists b later, so d[a, b] = (voters listing a) - (voters
    listing b above a), and only the pairs a ballot lists cost anything."""
    known = set(candidates)
    listed = dict.fromkeys(candidates, 0)
    above: Counter[tuple[int, int]] = Counter()
    for ballot, voters in counted_ballots:
        order = list(dict.fromkeys(choice for choice in ballot if choice in known))
        for position, a in enumerate(order):
            listed[a] += voters
            for b in order[position + 1 :]:
                above[a, b] += voters
    for a, b in d:
        d[a, b] += listed[a] - above[b, a]


def schulze(
    *,
    candidates: Sequence[int],
    ballots: Iterable[RankedBallot] = (),
    counted_ballots: Iterable[CountedBallot] = (),
) -> SchulzeResult:
    """Rank `candidates` from ranked `ballots` by the Schulze method.

    A ballot lists candidate ids, best first; an entry may be a group of ids ranked
    equally; candidates a ballot does not list rank below all listed ones, equally; ids
    that are not candidates are ignored. Duplicate ids in `candidates` count once.
    `counted_ballots` holds identical strict-order ballots grouped as (ids, voters), counted
    as that many single ballots.

    d[a, b] counts the voters preferring a to b. The link a -> b has strength d[a, b]
    when d[a, b] > d[b, a] (winning votes), else 0. p[a, b], the strength of the
    strongest path from a to b, is found by the Floyd-Warshall widest-path algorithm.
    a beats b when p[a, b] > p[b, a]; Schulze proved this relation transitive, and the
    winners are the candidates nobody beats (there is always at least one).

    Ranking and tie-break: candidates are ordered by how many others they beat (a
    linear extension of the Schulze order: a beaten candidate always ranks below its
    victor). Candidates that beat as many others are ordered by the higher sum of
    pairwise support (sum over x of d[a, x], a Borda-like score), then by the lower id
    (the idea submitted earlier). `ranking[0]` is therefore always one of `winners`."""
    candidates = list(dict.fromkeys(candidates))
    d = pairwise_preferences(
        candidates=candidates, ballots=ballots, counted_ballots=counted_ballots
    )
    p: dict[tuple[int, int], int] = {}
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
    winners = sorted(a for a in candidates if all(p[a, b] >= p[b, a] for b in candidates if b != a))
    support = {a: sum(d[a, b] for b in candidates if b != a) for a in candidates}
    ranking = sorted(candidates, key=lambda a: (-beaten[a], -support[a], a))
    return SchulzeResult(ranking=ranking, winners=winners, pairwise=d, strongest_paths=p)
