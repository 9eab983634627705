"""Bradley-Terry: the MM fit against a direct maximum-likelihood fit (Newton's method,
written here), symmetry and order properties, and the choice of the next pair."""

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voting.methods.bradley_terry import PRIOR_GAMES, bradley_terry, next_pair

FAST = settings(max_examples=100, deadline=None)


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


def solve(matrix, vector):
    """Gaussian elimination with partial pivoting (matrix is small and non-singular)."""
    n = len(vector)
    rows = [[*matrix[i], vector[i]] for i in range(n)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        for r in range(col + 1, n):
            factor = rows[r][col] / rows[col][col]
            for c in range(col, n + 1):
                rows[r][c] -= factor * rows[col][c]
    x = [0.0] * n
    for r in reversed(range(n)):
        x[r] = (rows[r][n] - sum(rows[r][c] * x[c] for c in range(r + 1, n))) / rows[r][r]
    return x


def newton_fit(items, comparisons):
    """Reference: maximise the same penalised log-likelihood on log-strengths theta,
    comparison by comparison, with Newton steps halved until the likelihood improves.
    Each item plays PRIOR_GAMES wins and losses against a fixed item with theta = 0."""
    index = {item: i for i, item in enumerate(items)}
    pairs = [
        (index[winner], index[loser])
        for winner, loser in comparisons
        if winner in index and loser in index and winner != loser
    ]
    n = len(items)

    def log_likelihood(theta):
        value = sum(math.log(sigmoid(theta[i] - theta[j])) for i, j in pairs)
        return value + sum(
            PRIOR_GAMES * (math.log(sigmoid(t)) + math.log(sigmoid(-t))) for t in theta
        )

    theta = [0.0] * n
    for _ in range(200):
        gradient = [0.0] * n
        hessian = [[0.0] * n for _ in range(n)]
        for i, j in pairs:
            p = sigmoid(theta[i] - theta[j])
            gradient[i] += 1 - p
            gradient[j] -= 1 - p
            curvature = p * (1 - p)
            hessian[i][i] -= curvature
            hessian[j][j] -= curvature
            hessian[i][j] += curvature
            hessian[j][i] += curvature
        for i in range(n):
            p = sigmoid(theta[i])
            gradient[i] += PRIOR_GAMES * (1 - 2 * p)
            hessian[i][i] -= 2 * PRIOR_GAMES * p * (1 - p)
        if max(abs(g) for g in gradient) < 1e-12:
            break
        step = solve(hessian, gradient)
        size, current = 1.0, log_likelihood(theta)
        while True:
            trial = [t - size * s for t, s in zip(theta, step, strict=True)]
            if log_likelihood(trial) >= current or size < 1e-9:
                break
            size /= 2
        theta = trial
    return {item: sigmoid(theta[index[item]]) for item in items}


item_sets = st.lists(st.integers(1, 99), min_size=1, max_size=5, unique=True)
surveys = item_sets.flatmap(
    lambda items: st.tuples(
        st.just(items),
        st.lists(st.tuples(st.sampled_from(items), st.sampled_from(items)), max_size=40),
    )
)


@FAST
@given(surveys)
def test_bradley_terry_matches_a_direct_maximum_likelihood_fit(survey):
    items, comparisons = survey
    scores = bradley_terry(items=items, comparisons=comparisons)
    reference = newton_fit(items, comparisons)
    assert set(scores) == set(items)
    for item in items:
        assert 0 < scores[item] < 1
        assert scores[item] == pytest.approx(reference[item], abs=1e-7)


def test_a_lopsided_chain_converges_where_plain_mm_is_slow():
    """Each item beats the next 50 times: plain MM creeps towards the optimum (after 500
    steps an item in the middle is still 0.09 off); the accelerated fit is exact."""
    items = list(range(1, 9))
    comparisons = [(i, i + 1) for i in items[:-1] for _ in range(50)]
    scores = bradley_terry(items=items, comparisons=comparisons)
    reference = newton_fit(items, comparisons)
    for item in items:
        assert scores[item] == pytest.approx(reference[item], abs=1e-7)
    assert sorted(items, key=lambda item: -scores[item]) == items


@FAST
@given(surveys)
def test_reversing_every_answer_mirrors_the_scores(survey):
    items, comparisons = survey
    scores = bradley_terry(items=items, comparisons=comparisons)
    mirrored = bradley_terry(items=items, comparisons=[(b, a) for a, b in comparisons])
    for item in items:
        assert mirrored[item] == pytest.approx(1 - scores[item], abs=1e-7)


@FAST
@given(surveys, st.randoms(use_true_random=False))
def test_scores_follow_the_items_not_their_ids_or_the_order(survey, rng):
    items, comparisons = survey
    scores = bradley_terry(items=items, comparisons=comparisons)
    rename = dict(zip(items, rng.sample(range(1000, 2000), len(items)), strict=True))
    shuffled = [(rename[a], rename[b]) for a, b in comparisons]
    rng.shuffle(shuffled)
    renamed = bradley_terry(
        items=rng.sample(list(rename.values()), len(items)), comparisons=shuffled
    )
    for item in items:
        assert renamed[rename[item]] == pytest.approx(scores[item], abs=1e-7)


@FAST
@given(surveys, st.integers(1, 5))
def test_the_dominant_item_of_two_equals_ranks_first(survey, extra_wins):
    """Make two items equal (every answer also appears with the two swapped), then let
    the first beat the second `extra_wins` more times: it must score strictly higher,
    and the direct fit agrees on the order."""
    items, comparisons = survey
    if len(items) < 2:
        return
    a, b = items[0], items[1]
    swap = {a: b, b: a}
    mirrored = [(swap.get(x, x), swap.get(y, y)) for x, y in comparisons]
    balanced = comparisons + mirrored
    equal = bradley_terry(items=items, comparisons=balanced)
    assert equal[a] == pytest.approx(equal[b], abs=1e-9)
    scores = bradley_terry(items=items, comparisons=balanced + [(a, b)] * extra_wins)
    assert scores[a] > scores[b]
    reference = newton_fit(items, balanced + [(a, b)] * extra_wins)
    assert reference[a] > reference[b]


@FAST
@given(surveys)
def test_unbeaten_items_score_above_a_half_winless_ones_below_unseen_ones_exactly(survey):
    items, comparisons = survey
    scores = bradley_terry(items=items, comparisons=comparisons)
    played = [(winner, loser) for winner, loser in comparisons if winner != loser]
    for item in items:
        wins = sum(1 for winner, _ in played if winner == item)
        losses = sum(1 for _, loser in played if loser == item)
        if wins and not losses:
            assert scores[item] > 0.5
        elif losses and not wins:
            assert scores[item] < 0.5
        elif not wins and not losses:
            assert scores[item] == pytest.approx(0.5, abs=1e-12)


def test_unknown_items_and_self_comparisons_are_ignored():
    scores = bradley_terry(items=[1, 2, 2], comparisons=[(1, 1), (3, 1), (1, 3), (1, 2)])
    assert scores == bradley_terry(items=[1, 2], comparisons=[(1, 2)])
    assert scores[1] > 0.5 > scores[2]
    assert scores[1] == pytest.approx(1 - scores[2])
    assert bradley_terry(items=[], comparisons=[(1, 2)]) == {}


# --- next_pair ----------------------------------------------------------------------------


@FAST
@given(
    st.lists(st.integers(1, 9), min_size=1, max_size=12),
    st.dictionaries(st.integers(1, 9), st.integers(0, 1000)),
    st.randoms(use_true_random=False),
)
def test_next_pair_returns_two_different_items(items, counts, rng):
    if len(set(items)) < 2:
        with pytest.raises(ValueError, match="two different items"):
            next_pair(items=items, comparison_counts=counts, rng=rng)
        return
    left, right = next_pair(items=items, comparison_counts=counts, rng=rng)
    assert left != right
    assert left in items and right in items


def appearance_probabilities(counts):
    """The exact probability that each item is one of the pair: drawn first, or second
    among the others (weights 1 / (1 + comparisons))."""
    weights = {item: 1 / (1 + n) for item, n in counts.items()}
    total = sum(weights.values())
    return {
        item: weight / total
        + sum(
            other_weight / total * weight / (total - other_weight)
            for other, other_weight in weights.items()
            if other != item
        )
        for item, weight in weights.items()
    }


def test_next_pair_favours_the_less_compared_items():
    counts = {1: 0, 2: 3, 3: 10, 4: 10, 5: 60, 6: 200}
    rng = random.Random(2024)
    draws = 20000
    seen = dict.fromkeys(counts, 0)
    left_side = dict.fromkeys(counts, 0)
    for _ in range(draws):
        left, right = next_pair(items=list(counts), comparison_counts=counts, rng=rng)
        assert left != right
        seen[left] += 1
        seen[right] += 1
        left_side[left] += 1
    expected = appearance_probabilities(counts)
    for item, probability in expected.items():
        sigma = math.sqrt(draws * probability * (1 - probability))
        assert abs(seen[item] - draws * probability) < 5 * sigma
    assert seen[1] > seen[2] > seen[3] > seen[5] > seen[6]
    assert seen[1] > 0.6 * draws  # a new idea is in most pairs until it catches up
    for item in counts:  # and sides are random
        assert abs(left_side[item] - seen[item] / 2) < 5 * math.sqrt(seen[item] / 4) + 1
