"""Bradley-Terry scores for pairwise comparisons, and the choice of the next pair."""

import random
from collections.abc import Iterable, Mapping, Sequence

# Each item plays one virtual win and one virtual loss against a virtual item of strength
# 1: items with no comparisons, or only wins, keep finite scores, and few answers move a
# score less than many.
PRIOR_GAMES = 1.0


def bradley_terry(
    *,
    items: Sequence[int],
    comparisons: Iterable[tuple[int, int]],
    iterations: int = 500,
    tolerance: float = 1e-9,
) -> dict[int, float]:
    """Strengths by the MM algorithm (Hunter 2004) with the prior above, returned as the
    probability (0-1) that the item beats the virtual reference item of strength 1 (an
    item nobody has judged yet scores 0.5). `comparisons` are (winner, loser) pairs."""
    items = list(items)
    if not items:
        return {}
    index = {item: i for i, item in enumerate(items)}
    wins = [PRIOR_GAMES] * len(items)
    games: dict[tuple[int, int], int] = {}
    for winner, loser in comparisons:
        if winner not in index or loser not in index or winner == loser:
            continue
        wins[index[winner]] += 1
        key = (min(index[winner], index[loser]), max(index[winner], index[loser]))
        games[key] = games.get(key, 0) + 1
    strength = [1.0] * len(items)
    for _ in range(iterations):
        denominators = [2 * PRIOR_GAMES / (s + 1.0) for s in strength]
        for (i, j), n in games.items():
            total = strength[i] + strength[j]
            denominators[i] += n / total
            denominators[j] += n / total
        new = [wins[i] / denominators[i] for i in range(len(items))]
        change = max(abs(a - b) for a, b in zip(new, strength, strict=True))
        strength = new
        if change < tolerance:
            break
    return {item: strength[index[item]] / (strength[index[item]] + 1.0) for item in items}


def next_pair(
    *, items: Sequence[int], comparison_counts: Mapping[int, int], rng: random.Random
) -> tuple[int, int]:
    """Two different items, each drawn with weight 1 / (1 + comparisons so far), so that
    ideas seen less often are shown more often (new ideas catch up)."""
    items = list(items)
    if len(items) < 2:
        raise ValueError("need at least two items")
    weights = [1.0 / (1 + comparison_counts.get(item, 0)) for item in items]
    first = rng.choices(range(len(items)), weights=weights)[0]
    rest = [i for i in range(len(items)) if i != first]
    second = rng.choices(rest, weights=[weights[i] for i in rest])[0]
    pair = (items[first], items[second])
    return pair if rng.random() < 0.5 else (pair[1], pair[0])
