"""Instant-runoff voting for ranked ballots."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class IRVResult:
    rounds: list[dict[int, int]]  # first-choice counts of the candidates left, per round
    eliminated: list[int]  # in order of elimination
    exhausted: list[int]  # ballots with no candidate left, per round
    winner: int | None
    ranking: list[int]  # winner, then the others in reverse order of elimination


def instant_runoff(*, candidates: Sequence[int], ballots: Iterable[Sequence[int]]) -> IRVResult:
    """Count first choices among the candidates left; a candidate with more than half of
    the ballots that still rank someone wins; otherwise the weakest is eliminated and its
    ballots move to their next choice. The last one left wins.

    Tie-break for elimination among the weakest: fewer first choices in round one goes
    first, then the higher id (the later submitted). No ballots at all: no winner, and
    the ranking is by id."""
    candidates = list(candidates)
    ballots = [[c for c in ballot if c in set(candidates)] for ballot in ballots]
    left = set(candidates)
    rounds: list[dict[int, int]] = []
    exhausted: list[int] = []
    eliminated: list[int] = []
    first_round: dict[int, int] = {}
    winner = None
    while left:
        counts = dict.fromkeys(sorted(left), 0)
        spent = 0
        for ballot in ballots:
            choice = next((c for c in ballot if c in left), None)
            if choice is None:
                spent += 1
            else:
                counts[choice] += 1
        rounds.append(counts)
        exhausted.append(spent)
        if not first_round:
            first_round = dict(counts)
        active = sum(counts.values())
        if active == 0:
            break
        leader = max(counts, key=lambda c: (counts[c], -c))
        if counts[leader] * 2 > active or len(left) == 1:
            winner = leader
            break
        weakest = min(counts.values())
        tied = [c for c in counts if counts[c] == weakest]
        loser = min(tied, key=lambda c: (first_round.get(c, 0), -c))
        left.discard(loser)
        eliminated.append(loser)
    if winner is None:  # every ballot exhausted (or none cast): the rest by id
        ranking = sorted(left) + list(reversed(eliminated))
        return IRVResult(
            rounds=rounds, eliminated=eliminated, exhausted=exhausted, winner=None, ranking=ranking
        )
    others_left = sorted(left - {winner}, key=lambda c: (-rounds[-1].get(c, 0), c))
    ranking = [winner, *others_left, *reversed(eliminated)]
    return IRVResult(
        rounds=rounds, eliminated=eliminated, exhausted=exhausted, winner=winner, ranking=ranking
    )
