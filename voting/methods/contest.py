"""The creative contest's ranking: a jury's weighted criteria and the public's stars.

Pure functions on plain data (no Django, no database). Arithmetic is exact (fractions), so
two entries tie only when their parts are truly equal, and a tie is broken the same way on
every machine:

- a juror's score of an entry is the weighted mean of the criteria they scored
  (1..`score_max`), scaled to 0..1; the entry's jury part is the mean over the jurors who
  scored it (None when nobody did, counted as 0 in the combination);
- the public part is the Bayesian average of its stars (as if `prior_weight` more ratings
  of `prior_mean` had been given: voting.methods.ratings), scaled from 1..5 to 0..1, so an
  entry without stars gets 0.5;
- combined = jury_weight% × jury + (100 − jury_weight)% × public;
- ranking: combined, then the jury part, then the lower idea id first."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from voting.methods.ratings import bayesian_average

STAR_MIN, STAR_MAX = 1, 5
# The same prior as the star format's tallies (voting.tally): five ratings of 3 stars.
PUBLIC_PRIOR_MEAN, PUBLIC_PRIOR_WEIGHT = 3, 5


@dataclass(frozen=True)
class ContestRow:
    idea_id: int
    jury: Fraction | None  # 0..1, None: no juror scored it
    public: Fraction  # 0..1
    combined: Fraction  # 0..1
    jurors: int  # jurors who scored it
    ratings: int  # public star ratings


@dataclass(frozen=True)
class ContestResult:
    ranking: tuple[int, ...]
    rows: dict[int, ContestRow]


def scale(value, *, low: int, high: int) -> Fraction:
    """`value` in low..high as a fraction of the way from low to high (0..1)."""
    return (Fraction(value) - low) / (high - low)


def juror_entry_score(
    scores: Mapping[int, int], weights: Mapping[int, int], *, score_min: int, score_max: int
) -> Fraction | None:
    """One juror's score of one entry: the weighted mean of the criteria they scored,
    scaled to 0..1. Scores of criteria not in `weights` are ignored; None if none is left."""
    counted = {criterion: value for criterion, value in scores.items() if weights.get(criterion)}
    total_weight = sum(weights[criterion] for criterion in counted)
    if not total_weight:
        return None
    weighted = sum(
        weights[criterion] * scale(value, low=score_min, high=score_max)
        for criterion, value in counted.items()
    )
    return Fraction(weighted) / total_weight


def jury_part(
    by_juror: Mapping[int, Mapping[int, int]],
    weights: Mapping[int, int],
    *,
    score_min: int,
    score_max: int,
) -> tuple[Fraction | None, int]:
    """(the mean over jurors of their entry score, how many jurors count) for one entry."""
    scores = [
        score
        for score in (
            juror_entry_score(criteria, weights, score_min=score_min, score_max=score_max)
            for criteria in by_juror.values()
        )
        if score is not None
    ]
    if not scores:
        return None, 0
    return sum(scores, Fraction(0)) / len(scores), len(scores)


def public_part(
    ratings_sum: int,
    ratings_count: int,
    *,
    prior_mean: int = PUBLIC_PRIOR_MEAN,
    prior_weight: int = PUBLIC_PRIOR_WEIGHT,
) -> Fraction:
    """The Bayesian average of an entry's stars, scaled from 1..5 to 0..1."""
    average = bayesian_average(
        ratings_sum=Fraction(ratings_sum),
        ratings_count=ratings_count,
        prior_mean=Fraction(prior_mean),
        prior_weight=prior_weight,
    )
    return scale(average, low=STAR_MIN, high=STAR_MAX)


def combine(jury: Fraction | None, public: Fraction, *, jury_weight: int) -> Fraction:
    """jury_weight percent of the jury part (0 when nobody scored) plus the rest of the
    public part."""
    share = Fraction(jury_weight, 100)
    return share * (jury or 0) + (1 - share) * public


def contest_result(
    *,
    candidates: Iterable[int],
    jury_scores: Iterable[tuple[int, int, int, int]],
    star_votes: Iterable[tuple[int, int]],
    weights: Mapping[int, int],
    jury_weight: int,
    score_min: int = 1,
    score_max: int = 10,
) -> ContestResult:
    """Rank `candidates` (idea ids). `jury_scores`: (juror, idea, criterion, value) rows;
    `star_votes`: (idea, stars) rows; `weights`: {criterion: weight}; `jury_weight`: the
    jury's share in percent (0..100). Rows about other ideas, out-of-range values and
    unknown criteria are ignored."""
    if not 0 <= jury_weight <= 100:
        raise ValueError("jury_weight is a percentage (0..100)")
    allowed = set(candidates)
    by_idea: dict[int, dict[int, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for juror, idea, criterion, value in jury_scores:
        if idea in allowed and criterion in weights and score_min <= value <= score_max:
            by_idea[idea][juror][criterion] = value
    stars: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for idea, value in star_votes:
        if idea in allowed and STAR_MIN <= value <= STAR_MAX:
            stars[idea][0] += value
            stars[idea][1] += 1
    rows = {}
    for idea in allowed:
        jury, jurors = jury_part(
            by_idea.get(idea, {}), weights, score_min=score_min, score_max=score_max
        )
        ratings_sum, ratings_count = stars.get(idea, (0, 0))
        public = public_part(ratings_sum, ratings_count)
        rows[idea] = ContestRow(
            idea_id=idea,
            jury=jury,
            public=public,
            combined=combine(jury, public, jury_weight=jury_weight),
            jurors=jurors,
            ratings=ratings_count,
        )
    ranking = sorted(
        allowed, key=lambda idea: (-rows[idea].combined, -(rows[idea].jury or 0), idea)
    )
    return ContestResult(ranking=tuple(ranking), rows=rows)
