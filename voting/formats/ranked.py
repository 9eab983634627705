"""Ranked ballots (election): each voter orders the candidates they want to rank; the
ballots are counted by Schulze or by instant runoff (Campaign.ranked_method)."""

from collections import Counter

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns.models import Campaign
from voting import ballot_counts
from voting.formats.base import BallotFormat
from voting.formats.registry import register
from voting.formats.single import str_keys
from voting.methods.irv import instant_runoff
from voting.methods.schulze import schulze

SCHULZE, IRV = "ranked:schulze", "ranked:irv"


@register
class RankedFormat(BallotFormat):
    key = "ranked"
    counts_incrementally = True  # the live result, from the aggregate (voting/aggregates.py)
    label = gettext_lazy("Ranked ballots (election)")
    is_election = True
    ranked_ballot = True
    builder_fields = ("ranked_method", "max_votes_per_voter", "results_embargo")
    templates = {
        "ballot_intro": "voting/formats/ranked/ballot_intro.html",
        "ballot_choice": "voting/formats/ranked/ballot_choice.html",
        "results": "voting/formats/ranked/results.html",
    }

    def compute_result(self, *, campaign, entries, candidates):
        ballots = self.ballots(entries=entries, candidates=candidates)
        counted = Counter(tuple(ballot) for ballot in ballots)
        return self._count(campaign, candidates, list(counted.items()))

    def live_result(self, *, campaign, candidates, source=ballot_counts):
        # `source`: ballot_counts (every ballot counted) or aggregate_counts (the results
        # worker's incremental aggregate, voting/aggregates.py): the same counts.
        counted = source.ranked_ballot_counts(campaign_id=campaign.pk, candidates=candidates)
        return self._count(campaign, candidates, counted)

    def _count(self, campaign, candidates, counted: list[tuple[tuple, int]]):
        """Both paths: identical ballots grouped with their voters (exact integer counts,
        so the result does not depend on the grouping's order)."""
        voters = sum(count for _ballot, count in counted)
        if campaign.ranked_method == Campaign.RankedMethod.IRV:
            result = instant_runoff(candidates=candidates, counted_ballots=counted)
            details = {
                "method": "irv",
                "rounds": [str_keys(r) for r in result.rounds],
                "eliminated": list(result.eliminated),
                "winner": result.winner,
                "exhausted": list(result.exhausted),
            }
            return list(result.ranking), details, voters
        result = schulze(candidates=candidates, counted_ballots=counted)
        matrix = {
            str(a): {str(b): result.pairwise.get((a, b), 0) for b in candidates} for a in candidates
        }
        details = {"method": "schulze", "pairwise": matrix, "winners": list(result.winners)}
        return list(result.ranking), details, voters

    def result_method(self, *, campaign):
        return f"ranked:{campaign.ranked_method}"

    def result_methods(self):
        return (SCHULZE, IRV)

    def result_figures(self, *, details):
        """IRV: first choices in the first round; Schulze: head-to-head wins in total."""
        if details.get("rounds"):
            return details["rounds"][0]
        if "pairwise" in details:
            return {key: sum(row.values()) for key, row in details["pairwise"].items()}
        return {}

    def chart_caption(self, *, details):
        if details.get("pairwise"):
            return _("how many head-to-head preferences each idea won, in total")
        if details.get("rounds"):
            return _("first choices in the first round")
        return _("votes")

    def result_columns(self, *, method):
        if method == SCHULZE:
            return ["pairwise_wins", "winner"]
        if method == IRV:
            return ["first_round_votes", "last_round_votes", "winner"]
        return []

    def result_row(self, *, method, details, pk):
        key = str(pk)
        if method == SCHULZE:
            matrix = details.get("pairwise", {})
            mine = matrix.get(key, {})
            wins = sum(1 for other, count in mine.items()
                       if other != key and count > matrix.get(other, {}).get(key, 0))  # fmt: skip
            return [wins, "yes" if pk in details.get("winners", []) else "no"]
        if method == IRV:
            rounds = details.get("rounds", [])
            present = [round_counts[key] for round_counts in rounds if key in round_counts]
            return [present[0] if present else 0, present[-1] if present else 0,
                    "yes" if details.get("winner") == pk else "no"]  # fmt: skip
        return []
