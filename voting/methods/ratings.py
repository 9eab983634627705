"""Scores derived from counts: star ratings, hot and controversial orders."""

import math

# Reddit's hot score: each factor of 10 in score is worth 12.5 hours of recency.
HOT_SECONDS_PER_DECADE = 45000
HOT_EPOCH = 1_700_000_000  # any fixed origin; only differences matter


def bayesian_average(
    *, ratings_sum: float, ratings_count: int, prior_mean: float, prior_weight: float
) -> float:
    """The mean rating as if `prior_weight` more ratings of `prior_mean` had been given: a
    single 5-star rating does not outrank a hundred 4.8-star ones."""
    return (ratings_sum + prior_mean * prior_weight) / (ratings_count + prior_weight)


def hot_score(*, score: int, created_at_epoch: float) -> float:
    """log10 of the net score, signed, plus the age term: newer ideas need fewer votes."""
    order = math.log10(max(abs(score), 1))
    sign = 1 if score > 0 else -1 if score < 0 else 0
    return round(sign * order + (created_at_epoch - HOT_EPOCH) / HOT_SECONDS_PER_DECADE, 7)


def controversy(*, upvotes: int, downvotes: int) -> float:
    """Many votes, evenly split, rank first: (up + down) ** (smaller / larger)."""
    if upvotes <= 0 or downvotes <= 0:
        return 0.0
    balance = min(upvotes, downvotes) / max(upvotes, downvotes)
    return (upvotes + downvotes) ** balance
