"""Participatory budget: ideas come with a cost; each voter picks ideas within the budget;
the most approved ideas are funded until the money runs out."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ApplicationError
from ideas.models import Idea
from voting.formats.base import BallotFormat
from voting.formats.registry import register
from voting.formats.single import str_keys
from voting.methods.budget import BudgetBallotError, budget_result, validate_budget_ballot


@register
class BudgetFormat(BallotFormat):
    key = "budget"
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
        costs = dict(Idea.objects.filter(pk__in=candidates).values_list("pk", "cost"))
        result = budget_result(
            costs={pk: cost or 0 for pk, cost in costs.items()},
            ballots=ballots,
            budget=campaign.budget_amount or 0,
        )
        details = {
            "counts": str_keys(result.approvals),
            "funded": list(result.funded),
            "spent": result.spent,
            "costs": str_keys(costs),
        }
        return list(result.ranking), details, len(ballots)

    def chart_caption(self, *, details):
        return _("approvals; funded ideas in green")

    def result_columns(self, *, method):
        return ["approvals", "cost", "funded"]

    def result_row(self, *, method, details, pk):
        key = str(pk)
        return [details.get("counts", {}).get(key, 0), details.get("costs", {}).get(key, 0),
                "yes" if pk in details.get("funded", []) else "no"]  # fmt: skip
