"""Single choice and approval counts, against a plain count written here."""

from hypothesis import given, settings
from hypothesis import strategies as st

from voting.methods.approval import approval_result, single_choice_result

FAST = settings(max_examples=100, deadline=None)


def test_single_choice_counts_first_entries_and_breaks_ties_by_lower_id():
    result = single_choice_result(candidates=[3, 1, 2], ballots=[[2], [3, 1], [9], [], [3]])
    assert result.counts == {3: 2, 1: 0, 2: 1}
    assert result.ranking == [3, 2, 1]
    assert single_choice_result(candidates=[5, 4], ballots=[[5], [4]]).ranking == [4, 5]


def test_approval_counts_each_candidate_once_and_ignores_ballots_over_the_limit():
    ballots = [[1, 3], [3, 3], [1, 2, 3], [2, 99]]
    result = approval_result(candidates=[1, 2, 3], ballots=ballots, max_approvals=2)
    assert result.counts == {1: 1, 2: 1, 3: 2}  # [1, 2, 3] is over the limit
    assert result.ranking == [3, 1, 2]
    for no_limit in (None, 0):
        result = approval_result(candidates=[1, 2, 3], ballots=ballots, max_approvals=no_limit)
        assert result.counts == {1: 2, 2: 2, 3: 3}


candidate_sets = st.lists(st.integers(1, 30), min_size=1, max_size=6, unique=True)
elections = candidate_sets.flatmap(
    lambda candidates: st.tuples(
        st.just(candidates),
        st.lists(st.lists(st.sampled_from([*candidates, 99]), max_size=5), max_size=30),
        st.none() | st.integers(1, 5),
    )
)


@FAST
@given(elections)
def test_counts_and_rankings_match_a_plain_count(election):
    candidates, ballots, limit = election
    single = single_choice_result(candidates=candidates, ballots=ballots)
    expected = {c: sum(1 for b in ballots if b and b[0] == c) for c in candidates}
    assert single.counts == expected
    assert single.ranking == sorted(candidates, key=lambda c: (-expected[c], c))

    approval = approval_result(candidates=candidates, ballots=ballots, max_approvals=limit)
    counted = [
        b for b in ballots if limit is None or len({c for c in b if c in candidates}) <= limit
    ]
    expected = {c: sum(1 for b in counted if c in b) for c in candidates}
    assert approval.counts == expected
    assert approval.ranking == sorted(candidates, key=lambda c: (-expected[c], c))
    for better, worse in zip(approval.ranking, approval.ranking[1:], strict=False):
        assert (expected[better], -better) > (expected[worse], -worse)
