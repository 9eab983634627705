"""The result methods against independent references, on worked examples and on random
ballots (hypothesis). Pure functions: no database."""

import itertools
import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voting.methods.approval import approval_result, single_choice_result
from voting.methods.bradley_terry import PRIOR_GAMES, bradley_terry, next_pair
from voting.methods.budget import (
    DuplicateItem,
    OverBudget,
    UnknownItem,
    budget_result,
    validate_budget_ballot,
)
from voting.methods.irv import instant_runoff
from voting.methods.ratings import bayesian_average, controversy, hot_score
from voting.methods.schulze import schulze

FAST = settings(max_examples=120, deadline=None)


# --- Schulze ------------------------------------------------------------------------------


def test_schulze_wikipedia_example():
    """The 45-voter example of the Schulze method's Wikipedia article: E wins, then A, C,
    B, D."""
    a, b, c, d, e = 1, 2, 3, 4, 5
    groups = [
        (5, [a, c, b, e, d]),
        (5, [a, d, e, c, b]),
        (8, [b, e, d, a, c]),
        (3, [c, a, b, e, d]),
        (7, [c, a, e, b, d]),
        (2, [c, b, a, d, e]),
        (7, [d, c, e, b, a]),
        (8, [e, b, a, d, c]),
    ]
    ballots = [ballot for count, ballot in groups for _ in range(count)]
    result = schulze(candidates=[a, b, c, d, e], ballots=ballots)
    assert result.winners == [e]
    assert result.ranking == [e, a, c, b, d]
    assert result.pairwise[a, b] == 20 and result.pairwise[b, a] == 25
    assert result.strongest_paths[e, a] == 25


def strongest_paths_by_enumeration(candidates, d):
    """Reference: the strongest path strength by enumerating every simple path."""

    def strength(edge):
        a, b = edge
        return d[a, b] if d[a, b] > d[b, a] else 0

    best = {}
    for a in candidates:
        for b in candidates:
            if a == b:
                continue
            others = [c for c in candidates if c not in (a, b)]
            value = strength((a, b))
            for size in range(1, len(others) + 1):
                for middle in itertools.permutations(others, size):
                    path = (a, *middle, b)
                    value = max(value, min(strength(edge) for edge in itertools.pairwise(path)))
            best[a, b] = value
    return best


ranked_ballots = st.lists(
    st.permutations([1, 2, 3, 4]).flatmap(lambda order: st.integers(1, 4).map(
        lambda n: list(order[:n]))),
    min_size=0, max_size=25,
)  # fmt: skip


@FAST
@given(ranked_ballots)
def test_schulze_strongest_paths_match_brute_force(ballots):
    candidates = [1, 2, 3, 4]
    result = schulze(candidates=candidates, ballots=ballots)
    assert result.strongest_paths == strongest_paths_by_enumeration(candidates, result.pairwise)
    assert sorted(result.ranking) == candidates
    expected_winners = [
        a
        for a in candidates
        if all(
            result.strongest_paths[a, b] >= result.strongest_paths[b, a]
            for b in candidates
            if b != a
        )
    ]
    assert result.winners == expected_winners
    assert result.ranking[0] in result.winners


@FAST
@given(ranked_ballots)
def test_a_condorcet_winner_is_the_schulze_winner(ballots):
    candidates = [1, 2, 3, 4]
    result = schulze(candidates=candidates, ballots=ballots)
    d = result.pairwise
    condorcet = [a for a in candidates if all(d[a, b] > d[b, a] for b in candidates if b != a)]
    if condorcet:
        assert result.winners == condorcet
        assert result.ranking[0] == condorcet[0]


# --- instant runoff -----------------------------------------------------------------------


def irv_reference(candidates, ballots):
    """Reference: a plain re-implementation from the rules (majority of continuing
    ballots; eliminate the fewest, ties by fewer first-round votes then higher id)."""
    left = list(candidates)
    first = {c: sum(1 for b in ballots if b and b[0] == c) for c in candidates}
    while left:
        tops = [next((c for c in b if c in left), None) for b in ballots]
        counts = {c: tops.count(c) for c in left}
        active = sum(counts.values())
        if active == 0:
            return None
        best = max(left, key=lambda c: (counts[c], -c))
        if 2 * counts[best] > active or len(left) == 1:
            return best
        fewest = min(counts.values())
        loser = min((c for c in left if counts[c] == fewest), key=lambda c: (first[c], -c))
        left.remove(loser)
    return None


def test_irv_where_the_plurality_leader_loses():
    a, b, c = 1, 2, 3
    ballots = [[a, c]] * 8 + [[b, c]] * 7 + [[c, b]] * 6
    result = instant_runoff(candidates=[a, b, c], ballots=ballots)
    assert result.rounds[0] == {a: 8, b: 7, c: 6}
    assert result.eliminated == [c]
    assert result.rounds[1] == {a: 8, b: 13}
    assert result.winner == b
    assert result.ranking == [b, a, c]


@FAST
@given(ranked_ballots)
def test_irv_matches_the_reference_and_the_winner_has_a_final_majority(ballots):
    candidates = [1, 2, 3, 4]
    result = instant_runoff(candidates=candidates, ballots=ballots)
    assert result.winner == irv_reference(candidates, ballots)
    assert sorted(result.ranking) == candidates
    if result.winner is not None:
        final = result.rounds[-1]
        assert 2 * final[result.winner] > sum(final.values()) or len(final) == 1
        assert result.ranking[0] == result.winner
    for counts, exhausted in zip(result.rounds, result.exhausted, strict=True):
        assert sum(counts.values()) + exhausted == len(ballots)


# --- Bradley-Terry ------------------------------------------------------------------------


def bt_by_gradient_ascent(items, comparisons):
    """Reference: maximise the same penalised log-likelihood by gradient ascent on the
    log-strengths (each item one virtual win and loss against strength 1)."""
    theta = dict.fromkeys(items, 0.0)
    for _ in range(4000):
        grad = dict.fromkeys(items, 0.0)
        for winner, loser in comparisons:
            p = 1 / (1 + math.exp(theta[loser] - theta[winner]))
            grad[winner] += 1 - p
            grad[loser] -= 1 - p
        for item in items:
            p = 1 / (1 + math.exp(-theta[item]))
            grad[item] += PRIOR_GAMES * ((1 - p) - p)
        for item in items:
            theta[item] += 0.05 * grad[item]
    return {item: 1 / (1 + math.exp(-theta[item])) for item in items}


comparisons_strategy = st.lists(
    st.tuples(st.integers(1, 4), st.integers(1, 4)).filter(lambda pair: pair[0] != pair[1]),
    max_size=30,
)


@settings(max_examples=40, deadline=None)
@given(comparisons_strategy)
def test_bradley_terry_matches_a_direct_likelihood_fit(comparisons):
    items = [1, 2, 3, 4]
    scores = bradley_terry(items=items, comparisons=comparisons)
    reference = bt_by_gradient_ascent(items, comparisons)
    for item in items:
        assert 0 < scores[item] < 1
        assert scores[item] == pytest.approx(reference[item], abs=2e-3)


def test_bradley_terry_orders_a_dominant_item_first_and_unseen_items_in_the_middle():
    scores = bradley_terry(items=[1, 2, 3], comparisons=[(1, 2)] * 5 + [(2, 1)])
    assert scores[1] > scores[3] > scores[2]


def test_next_pair_never_repeats_an_item_and_favours_the_less_compared():
    rng = random.Random(7)
    counts = {1: 0, 2: 50, 3: 50, 4: 50}
    seen = {item: 0 for item in counts}
    for _ in range(2000):
        left, right = next_pair(items=list(counts), comparison_counts=counts, rng=rng)
        assert left != right
        seen[left] += 1
        seen[right] += 1
    assert seen[1] > 2 * max(seen[2], seen[3], seen[4])


# --- budget, counts and ratings -----------------------------------------------------------

costs_strategy = st.dictionaries(st.integers(1, 8), st.integers(1, 60), min_size=1, max_size=8)


@FAST
@given(
    costs_strategy,
    st.lists(st.lists(st.integers(1, 8), max_size=6), max_size=15),
    st.integers(0, 150),
)
def test_budget_never_accepts_or_funds_over_budget(costs, ballots, budget):
    for ballot in ballots:
        try:
            validate_budget_ballot(costs=costs, chosen=ballot, budget=budget)
        except (OverBudget, UnknownItem, DuplicateItem):
            continue
        assert sum(costs[item] for item in ballot) <= budget
        assert len(set(ballot)) == len(ballot)
    result = budget_result(costs=costs, ballots=ballots, budget=budget)
    assert result.spent == sum(costs[item] for item in result.funded) <= budget
    assert sorted(result.ranking) == sorted(costs)


def test_budget_ballot_errors_say_what_is_wrong():
    with pytest.raises(OverBudget, match="cost 110, over the budget of 100"):
        validate_budget_ballot(costs={1: 60, 2: 50}, chosen=[1, 2], budget=100)
    with pytest.raises(UnknownItem):
        validate_budget_ballot(costs={1: 60}, chosen=[3], budget=100)
    with pytest.raises(DuplicateItem):
        validate_budget_ballot(costs={1: 10}, chosen=[1, 1], budget=100)


def test_single_and_approval_counts_break_ties_by_lower_id():
    assert single_choice_result(candidates=[1, 2, 3], ballots=[[2], [3], [9]]).ranking == [2, 3, 1]
    result = approval_result(
        candidates=[1, 2, 3], ballots=[[1, 3], [3, 3], [1, 2, 3]], max_approvals=2
    )
    assert result.counts == {1: 1, 2: 0, 3: 2}  # the three-approval ballot is ignored
    assert result.ranking == [3, 1, 2]


def test_ratings_scores():
    assert bayesian_average(ratings_sum=5, ratings_count=1, prior_mean=3, prior_weight=5) == (
        pytest.approx(20 / 6)
    )
    assert controversy(upvotes=10, downvotes=0) == 0
    assert controversy(upvotes=10, downvotes=10) == 20
    assert controversy(upvotes=50, downvotes=50) > controversy(upvotes=90, downvotes=10)
    older = hot_score(score=10, created_at_epoch=1_800_000_000)
    newer = hot_score(score=1, created_at_epoch=1_800_000_000 + 45000)
    assert newer == pytest.approx(older)  # ten times the score = 12.5 hours of recency
