"""Participatory budget: ideas come with a cost; each voter picks ideas within the budget;
the most approved ideas are funded until the money runs out."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ApplicationError
from ideas.models import Idea
from voting import ballot_counts
from voting.formats.base import BallotFormat
from voting.formats.registry import register
from voting.formats.single import str_keys
from voting.methods.budget import (
    BudgetBallotError,
    budget_allocation,
    budget_result,
    validate_budget_ballot,
)


def _costs(candidates: list[int]) -> dict[int, int | None]:
    return dict(Idea.objects.filter(pk__in=candidates).values_list("pk", "cost"))


def _count(campaign, costs: dict[int, int | None], **counted) -> tuple[list[int], dict]:
    """Rank and fund from the ballots (`ballots=`) or their approvals (`approvals=`)."""
    known_costs = {pk: cost or 0 for pk, cost in costs.items()}
    budget = campaign.budget_amount or 0
    if "ballots" in counted:
        result = budget_result(costs=known_costs, ballots=counted["ballots"], budget=budget)
    else:
        result = budget_allocation(costs=known_costs, approvals=counted["approvals"], budget=budget)
    details = {
        "counts": str_keys(result.approvals),
        "funded": list(result.funded),
        "spent": result.spent,
        "costs": str_keys(costs),
    }
    return list(result.ranking), details


@register
class BudgetFormat(BallotFormat):
    key = "budget"
    counts_incrementally = True  # the live result, from the aggregate (voting/aggregates.py)
    label = gettext_lazy("Budget allocation")
    ideas_have_cost = True
    # Spending nothing is a choice a voter may make.
    allows_empty_ballot = True
    builder_fields = ("budget_amount", "max_votes_per_voter", "results_embargo")
    preset_defaults = {"budget_amount": 100_000}
    idea_export_columns = (("cost", "cost"),)
    templates = {
        "ballot_intro": "voting/formats/budget/ballot_intro.html",
        "ballot_choice": "voting/formats/budget/ballot_choice.html",
        "ballot_footer": "voting/formats/budget/ballot_footer.html",
        "results": "",
    }

    def clean_idea_cost(self, *, campaign, cost):
        if cost is None or cost <= 0:
            raise ApplicationError(_("Say what your idea would cost."), field="cost")
        if campaign.budget_amount and cost > campaign.budget_amount:
            raise ApplicationError(
                _("This costs more than the whole budget (%(budget)d).")
                % {"budget": campaign.budget_amount},
                field="cost",
            )
        return cost

    def settings_problems(self, values):
        if not values.get("budget_amount"):
            return [("budget_amount", _("A budget campaign needs a budget."))]
        return []

    def validate_ballot_ideas(self, *, campaign, choices, ideas):
        try:
            validate_budget_ballot(
                costs={pk: idea.cost or 0 for pk, idea in ideas.items()},
                chosen=choices,
                budget=campaign.budget_amount or 0,
            )
        except BudgetBallotError as error:
            total = sum(ideas[pk].cost or 0 for pk in choices)
            raise ApplicationError(
                _("These choices cost %(total)s, over the budget of %(budget)s.")
                % {"total": total, "budget": campaign.budget_amount or 0},
                field="choices",
            ) from error

    def compute_result(self, *, campaign, entries, candidates):
        ballots = self.ballots(entries=entries, candidates=candidates)
        ranking, details = _count(campaign, _costs(candidates), ballots=ballots)
        return ranking, details, len(ballots)

    def live_result(self, *, campaign, candidates, source=ballot_counts):
        # `source`: ballot_counts (every ballot counted) or aggregate_counts (the results
        # worker's incremental aggregate, voting/aggregates.py): the same counts.
        approvals, counted = source.approval_counts(campaign_id=campaign.pk, candidates=candidates)
        ranking, details = _count(campaign, _costs(candidates), approvals=approvals)
        return ranking, details, counted

    def chart_caption(self, *, details):
        return _("approvals; funded ideas in green")

    def result_columns(self, *, method):
        return ["approvals", "cost", "funded"]

    def result_row(self, *, method, details, pk):
        key = str(pk)
        return [details.get("counts", {}).get(key, 0), details.get("costs", {}).get(key, 0),
                "yes" if pk in details.get("funded", []) else "no"]  # fmt: skip
