"""Ballots: single choice, approval, ranked and budget campaigns. One ballot per voter and
campaign, replaced as a whole until voting closes."""

import secrets

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.rules import is_verified
from campaigns.eligibility import check_eligible, check_votes_public
from campaigns.models import Campaign
from core.errors import ApplicationError, Conflict, NotAllowed
from ideas.models import Idea
from voting import dirty
from voting.methods.budget import BudgetBallotError, validate_budget_ballot
from voting.models import Ballot, BallotChoice


def _check_can_submit_ballot(*, voter, campaign: Campaign) -> None:
    if not is_verified(voter):
        raise NotAllowed(
            _("Please verify your email address before voting."), code="email_not_verified"
        )
    check_eligible(user=voter, campaign=campaign)
    check_votes_public(campaign=campaign)
    if campaign.voting_method not in Campaign.BALLOT_METHODS:
        raise Conflict(
            _("This campaign is voted idea by idea, not with a ballot."), code="wrong_method"
        )
    if not campaign.is_voting_open():
        raise Conflict(_("Voting is not open for this campaign."), code="voting_closed")


def _validate_choices(*, campaign: Campaign, choices: list[int]) -> dict[int, Idea]:
    """Check the choices against the method's rules; return the chosen ideas by id."""
    if len(set(choices)) != len(choices):
        raise ApplicationError(_("Each idea may appear only once on a ballot."), field="choices")
    method = campaign.voting_method
    if method == Campaign.VotingMethod.SINGLE and len(choices) != 1:
        raise ApplicationError(_("Choose exactly one idea."), field="choices")
    if not choices and method != Campaign.VotingMethod.BUDGET:
        raise ApplicationError(_("Choose at least one idea."), field="choices")
    limit = campaign.max_votes_per_voter
    if method == Campaign.VotingMethod.APPROVAL and limit and len(choices) > limit:
        raise ApplicationError(
            _("You may approve at most %(limit)d ideas.") % {"limit": limit}, field="choices"
        )
    ideas = {
        idea.pk: idea for idea in Idea.objects.visible().filter(campaign=campaign, pk__in=choices)
    }
    unknown = [pk for pk in choices if pk not in ideas]
    if unknown:
        raise ApplicationError(
            _("These ideas are not candidates in this campaign: %(ids)s.")
            % {"ids": ", ".join(map(str, unknown))},
            field="choices",
        )
    if method == Campaign.VotingMethod.BUDGET:
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
    return ideas


def ballot_submit(*, voter, campaign: Campaign, choices: list[int]) -> Ballot:
    """Cast or replace `voter`'s ballot. `choices` are idea ids: one (single), a set
    (approval, budget), or an order of preference (ranked: first is preferred).

    The ballot row is created once (ON CONFLICT DO NOTHING) and locked while its choices
    are replaced, so two concurrent submissions by the same voter end with one of them
    whole, never a mix. Other voters are not locked. The campaign's live result is
    recomputed by a worker after commit."""
    _check_can_submit_ballot(voter=voter, campaign=campaign)
    _validate_choices(campaign=campaign, choices=choices)
    ranked = campaign.voting_method == Campaign.VotingMethod.RANKED
    with transaction.atomic():
        Ballot.objects.bulk_create(
            [Ballot(campaign=campaign, voter=voter, receipt=secrets.token_hex(16))],
            ignore_conflicts=True,
        )
        ballot = Ballot.objects.select_for_update().get(campaign=campaign, voter=voter)
        ballot.choices.all().delete()
        BallotChoice.objects.bulk_create(
            BallotChoice(ballot=ballot, idea_id=pk, rank=index + 1 if ranked else None)
            for index, pk in enumerate(choices)
        )
        ballot.save(update_fields=["updated_at"])
        transaction.on_commit(lambda: dirty.mark_campaign_dirty(campaign.pk))
    return ballot


def ballot_withdraw(*, voter, campaign: Campaign) -> None:
    """Empty the voter's ballot. The row stays (with a fresh updated_at) so that the
    results reconciliation still sees that the campaign changed; empty ballots count for
    nothing."""
    _check_can_submit_ballot(voter=voter, campaign=campaign)
    with transaction.atomic():
        ballot = Ballot.objects.select_for_update().filter(campaign=campaign, voter=voter).first()
        if ballot is None:
            return
        ballot.choices.all().delete()
        ballot.save(update_fields=["updated_at"])
        transaction.on_commit(lambda: dirty.mark_campaign_dirty(campaign.pk))
