"""Bradley-Terry scores for pairwise comparisons, and the choice of the next pair."""

import math
import random
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain

# Each item plays PRIOR_GAMES virtual wins and as many virtual losses against a virtual
# reference item of strength 1: items with no comparisons, or only wins, keep finite
# scores, and a few answers move a score less than many.
PRIOR_GAMES = 1.0
# SQUAREM's extrapolated log-strengths are clamped here so that exp() stays finite; an
# extrapolation that far out never improves the likelihood and is discarded.
_LOG_STRENGTH_LIMIT = 500.0


class _Model:
    """The penalised likelihood of one set of comparisons, on log-strengths."""

    def __init__(self, size: int, wins: list[float], games: dict[tuple[int, int], int]):
        self.size = size
        self.wins = wins  # actual wins plus PRIOR_GAMES virtual ones
        self.games = games  # (i, j) with i < j -> comparisons between them

    def mm_step(self, theta: list[float]) -> list[float]:
        """One minorise-maximise update (Hunter 2004): s_i <- W_i / sum_j n_ij/(s_i+s_j),
        the virtual item counting 2 * PRIOR_GAMES games at strength 1."""
        strength = [math.exp(t) for t in theta]
        denominators = [2 * PRIOR_GAMES / (s + 1.0) for s in strength]
        for (i, j), n in self.games.items():
            share = n / (strength[i] + strength[j])
            denominators[i] += share
            denominators[j] += share
        return [math.log(self.wins[i] / denominators[i]) for i in range(self.size)]

    def log_likelihood(self, theta: list[float]) -> float:
        strength = [math.exp(t) for t in theta]
        value = sum(w * t for w, t in zip(self.wins, theta, strict=True))
        value -= sum(2 * PRIOR_GAMES * math.log(s + 1.0) for s in strength)
        for (i, j), n in self.games.items():
            value -= n * math.log(strength[i] + strength[j])
        return value


def bradley_terry(
    *,
    items: Sequence[int],
    comparisons: Iterable[tuple[int, int]] = (),
    counted_comparisons: Iterable[tuple[tuple[int, int], int]] = (),
    iterations: int = 2000,
    tolerance: float = 1e-10,
) -> dict[int, float]:
    """Bradley-Terry scores of `items` from `comparisons`, (winner, loser) pairs.

    Model: item i beats item j with probability s_i / (s_i + s_j). Each item also plays
    PRIOR_GAMES virtual wins and PRIOR_GAMES virtual losses against a virtual reference
    item of strength 1 (a Beta-like prior), so every strength is finite and positive,
    and the scale is fixed by the reference item. The strengths maximise this penalised
    likelihood, which is strictly concave in the log-strengths: the maximum is unique.

    Fit: the MM algorithm (Hunter 2004), accelerated by SQUAREM (Varadhan and Roland
    2008) with a fall-back to plain MM steps whenever an extrapolation would lower the
    likelihood, so every iteration improves it. It stops when one MM step changes no
    log-strength by more than `tolerance`, or after `iterations` accelerated steps.

    Returns, for each item, the probability that it beats the reference item,
    s / (s + 1), in (0, 1): an item nobody has judged scores exactly 0.5, an item with
    only wins above 0.5, one with only losses below. Pairs naming an item not in
    `items`, or the same item twice, are ignored; duplicate ids in `items` count once.
    `counted_comparisons` holds identical comparisons grouped as ((winner, loser), count),
    counted as that many single ones after `comparisons`: given in the order of their first
    appearance, they give the very same floating-point scores as the single ones."""
    items = list(dict.fromkeys(items))
    if not items:
        return {}
    index = {item: i for i, item in enumerate(items)}
    wins = [PRIOR_GAMES] * len(items)
    games: dict[tuple[int, int], int] = {}
    for (winner, loser), count in chain(((pair, 1) for pair in comparisons), counted_comparisons):
        if winner not in index or loser not in index or winner == loser:
            continue
        i, j = index[winner], index[loser]
        wins[i] += count
        key = (i, j) if i < j else (j, i)
        games[key] = games.get(key, 0) + count
    model = _Model(len(items), wins, games)
    theta = [0.0] * len(items)
    for _ in range(iterations):
        first = model.mm_step(theta)
        if max(abs(a - b) for a, b in zip(first, theta, strict=True)) < tolerance:
            theta = first
            break
        second = model.mm_step(first)
        theta = _squarem(model, theta, first, second)
    return {item: 1.0 / (1.0 + math.exp(-theta[index[item]])) for item in items}


def _squarem(
    model: _Model, theta: list[float], first: list[float], second: list[float]
) -> list[float]:
    """One SQUAREM extrapolation from theta and its next two MM iterates, followed by an
    MM step; the plain second iterate when that would not improve the likelihood."""
    r = [b - a for a, b in zip(theta, first, strict=True)]
    v = [c - 2 * b + a for a, b, c in zip(theta, first, second, strict=True)]
    r_norm = math.sqrt(sum(x * x for x in r))
    v_norm = math.sqrt(sum(x * x for x in v))
    if v_norm == 0.0:
        return second
    alpha = min(-r_norm / v_norm, -1.0)
    if alpha == -1.0:
        return second  # the extrapolation lands on `second` itself
    jump = [
        max(-_LOG_STRENGTH_LIMIT, min(_LOG_STRENGTH_LIMIT, t - 2 * alpha * x + alpha * alpha * y))
        for t, x, y in zip(theta, r, v, strict=True)
    ]
    candidate = model.mm_step(jump)
    if model.log_likelihood(candidate) >= model.log_likelihood(second):
        return candidate
    return second


def next_pair(
    *, items: Sequence[int], comparison_counts: Mapping[int, int], rng: random.Random
) -> tuple[int, int]:
    """Two different items to compare next, in random order.

    Each is drawn with weight 1 / (1 + its comparisons so far; 0 when absent from
    `comparison_counts`), the second among the items left once the first is drawn, so
    that ideas shown less often are shown more often (new ideas catch up). Duplicate ids
    in `items` count once; fewer than two different items raise ValueError."""
    items = list(dict.fromkeys(items))
    if len(items) < 2:
        raise ValueError("Need at least two different items to compare.")
    weights = [1.0 / (1 + max(comparison_counts.get(item, 0), 0)) for item in items]
    first = rng.choices(range(len(items)), weights=weights)[0]
    rest = [i for i in range(len(items)) if i != first]
    second = rng.choices(rest, weights=[weights[i] for i in rest])[0]
    pair = (items[first], items[second])
    return pair if rng.random() < 0.5 else (pair[1], pair[0])
