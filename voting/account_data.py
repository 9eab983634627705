"""Voting's part of an account's export (accounts.signals): votes (with the receipt that
finds them in a campaign's published audit list), ballots and pairwise answers. (Erasure
keeps them: no tally, result or audit digest changes.)"""

from django.db.models import Prefetch
from django.dispatch import receiver

from accounts.selectors import iso
from accounts.signals import account_export_requested
from ideas.account_data import idea_ref
from voting.models import Ballot, BallotChoice, PairwisePrompt, Vote
from voting.results import voter_receipt


@receiver(account_export_requested, dispatch_uid="voting.account_export")
def export(*, user, **kwargs) -> dict:
    votes = (
        Vote.objects.filter(voter=user)
        .select_related("idea__campaign")
        .order_by("created_at", "id")
    )
    ballots = (
        Ballot.objects.filter(voter=user)
        .select_related("campaign")
        .prefetch_related(
            Prefetch(
                "choices",
                queryset=BallotChoice.objects.select_related("idea__campaign").order_by(
                    "rank", "id"
                ),
            )
        )
        .order_by("created_at", "id")
    )
    prompts = (
        PairwisePrompt.objects.filter(voter=user)
        .select_related("campaign", "left__campaign", "right__campaign")
        .order_by("issued_at", "id")
    )
    return {
        "votes": [
            {
                "idea": idea_ref(vote.idea),
                "value": vote.value,
                "receipt": voter_receipt(campaign_id=vote.idea.campaign_id, voter_id=user.pk),
                "created_at": iso(vote.created_at),
                "updated_at": iso(vote.updated_at),
            }
            for vote in votes
        ],
        "ballots": [
            {
                "campaign": ballot.campaign.slug,
                "receipt": ballot.receipt,
                "choices": [
                    {**idea_ref(choice.idea), "rank": choice.rank}
                    for choice in ballot.choices.all()
                ],
                "created_at": iso(ballot.created_at),
                "updated_at": iso(ballot.updated_at),
            }
            for ballot in ballots
        ],
        "pairwise_answers": [
            {
                "campaign": prompt.campaign.slug,
                "left": idea_ref(prompt.left),
                "right": idea_ref(prompt.right),
                "outcome": prompt.outcome or None,
                "issued_at": iso(prompt.issued_at),
                "answered_at": iso(prompt.answered_at),
            }
            for prompt in prompts
        ],
    }
