"""Instant-runoff voting for ranked ballots."""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class IRVResult:
    rounds: list[dict[int, int]]  # votes of each candidate still in, per round (by id)
    eliminated: list[int]  # in order of elimination
    exhausted: list[int]  # ballots ranking no candidate still in, per round
    winner: int | None
    ranking: list[int]  # winner, the others still in, then reverse order of elimination


def instant_runoff(
    *,
    candidates: Sequence[int],
    ballots: Iterable[Sequence[int]] = (),
    counted_ballots: Iterable[tuple[Sequence[int], int]] = (),
) -> IRVResult:
    """Instant-runoff (alternative vote) count of ranked `ballots` (candidate ids, best
    first; ids that are not candidates are ignored, a repeated id counts at its first
    place; duplicate ids in `candidates` count once). `counted_ballots` holds identical
    ballots grouped as (ids, voters), counted as that many single ballots.

    Each round, every ballot counts for its best-ranked candidate still in. A candidate
    with more than half of the ballots that still rank someone (the non-exhausted ones)
    wins; so does the last one left. Otherwise the candidate with the fewest votes is
    eliminated and its ballots move on to their next choice.

    Tie-break for elimination, among the candidates with the fewest votes: the one with
    fewer first-preference votes in round one goes first, then the one with the higher
    id (the newest idea).

    `rounds[i]` maps each candidate still in at round i to its votes, and
    `rounds[i]` + `exhausted[i]` always sum to the number of ballots. `ranking` is the
    winner, then any candidates still in when the winner reached a majority (by votes in
    the last round, ties lower id first), then the eliminated ones, last eliminated
    first. When no ballot ranks any candidate there is no winner, one round of zeros
    (none without candidates), and the ranking is by ascending id."""
    candidates = list(dict.fromkeys(candidates))
    known = set(candidates)
    # Identical ballots are counted together (rounds cost the number of distinct ballots).
    shapes = Counter(
        tuple(dict.fromkeys(choice for choice in ballot if choice in known)) for ballot in ballots
    )
    for ballot, voters in counted_ballots:
        shapes[tuple(dict.fromkeys(choice for choice in ballot if choice in known))] += voters
    left = set(candidates)
    rounds: list[dict[int, int]] = []
    exhausted: list[int] = []
    eliminated: list[int] = []
    first_round: dict[int, int] = {}
    winner: int | None = None
    while left:
        counts = dict.fromkeys(sorted(left), 0)
        spent = 0
        for ballot, voters in shapes.items():
            choice = next((choice for choice in ballot if choice in left), None)
            if choice is None:
                spent += voters
            else:
                counts[choice] += voters
        rounds.append(counts)
        exhausted.append(spent)
        if not first_round:
            first_round = dict(counts)
        active = sum(counts.values())
        if active == 0:
            # Only possible in round one: the weakest candidate never holds every ballot.
            break
        leader = max(counts, key=lambda c: (counts[c], -c))
        if counts[leader] * 2 > active or len(left) == 1:
            winner = leader
            break
        fewest = min(counts.values())
        tied = [c for c in counts if counts[c] == fewest]
        loser = min(tied, key=lambda c: (first_round[c], -c))
        left.discard(loser)
        eliminated.append(loser)
    if winner is None:
        ranking = sorted(left) + list(reversed(eliminated))
        return IRVResult(
            rounds=rounds, eliminated=eliminated, exhausted=exhausted, winner=None, ranking=ranking
        )
    others_left = sorted(left - {winner}, key=lambda c: (-rounds[-1][c], c))
    ranking = [winner, *others_left, *reversed(eliminated)]
    return IRVResult(
        rounds=rounds, eliminated=eliminated, exhausted=exhausted, winner=winner, ranking=ranking
    )
