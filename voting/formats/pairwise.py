"""Pairwise survey (All Our Ideas): voters answer "which of these two is better?" for
pairs the server issues; Bradley-Terry scores rank the ideas."""

from collections import Counter

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from voting import ballot_counts
from voting.formats.base import PairwiseFormat
from voting.formats.registry import register
from voting.methods.bradley_terry import bradley_terry
from voting.models import IdeaTally


@register
class PairwiseSurveyFormat(PairwiseFormat):
    key = "pairwise"
    counts_incrementally = True  # the live result, from the aggregate (voting/aggregates.py)
    label = gettext_lazy("Pairwise survey")
    orders = ("rated", "newest", "random")
    idea_export_columns = (("pairwise_score", "tally__method_score"),)
    templates = {"results": ""}

    def compute_result(self, *, campaign, entries, candidates):
        # Grouped in the order each pair first appears: the scores are then the very same
        # floats as from the single answers (see bradley_terry). `entries` may be a stream.
        wins, answered = Counter(), 0
        for entry in entries:
            answered += 1
            if entry["outcome"] == "left":
                wins[entry["left"], entry["right"]] += 1
            elif entry["outcome"] == "right":
                wins[entry["right"], entry["left"]] += 1
        return self._count(candidates, list(wins.items()), answered)

    def final_result(self, *, campaign, candidates):
        # The answers streamed in the list's order, so that the floats are those of
        # compute_result over the list (the live count groups pairs in another order).
        entries = self.audit_stream(campaign=campaign)
        return self.compute_result(campaign=campaign, entries=entries, candidates=candidates)

    def live_result(self, *, campaign, candidates, source=ballot_counts):
        # `source`: ballot_counts (every ballot counted) or aggregate_counts (the results
        # worker's incremental aggregate, voting/aggregates.py): the same counts.
        wins, answered = source.pairwise_answer_counts(campaign_id=campaign.pk)
        return self._count(candidates, wins, answered)

    def _count(self, candidates, counted: list[tuple[tuple[int, int], int]], answered: int):
        allowed = set(candidates)
        counted = [(pair, count) for pair, count in counted if set(pair) <= allowed]
        scores = bradley_terry(items=candidates, counted_comparisons=counted)
        ranking = sorted(candidates, key=lambda pk: (-scores[pk], pk))
        wins = dict.fromkeys(candidates, 0)
        losses = dict.fromkeys(candidates, 0)
        for (winner, loser), count in counted:
            wins[winner] += count
            losses[loser] += count
        details = {
            "scores": {str(pk): scores[pk] for pk in candidates},
            "wins": {str(pk): wins[pk] for pk in candidates},
            "losses": {str(pk): losses[pk] for pk in candidates},
        }
        return ranking, details, answered

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
