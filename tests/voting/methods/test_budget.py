"""Participatory budgeting: ballot validation and the greedy allocation, on a worked
example and on random costs, ballots and budgets."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voting.methods.budget import (
    BudgetBallotError,
    DuplicateItem,
    OverBudget,
    UnknownItem,
    budget_result,
    validate_budget_ballot,
)

FAST = settings(max_examples=100, deadline=None)
COSTS = {1: 60, 2: 50, 3: 30, 4: 30, 5: 200}


def test_errors_say_what_is_wrong():
    with pytest.raises(OverBudget, match="These choices cost 110, over the budget of 100."):
        validate_budget_ballot(costs=COSTS, chosen=[1, 2], budget=100)
    with pytest.raises(UnknownItem, match="Item 9 is not on this ballot."):
        validate_budget_ballot(costs=COSTS, chosen=[1, 9], budget=100)
    with pytest.raises(DuplicateItem, match="Item 3 is chosen twice."):
        validate_budget_ballot(costs=COSTS, chosen=[3, 3], budget=100)
    for error in (OverBudget, UnknownItem, DuplicateItem):
        assert issubclass(error, BudgetBallotError)
        assert issubclass(error, ValueError)


def test_exactly_the_budget_and_an_empty_ballot_are_accepted():
    assert validate_budget_ballot(costs=COSTS, chosen=[1, 3, 4], budget=120) is None
    assert validate_budget_ballot(costs=COSTS, chosen=[], budget=0) is None


def test_greedy_allocation_skips_what_no_longer_fits():
    ballots = [[5, 1], [5, 2], [5, 3], [1, 2], [1, 4], [3, 4], [2, 2]]
    # approvals: 5:3, 1:3, 2:3 (the repeated 2 counts once), 3:2, 4:2
    result = budget_result(costs=COSTS, ballots=ballots, budget=150)
    assert result.approvals == {1: 3, 2: 3, 3: 2, 4: 2, 5: 3}
    # Ties on 3 approvals: cheaper first (2 at 50, 1 at 60, 5 at 200); on 2: 3 before 4.
    assert result.ranking == [2, 1, 5, 3, 4]
    # 2 (50) and 1 (60) fit; 5 (200) is skipped; 3 (30) fits (140); 4 (30) no longer does.
    assert result.funded == [2, 1, 3]
    assert result.spent == 140


def test_items_nobody_approved_are_not_funded():
    result = budget_result(costs={1: 10, 2: 10}, ballots=[[1], [99]], budget=100)
    assert result.funded == [1]
    assert result.ranking == [1, 2]


costs_strategy = st.dictionaries(st.integers(1, 12), st.integers(0, 80), min_size=1, max_size=8)
ballot_strategy = st.lists(st.integers(1, 14), max_size=6)
budgets = st.integers(0, 200)


def first_problem(costs, chosen, budget):
    """The error the contract promises: the first unknown or repeated entry, else the
    total over the budget, else none."""
    for position, item in enumerate(chosen):
        if item not in costs:
            return UnknownItem
        if item in chosen[:position]:
            return DuplicateItem
    return OverBudget if sum(costs[item] for item in chosen) > budget else None


@FAST
@given(costs_strategy, ballot_strategy, budgets)
def test_validation_accepts_exactly_the_valid_ballots(costs, chosen, budget):
    valid = (
        all(item in costs for item in chosen)
        and len(set(chosen)) == len(chosen)
        and sum(costs[item] for item in chosen) <= budget
    )
    try:
        validate_budget_ballot(costs=costs, chosen=iter(chosen), budget=budget)
    except BudgetBallotError as error:
        assert type(error) is first_problem(costs, chosen, budget)
        assert not valid
    else:
        assert valid  # never accepts an over-budget, unknown or repeated choice
        assert first_problem(costs, chosen, budget) is None


@FAST
@given(costs_strategy, st.lists(ballot_strategy, max_size=20), budgets)
def test_the_allocation_is_the_greedy_one_and_never_exceeds_the_budget(costs, ballots, budget):
    result = budget_result(costs=costs, ballots=ballots, budget=budget)
    approvals = {item: sum(1 for ballot in ballots if item in ballot) for item in costs}
    assert result.approvals == approvals
    ranking = sorted(costs, key=lambda item: (-approvals[item], costs[item], item))
    assert result.ranking == ranking
    assert result.spent == sum(costs[item] for item in result.funded) <= budget
    remaining, funded = budget, []
    for item in ranking:
        if approvals[item] and costs[item] <= remaining:
            funded.append(item)
            remaining -= costs[item]
    assert result.funded == funded
    # Nothing approved and left out would still fit in what remains.
    for item in costs:
        if approvals[item] and item not in result.funded:
            assert costs[item] > budget - result.spent
