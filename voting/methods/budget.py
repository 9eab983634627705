"""Participatory budgeting: knapsack ballots and the greedy allocation."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


class BudgetBallotError(ValueError):
    """A budget ballot that cannot be accepted; the message says why."""


class OverBudget(BudgetBallotError):
    pass


class UnknownItem(BudgetBallotError):
    pass


class DuplicateItem(BudgetBallotError):
    pass


def validate_budget_ballot(*, costs: Mapping[int, int], chosen: Iterable[int], budget: int) -> None:
    """Raise unless every chosen item exists, appears once, and the total fits `budget`."""
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
    approvals: dict[int, int]
    ranking: list[int]  # by approvals, ties: lower cost, then lower id
    funded: list[int]  # in ranking order
    spent: int


def budget_result(
    *, costs: Mapping[int, int], ballots: Iterable[Sequence[int]], budget: int
) -> BudgetResult:
    """Count approvals; then fund items in ranking order, skipping any that no longer fit
    the remaining budget (the greedy rule of most participatory budgets). Ties between
    items with as many approvals: the cheaper first, then the lower id."""
    approvals = dict.fromkeys(costs, 0)
    for ballot in ballots:
        for item in set(ballot):
            if item in approvals:
                approvals[item] += 1
    ranking = sorted(approvals, key=lambda item: (-approvals[item], costs[item], item))
    funded, spent = [], 0
    for item in ranking:
        if approvals[item] > 0 and spent + costs[item] <= budget:
            funded.append(item)
            spent += costs[item]
    return BudgetResult(approvals=approvals, ranking=ranking, funded=funded, spent=spent)
