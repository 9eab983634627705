"""Participatory budgeting: knapsack ballots and the greedy allocation."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


class BudgetBallotError(ValueError):
    """A budget ballot that cannot be accepted; the message says why."""


class UnknownItem(BudgetBallotError):
    """The ballot chooses an item that is not on it."""


class DuplicateItem(BudgetBallotError):
    """The ballot chooses the same item more than once."""


class OverBudget(BudgetBallotError):
    """The chosen items cost more than the budget."""


def validate_budget_ballot(*, costs: Mapping[int, int], chosen: Iterable[int], budget: int) -> None:
    """Return None when the ballot can be accepted, else raise a BudgetBallotError.

    The chosen items are read in order, and the first that is not a key of `costs`
    raises UnknownItem, or that was already chosen raises DuplicateItem; then a total
    cost over `budget` raises OverBudget. An empty ballot is valid (it spends nothing)."""
    chosen = list(chosen)
    seen: set[int] = set()
    for item in chosen:
        if item not in costs:
            raise UnknownItem(f"Item {item} is not on this ballot.")
        if item in seen:
            raise DuplicateItem(f"Item {item} is chosen twice.")
        seen.add(item)
    total = sum(costs[item] for item in chosen)
    if total > budget:
        raise OverBudget(f"These choices cost {total}, over the budget of {budget}.")


@dataclass(frozen=True)
class BudgetResult:
    approvals: dict[int, int]  # ballots choosing each item
    ranking: list[int]  # every item: more approvals first, ties lower cost, then lower id
    funded: list[int]  # the greedy allocation, in ranking order
    spent: int  # total cost of `funded`, never over the budget


def budget_result(
    *, costs: Mapping[int, int], ballots: Iterable[Iterable[int]], budget: int
) -> BudgetResult:
    """Count the approvals of each item of `costs`, then allocate `budget` greedily.

    Each ballot approves the items it chooses: an item chosen twice counts once, items
    not in `costs` are ignored (ballots are validated when cast, so this is only a
    guard). The ranking orders items by more approvals, ties broken by the lower cost
    (more ideas fit), then the lower id (submitted earlier). Items are then funded in
    ranking order, skipping any that no longer fit the remaining budget (the greedy rule
    of most participatory budgets); items nobody approved are never funded."""
    approvals = dict.fromkeys(costs, 0)
    for ballot in ballots:
        for item in set(ballot):
            if item in approvals:
                approvals[item] += 1
    return budget_allocation(costs=costs, approvals=approvals, budget=budget)


def budget_allocation(
    *, costs: Mapping[int, int], approvals: Mapping[int, int], budget: int
) -> BudgetResult:
    """Rank and fund the items of `costs` from their approvals already counted (by
    `budget_result`, or by the database): the same ranking and greedy rule."""
    approvals = {item: approvals.get(item, 0) for item in costs}
    ranking = sorted(approvals, key=lambda item: (-approvals[item], costs[item], item))
    funded: list[int] = []
    spent = 0
    for item in ranking:
        if approvals[item] > 0 and spent + costs[item] <= budget:
            funded.append(item)
            spent += costs[item]
    return BudgetResult(approvals=approvals, ranking=ranking, funded=funded, spent=spent)
