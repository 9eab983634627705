"""Single choice (election): each voter picks one candidate; most votes wins."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ApplicationError
from voting import ballot_counts
from voting.formats.base import BallotFormat, refuse_repeated_choices
from voting.formats.registry import register
from voting.methods.approval import counted_result, single_choice_result


def str_keys(mapping) -> dict:
    """JSON objects have string keys: {1: 3} -> {"1": 3}."""
    return {str(key): value for key, value in dict(mapping).items()}


@register
class SingleChoiceFormat(BallotFormat):
    key = "single"
    counts_incrementally = True  # the live result, from the aggregate (voting/aggregates.py)
    label = gettext_lazy("Single choice (election)")
    is_election = True
    templates = {
        "ballot_intro": "voting/formats/single/ballot_intro.html",
        "ballot_choice": "voting/formats/single/ballot_choice.html",
        "results": "",
    }

    def validate_ballot(self, *, campaign, choices):
        refuse_repeated_choices(choices)
        if len(choices) != 1:
            raise ApplicationError(_("Choose exactly one idea."), field="choices")

    def compute_result(self, *, campaign, entries, candidates):
        ballots = self.ballots(entries=entries, candidates=candidates)
        result = single_choice_result(candidates=candidates, ballots=ballots)
        return list(result.ranking), {"counts": str_keys(result.counts)}, len(ballots)

    def live_result(self, *, campaign, candidates, source=ballot_counts):
        # `source`: ballot_counts (every ballot counted) or aggregate_counts (the results
        # worker's incremental aggregate, voting/aggregates.py): the same counts.
        counts, counted = source.first_choice_counts(campaign_id=campaign.pk, candidates=candidates)
        result = counted_result(counts)
        return list(result.ranking), {"counts": str_keys(result.counts)}, counted

    def result_columns(self, *, method):
        return ["votes"]

    def result_row(self, *, method, details, pk):
        return [details.get("counts", {}).get(str(pk), 0)]
