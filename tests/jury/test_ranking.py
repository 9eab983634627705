"""The contest's ranking math (voting/methods/contest.py): pure functions, exact fractions."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voting.methods.contest import (
    combine,
    contest_result,
    juror_entry_score,
    jury_part,
    public_part,
)

WEIGHTS = {1: 40, 2: 40, 3: 20}  # originality, fit with the brief, feasibility


def test_a_jurors_score_is_the_weighted_mean_of_the_criteria_scaled_to_one():
    # (10-1)/9 = 1, (1-1)/9 = 0, (4-1)/9 = 1/3: 0.4*1 + 0.4*0 + 0.2/3
    score = juror_entry_score({1: 10, 2: 1, 3: 4}, WEIGHTS, score_min=1, score_max=10)
    assert score == Fraction(2, 5) + Fraction(1, 15)


def test_criteria_not_scored_leave_the_weights_of_those_scored():
    assert juror_entry_score({1: 10}, WEIGHTS, score_min=1, score_max=10) == 1
    assert juror_entry_score({9: 10}, WEIGHTS, score_min=1, score_max=10) is None


def test_the_jury_part_is_the_mean_over_jurors():
    by_juror = {7: {1: 10, 2: 10, 3: 10}, 8: {1: 1, 2: 1, 3: 1}}
    assert jury_part(by_juror, WEIGHTS, score_min=1, score_max=10) == (Fraction(1, 2), 2)
    assert jury_part({}, WEIGHTS, score_min=1, score_max=10) == (None, 0)


def test_the_public_part_is_the_bayesian_average_of_the_stars_scaled_to_one():
    assert public_part(0, 0) == Fraction(1, 2)  # no stars: the prior, 3 stars
    # One 5-star rating with five of 3 stars: 20/6 stars, (20/6 - 1)/4 = 7/12.
    assert public_part(5, 1) == Fraction(7, 12)
    # A hundred 5-star ratings come close to 1 but not quite.
    assert Fraction(9, 10) < public_part(500, 100) < 1


def test_combine_weighs_the_jury_and_the_public():
    assert combine(Fraction(1), Fraction(0), jury_weight=70) == Fraction(7, 10)
    assert combine(None, Fraction(1), jury_weight=70) == Fraction(3, 10)
    assert combine(Fraction(1, 2), Fraction(1), jury_weight=0) == 1


def test_the_jury_decides_at_seventy_percent_and_the_public_at_ten():
    """The jury loves entry 1, the public loves entry 2."""
    jury = [(7, 1, c, 10) for c in WEIGHTS] + [(7, 2, c, 2) for c in WEIGHTS]
    stars = [(2, 5)] * 50 + [(1, 1)] * 50
    kwargs = {"candidates": [1, 2], "jury_scores": jury, "star_votes": stars, "weights": WEIGHTS}
    assert contest_result(**kwargs, jury_weight=70).ranking == (1, 2)
    assert contest_result(**kwargs, jury_weight=10).ranking == (2, 1)


def test_an_exact_tie_goes_to_the_lower_id():
    # Entries 4 and 5: one juror gives 10, another 1 (jury 1/2), no stars (public 1/2).
    # Entry 6: a single 10 (jury 1) comes first.
    jury = [(1, 5, 1, 10), (2, 5, 1, 1), (1, 4, 1, 10), (2, 4, 1, 1), (1, 6, 1, 10)]
    result = contest_result(
        candidates=[6, 5, 4], jury_scores=jury, star_votes=[], weights={1: 1}, jury_weight=50
    )
    assert result.ranking == (6, 4, 5)
    assert result.rows[4].combined == result.rows[5].combined == Fraction(1, 2)


def test_at_equal_combined_scores_the_jury_breaks_the_tie():
    """At 20% jury: entry 2 has the jury's 10 (1) and no stars (1/2): 0.2 + 0.4 = 0.6;
    entry 1 has the jury's 1 (0) and five 5-star ratings (3/4): 0 + 0.6 = 0.6."""
    result = contest_result(
        candidates=[1, 2],
        jury_scores=[(7, 2, 1, 10), (7, 1, 1, 1)],
        star_votes=[(1, 5)] * 5,
        weights={1: 1},
        jury_weight=20,
    )
    assert result.rows[1].combined == result.rows[2].combined == Fraction(3, 5)
    assert result.ranking == (2, 1)


def test_rows_about_other_ideas_or_out_of_range_are_ignored():
    result = contest_result(
        candidates=[1],
        jury_scores=[(1, 1, 1, 11), (1, 9, 1, 10), (1, 1, 99, 10)],
        star_votes=[(1, 6), (9, 5), (1, 0)],
        weights={1: 1},
        jury_weight=70,
    )
    assert result.rows[1].jury is None and result.rows[1].ratings == 0


def test_the_jury_weight_is_a_percentage():
    with pytest.raises(ValueError):
        contest_result(candidates=[], jury_scores=[], star_votes=[], weights={}, jury_weight=101)


scores = st.integers(min_value=1, max_value=10)
jury_rows = st.lists(
    st.tuples(st.integers(1, 4), st.integers(1, 6), st.sampled_from(sorted(WEIGHTS)), scores),
    max_size=60,
)
star_rows = st.lists(st.tuples(st.integers(1, 6), st.integers(1, 5)), max_size=60)
percent = st.integers(min_value=0, max_value=100)


@given(jury=jury_rows, stars=star_rows, jury_weight=percent)
def test_every_part_stays_between_zero_and_one(jury, stars, jury_weight):
    result = contest_result(
        candidates=range(1, 7), jury_scores=jury, star_votes=stars, weights=WEIGHTS,
        jury_weight=jury_weight,
    )  # fmt: skip
    for row in result.rows.values():
        assert 0 <= row.public <= 1 and 0 <= row.combined <= 1
        assert row.jury is None or 0 <= row.jury <= 1


@given(jury=jury_rows, stars=star_rows, jury_weight=percent)
def test_the_ranking_is_sorted_and_independent_of_the_input_order(jury, stars, jury_weight):
    kwargs = {"weights": WEIGHTS, "jury_weight": jury_weight}
    result = contest_result(candidates=range(1, 7), jury_scores=jury, star_votes=stars, **kwargs)
    again = contest_result(
        candidates=reversed(range(1, 7)), jury_scores=list(reversed(jury)),
        star_votes=list(reversed(stars)), **kwargs,
    )  # fmt: skip
    # The last score a juror gave a (entry, criterion) wins: only compare when unambiguous.
    keys = [(juror, idea, criterion) for juror, idea, criterion, _value in jury]
    if len(keys) == len(set(keys)):
        assert again.ranking == result.ranking
    keys = [(-result.rows[pk].combined, -(result.rows[pk].jury or 0), pk) for pk in result.ranking]
    assert keys == sorted(keys)
    assert sorted(result.ranking) == list(range(1, 7))


@given(jury=jury_rows, stars=star_rows)
def test_at_a_hundred_percent_the_jury_alone_ranks(jury, stars):
    result = contest_result(
        candidates=range(1, 7), jury_scores=jury, star_votes=stars, weights=WEIGHTS,
        jury_weight=100,
    )  # fmt: skip
    juries = [result.rows[pk].jury or 0 for pk in result.ranking]
    assert juries == sorted(juries, reverse=True)


@given(jury=jury_rows, stars=star_rows, extra=st.integers(1, 6))
def test_a_higher_jury_score_never_lowers_an_entry(jury, stars, extra):
    """Raising every score a juror gives one entry to 10 never moves it down."""
    kwargs = {"candidates": range(1, 7), "star_votes": stars, "weights": WEIGHTS,
              "jury_weight": 70}  # fmt: skip
    before = contest_result(jury_scores=jury, **kwargs)
    raised = [(j, i, c, 10 if i == extra else v) for j, i, c, v in jury]
    after = contest_result(jury_scores=raised, **kwargs)
    assert after.ranking.index(extra) <= before.ranking.index(extra)
