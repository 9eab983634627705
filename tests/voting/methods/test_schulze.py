"""Schulze: the Wikipedia worked example, and random ballots (with ties, partial and
unknown entries) against a brute-force reference computed independently here."""

import itertools
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from voting.methods.schulze import schulze

FAST = settings(max_examples=100, deadline=None)
A, B, C, D, E = 1, 2, 3, 4, 5

# The 45 voters of https://en.wikipedia.org/wiki/Schulze_method#Example
WIKIPEDIA_GROUPS = [
    (5, [A, C, B, E, D]),
    (5, [A, D, E, C, B]),
    (8, [B, E, D, A, C]),
    (3, [C, A, B, E, D]),
    (7, [C, A, E, B, D]),
    (2, [C, B, A, D, E]),
    (7, [D, C, E, B, A]),
    (8, [E, B, A, D, C]),
]
WIKIPEDIA_BALLOTS = [ballot for voters, ballot in WIKIPEDIA_GROUPS for _ in range(voters)]


def matrix(rows: dict[int, list[int]]) -> dict[tuple[int, int], int]:
    """{a: [value against each other candidate in id order]} -> {(a, b): value}."""
    return {
        (a, b): value
        for a, values in rows.items()
        for b, value in zip([x for x in rows if x != a], values, strict=True)
    }


def test_wikipedia_example():
    result = schulze(candidates=[A, B, C, D, E], ballots=WIKIPEDIA_BALLOTS)
    assert result.pairwise == matrix(
        {A: [20, 26, 30, 22], B: [25, 16, 33, 18], C: [19, 29, 17, 24],
         D: [15, 12, 28, 14], E: [23, 27, 21, 31]}
    )  # fmt: skip
    assert result.strongest_paths == matrix(
        {A: [28, 28, 30, 24], B: [25, 28, 33, 24], C: [25, 29, 29, 24],
         D: [25, 28, 28, 24], E: [25, 28, 28, 31]}
    )  # fmt: skip
    assert result.winners == [E]
    assert result.ranking == [E, A, C, B, D]


def test_the_result_does_not_depend_on_the_order_of_ballots_or_candidates():
    ballots = list(WIKIPEDIA_BALLOTS)
    random.Random(3).shuffle(ballots)
    result = schulze(candidates=[D, B, E, A, C], ballots=iter(ballots))
    assert result.ranking == [E, A, C, B, D]
    assert result.winners == [E]


def test_tied_groups_unlisted_and_unknown_candidates():
    # (1 and 2 tied) over 3; 4 unlisted ranks last; 99 is not a candidate; 3 repeated.
    result = schulze(candidates=[1, 2, 3, 4], ballots=[[[1, 2], 99, 3, 3]])
    d = result.pairwise
    assert d[1, 2] == d[2, 1] == 0
    assert d[1, 3] == d[2, 3] == d[1, 4] == d[2, 4] == d[3, 4] == 1
    assert d[3, 1] == d[4, 3] == 0
    assert result.winners == [1, 2]
    assert result.ranking == [1, 2, 3, 4]  # 1 and 2 tie on everything: lower id first


def test_tie_break_by_pairwise_support_then_by_lower_id():
    # A perfect three-way cycle: every strongest path has strength 2, all three win, and
    # each has the same support (3): the lower id first.
    result = schulze(candidates=[3, 2, 1], ballots=[[1, 2, 3], [2, 3, 1], [3, 1, 2]])
    assert result.winners == [1, 2, 3]
    assert result.ranking == [1, 2, 3]
    # 1 and 2 tie head to head (2 to 2) and both beat 3, but 2 beats 3 by more: a higher
    # sum of pairwise support (2 + 4 against 2 + 3) puts 2 first.
    ballots = [[1, 2, 3], [1, 2, 3], [2, 1, 3], [2, 3, 1]]
    result = schulze(candidates=[1, 2, 3], ballots=ballots)
    assert result.pairwise[1, 2] == result.pairwise[2, 1] == 2
    assert result.winners == [1, 2]
    assert result.ranking == [2, 1, 3]


def test_no_ballots_ties_everyone_in_id_order():
    result = schulze(candidates=[7, 3, 5], ballots=[])
    assert result.winners == [3, 5, 7]
    assert result.ranking == [3, 5, 7]
    assert set(result.pairwise.values()) == {0}


# --- the reference ------------------------------------------------------------------------


def reference_pairwise(candidates, ballots):
    """d[a, b] straight from the rules: the position of each candidate on each ballot
    (a group shares one position), unlisted candidates after every listed one."""
    d = {(a, b): 0 for a in candidates for b in candidates if a != b}
    for ballot in ballots:
        place = {}
        for position, entry in enumerate(ballot):
            for candidate in entry if isinstance(entry, list) else [entry]:
                place.setdefault(candidate, position)
        for a, b in d:
            if place.get(a, float("inf")) < place.get(b, float("inf")):
                d[a, b] += 1
    return d


def reference_strongest_paths(candidates, d):
    """The strongest path from a to b by enumerating every simple path (winning votes:
    a link a -> b is worth d[a, b] when d[a, b] > d[b, a], else 0)."""

    def link(a, b):
        return d[a, b] if d[a, b] > d[b, a] else 0

    best = {}
    for a, b in itertools.permutations(candidates, 2):
        others = [c for c in candidates if c not in (a, b)]
        best[a, b] = max(
            min(link(x, y) for x, y in itertools.pairwise((a, *middle, b)))
            for size in range(len(others) + 1)
            for middle in itertools.permutations(others, size)
        )
    return best


candidate_sets = st.lists(st.integers(1, 60), min_size=1, max_size=5, unique=True)


@st.composite
def ranked_ballot(draw, candidates):
    """A ranked ballot over a random subset of `candidates`, cut into groups of tied
    candidates (a group of one is sometimes a bare id), sometimes naming id 99 (unknown)
    or repeating a candidate."""
    order = draw(st.permutations(candidates))
    listed = list(order[: draw(st.integers(0, len(order)))])
    ballot = []
    while listed:
        size = draw(st.integers(1, len(listed)))
        group, listed = listed[:size], listed[size:]
        ballot.append(group[0] if size == 1 and draw(st.booleans()) else group)
    if ballot and draw(st.integers(0, 9)) == 0:
        ballot.insert(draw(st.integers(0, len(ballot))), 99)
    if ballot and draw(st.integers(0, 9)) == 0:
        ballot.append(draw(st.sampled_from(candidates)))  # a repeat: its first place counts
    return ballot


elections = candidate_sets.flatmap(
    lambda candidates: st.tuples(
        st.just(candidates), st.lists(ranked_ballot(candidates), max_size=30)
    )
)


@FAST
@given(elections)
def test_schulze_matches_the_brute_force_reference(election):
    candidates, ballots = election
    result = schulze(candidates=candidates, ballots=ballots)
    d = reference_pairwise(candidates, ballots)
    p = reference_strongest_paths(candidates, d)
    assert result.pairwise == d
    assert result.strongest_paths == p

    def beats(a, b):
        return p[a, b] > p[b, a]

    winners = sorted(a for a in candidates if not any(beats(b, a) for b in candidates if b != a))
    assert winners  # Schulze always has a winner
    assert result.winners == winners
    beaten = {a: sum(beats(a, b) for b in candidates if b != a) for a in candidates}
    support = {a: sum(d[a, b] for b in candidates if b != a) for a in candidates}
    assert result.ranking == sorted(candidates, key=lambda a: (-beaten[a], -support[a], a))
    # The ranking respects every Schulze defeat, and starts with a winner.
    position = {candidate: i for i, candidate in enumerate(result.ranking)}
    for a, b in itertools.permutations(candidates, 2):
        if beats(a, b):
            assert position[a] < position[b]
    assert result.ranking[0] in result.winners


@FAST
@given(elections)
def test_a_condorcet_winner_wins_and_a_condorcet_loser_ranks_last(election):
    candidates, ballots = election
    result = schulze(candidates=candidates, ballots=ballots)
    d = result.pairwise
    for x in candidates:
        others = [y for y in candidates if y != x]
        if others and all(d[x, y] > d[y, x] for y in others):
            assert result.winners == [x]
            assert result.ranking[0] == x
        if others and all(d[x, y] < d[y, x] for y in others):
            assert x not in result.winners
            assert result.ranking[-1] == x


@FAST
@given(st.permutations([3, 8, 13, 21, 34]), st.integers(1, 20))
def test_unanimous_full_rankings_are_reproduced(order, voters):
    result = schulze(candidates=sorted(order), ballots=[list(order)] * voters)
    assert result.ranking == list(order)
    assert result.winners == [order[0]]
