"""Scores derived from counts: star ratings, hot and controversial orders."""

import math

# Reddit's hot score: each factor of 10 in net score is worth 45,000 s (12.5 hours) of
# recency.
HOT_SECONDS_PER_DECADE = 45000
HOT_EPOCH = 1_700_000_000  # any fixed origin; only differences between ideas matter


def bayesian_average(
    *, ratings_sum: float, ratings_count: int, prior_mean: float, prior_weight: float
) -> float:
    """The mean rating as if `prior_weight` more ratings of `prior_mean` had been given:
    (ratings_sum + prior_mean * prior_weight) / (ratings_count + prior_weight). A single
    5-star rating does not outrank a hundred 4.8-star ones. With no ratings (and no
    prior weight) the result is `prior_mean`."""
    weight = ratings_count + prior_weight
    if weight <= 0:
        return float(prior_mean)
    return (ratings_sum + prior_mean * prior_weight) / weight


def hot_score(
    *,
    score: int,
    created_at_epoch: float,
    seconds_per_decade: float = HOT_SECONDS_PER_DECADE,
    epoch: float = HOT_EPOCH,
) -> float:
    """Reddit's "hot" order: sign(score) * log10(max(|score|, 1)) plus the age term
    (created_at_epoch - epoch) / seconds_per_decade, rounded to 7 decimals.

    An idea ten times as popular ranks as high as one posted `seconds_per_decade` later
    (12.5 hours by default); newer ideas need fewer votes. The score never decays with
    the clock: it is fixed at creation plus votes, so it can be stored and indexed."""
    order = math.log10(max(abs(score), 1))
    sign = 1 if score > 0 else -1 if score < 0 else 0
    return round(sign * order + (created_at_epoch - epoch) / seconds_per_decade, 7)


def controversy(*, upvotes: int, downvotes: int) -> float:
    """Reddit's controversy: (up + down) ** (smaller / larger) when both are positive,
    else 0. Many votes, evenly split, rank first."""
    if upvotes <= 0 or downvotes <= 0:
        return 0.0
    balance = min(upvotes, downvotes) / max(upvotes, downvotes)
    return (upvotes + downvotes) ** balance


def wilson_lower_bound(upvotes: int, downvotes: int, z: float = 1.96) -> float:
    """Lower bound of the 95% confidence interval of the share of up votes: ranks 9 up /
    1 down above 1 up / 0 down, so an idea does not win on one early vote."""
    n = upvotes + downvotes
    if n == 0:
        return 0.0
    phat = upvotes / n
    centre = phat + z * z / (2 * n)
    margin = z * math.sqrt((phat * (1 - phat) + z * z / (4 * n)) / n)
    return (centre - margin) / (1 + z * z / n)
