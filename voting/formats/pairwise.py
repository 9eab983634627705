"""Pairwise survey (All Our Ideas): voters answer "which of these two is better?" for
pairs the server issues; Bradley-Terry scores rank the ideas."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from voting.formats.base import PairwiseFormat
from voting.formats.registry import register
from voting.methods.bradley_terry import bradley_terry
from voting.models import IdeaTally


@register
class PairwiseSurveyFormat(PairwiseFormat):
    key = "pairwise"
    label = gettext_lazy("Pairwise survey")
    orders = ("rated", "newest", "random")
    idea_export_columns = (("pairwise_score", "tally__method_score"),)
    templates = {"results": ""}

    def compute_result(self, *, campaign, entries, candidates):
        allowed = set(candidates)
        comparisons = [
            (entry["left"], entry["right"]) if entry["outcome"] == "left"
            else (entry["right"], entry["left"])
            for entry in entries
            if entry["outcome"] in ("left", "right")
            and entry["left"] in allowed and entry["right"] in allowed
        ]  # fmt: skip
        scores = bradley_terry(items=candidates, comparisons=comparisons)
        ranking = sorted(candidates, key=lambda pk: (-scores[pk], pk))
        wins = {pk: 0 for pk in candidates}
        losses = {pk: 0 for pk in candidates}
        for winner, loser in comparisons:
            wins[winner] += 1
            losses[loser] += 1
        details = {
            "scores": {str(pk): scores[pk] for pk in candidates},
            "wins": {str(pk): wins[pk] for pk in candidates},
            "losses": {str(pk): losses[pk] for pk in candidates},
        }
        return ranking, details, len(entries)

    def after_result(self, *, campaign, details):
        """Pairwise ideas are listed by their Bradley-Terry score like any other order."""
        tallies = list(IdeaTally.objects.filter(campaign=campaign))
        now = timezone.now()
        for tally in tallies:
            key = str(tally.idea_id)
            tally.method_score = details["scores"].get(key, 0.0)
            tally.upvotes = details["wins"].get(key, 0)
            tally.downvotes = details["losses"].get(key, 0)
            tally.score = tally.upvotes - tally.downvotes
            tally.computed_at = now
        IdeaTally.objects.bulk_update(
            tallies, ["method_score", "upvotes", "downvotes", "score", "computed_at"]
        )

    def result_figures(self, *, details):
        return {key: round(value, 3) for key, value in details.get("scores", {}).items()}

    def chart_caption(self, *, details):
        if details.get("scores"):
            return _("the chance of beating an average idea (Bradley–Terry)")
        return _("votes")

    def result_columns(self, *, method):
        return ["score", "wins", "losses"]

    def result_row(self, *, method, details, pk):
        key = str(pk)
        scores, wins, losses = (details.get(name, {}) for name in ("scores", "wins", "losses"))
        return [round(scores.get(key, 0.0), 4), wins.get(key, 0), losses.get(key, 0)]

    def export_idea_values(self, extra):
        return [round(extra[0] or 0.0, 4)]
