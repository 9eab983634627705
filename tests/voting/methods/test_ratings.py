"""Star ratings (Bayesian average), the hot score and the controversy score."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voting.methods.ratings import HOT_SECONDS_PER_DECADE, bayesian_average, controversy, hot_score

FAST = settings(max_examples=100, deadline=None)
NOW = 1_800_000_000.0


def test_bayesian_average_examples():
    assert bayesian_average(ratings_sum=5, ratings_count=1, prior_mean=3, prior_weight=5) == (
        pytest.approx(20 / 6)
    )
    assert bayesian_average(ratings_sum=0, ratings_count=0, prior_mean=3, prior_weight=5) == 3
    assert bayesian_average(ratings_sum=0, ratings_count=0, prior_mean=3, prior_weight=0) == 3
    one_five = bayesian_average(ratings_sum=5, ratings_count=1, prior_mean=3, prior_weight=5)
    many = bayesian_average(ratings_sum=480, ratings_count=100, prior_mean=3, prior_weight=5)
    assert many > one_five


@FAST
@given(
    st.lists(st.integers(1, 5), max_size=200),
    st.floats(1, 5),
    st.integers(1, 20),
)
def test_bayesian_average_lies_between_the_prior_and_the_mean(stars, prior_mean, weight):
    value = bayesian_average(
        ratings_sum=sum(stars), ratings_count=len(stars), prior_mean=prior_mean,
        prior_weight=weight,
    )  # fmt: skip
    mean = sum(stars) / len(stars) if stars else prior_mean
    assert min(mean, prior_mean) - 1e-9 <= value <= max(mean, prior_mean) + 1e-9
    assert 1 <= value <= 5
    more = bayesian_average(
        ratings_sum=sum(stars) + 5, ratings_count=len(stars) + 1, prior_mean=prior_mean,
        prior_weight=weight,
    )  # fmt: skip
    assert more >= value - 1e-9  # a 5-star rating never lowers the average


def test_hot_score_examples():
    assert hot_score(score=0, created_at_epoch=NOW) == hot_score(score=1, created_at_epoch=NOW)
    assert hot_score(score=100, created_at_epoch=NOW) - hot_score(
        score=1, created_at_epoch=NOW
    ) == pytest.approx(2)
    assert hot_score(score=-100, created_at_epoch=NOW) - hot_score(
        score=-1, created_at_epoch=NOW
    ) == pytest.approx(-2)
    fast = hot_score(score=10, created_at_epoch=NOW, seconds_per_decade=3600, epoch=NOW)
    assert fast == pytest.approx(1)
    later = hot_score(score=1, created_at_epoch=NOW + 3600, seconds_per_decade=3600, epoch=NOW)
    assert later == pytest.approx(fast)


@FAST
@given(st.integers(-(10**6), 10**6), st.floats(1.6e9, 2e9))
def test_ten_times_the_score_is_worth_one_decade_of_recency(score, created):
    decade = HOT_SECONDS_PER_DECADE
    if score > 0:  # ten times the score, or posted one decade later: the same rank
        assert hot_score(score=10 * score, created_at_epoch=created) == pytest.approx(
            hot_score(score=score, created_at_epoch=created + decade), abs=1e-6
        )
    if score < 0:  # ten times worse costs one decade
        assert hot_score(score=10 * score, created_at_epoch=created + decade) == pytest.approx(
            hot_score(score=score, created_at_epoch=created), abs=1e-6
        )
    assert hot_score(score=score + 1, created_at_epoch=created) >= hot_score(
        score=score, created_at_epoch=created
    )
    assert hot_score(score=score, created_at_epoch=created + 1) >= hot_score(
        score=score, created_at_epoch=created
    )


def test_controversy_examples():
    assert controversy(upvotes=10, downvotes=0) == 0
    assert controversy(upvotes=0, downvotes=0) == 0
    assert controversy(upvotes=10, downvotes=10) == 20
    assert controversy(upvotes=90, downvotes=10) == pytest.approx(100 ** (1 / 9))
    assert controversy(upvotes=50, downvotes=50) > controversy(upvotes=90, downvotes=10)


@FAST
@given(st.integers(0, 10**5), st.integers(0, 10**5))
def test_controversy_is_symmetric_and_peaks_when_evenly_split(up, down):
    value = controversy(upvotes=up, downvotes=down)
    assert value == controversy(upvotes=down, downvotes=up)
    if up and down:
        assert 1 <= value <= up + down
        assert value <= controversy(upvotes=(up + down) // 2, downvotes=(up + down + 1) // 2)
    else:
        assert value == 0
