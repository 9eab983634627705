"""Approval (election): each voter approves any number of candidates (up to the
campaign's limit, if it sets one); most approvals wins."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ApplicationError
from voting import ballot_counts
from voting.formats.base import BallotFormat
from voting.formats.registry import register
from voting.formats.single import str_keys
from voting.methods.approval import approval_result, counted_result


@register
class ApprovalFormat(BallotFormat):
    key = "approval"
    counts_incrementally = True  # the live result, from the aggregate (voting/aggregates.py)
    label = gettext_lazy("Approval (election)")
    is_election = True
    templates = {
        "ballot_intro": "voting/formats/approval/ballot_intro.html",
        "ballot_choice": "voting/formats/approval/ballot_choice.html",
        "results": "",
    }

    def validate_ballot(self, *, campaign, choices):
        super().validate_ballot(campaign=campaign, choices=choices)
        limit = campaign.max_votes_per_voter
        if limit and len(choices) > limit:
            raise ApplicationError(
                _("You may approve at most %(limit)d ideas.") % {"limit": limit},
                field="choices",
            )

    def compute_result(self, *, campaign, entries, candidates):
        ballots = self.ballots(entries=entries, candidates=candidates)
        result = approval_result(
            candidates=candidates, ballots=ballots, max_approvals=campaign.max_votes_per_voter
        )
        return list(result.ranking), {"counts": str_keys(result.counts)}, len(ballots)

    def live_result(self, *, campaign, candidates, source=ballot_counts):
        # `source`: ballot_counts (every ballot counted) or aggregate_counts (the results
        # worker's incremental aggregate, voting/aggregates.py): the same counts.
        counts, counted = source.approval_counts(
            campaign_id=campaign.pk,
            candidates=candidates,
            max_approvals=campaign.max_votes_per_voter,
        )
        result = counted_result(counts)
        return list(result.ranking), {"counts": str_keys(result.counts)}, counted

    def result_columns(self, *, method):
        return ["approvals"]

    def result_row(self, *, method, details, pk):
        return [details.get("counts", {}).get(str(pk), 0)]
