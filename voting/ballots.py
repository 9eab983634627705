"""Ballots: single choice, approval, ranked and budget campaigns. One ballot per voter and
campaign, replaced as a whole until voting closes."""

import secrets

from django.db import transaction
from django.utils.translation import gettext as _

from campaigns.models import Campaign
from core.errors import ApplicationError
from ideas.models import Idea
from voting import dirty
from voting.formats import format_for
from voting.models import Ballot, BallotChoice
from voting.rules import can_submit_ballot


def _validate_choices(*, campaign: Campaign, choices: list[int]) -> dict[int, Idea]:
    """Check the choices against the format's rules; return the chosen ideas by id."""
    voting_format = format_for(campaign)
    voting_format.validate_ballot(campaign=campaign, choices=choices)
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
    voting_format.validate_ballot_ideas(campaign=campaign, choices=choices, ideas=ideas)
    return ideas


def ballot_submit(*, voter, campaign: Campaign, choices: list[int]) -> Ballot:
    """Cast or replace `voter`'s ballot. `choices` are idea ids: one (single), a set
    (approval, budget), or an order of preference (ranked: first is preferred).

    The ballot row is created once (ON CONFLICT DO NOTHING) and locked while its choices
    are replaced, so two concurrent submissions by the same voter end with one of them
    whole, never a mix. Other voters are not locked. The campaign's live result is
    recomputed by a worker after commit."""
    can_submit_ballot.check(voter, campaign)
    _validate_choices(campaign=campaign, choices=choices)
    ranked = format_for(campaign).ranked_ballot
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
    can_submit_ballot.check(voter, campaign)
    with transaction.atomic():
        ballot = Ballot.objects.select_for_update().filter(campaign=campaign, voter=voter).first()
        if ballot is None:
            return
        ballot.choices.all().delete()
        ballot.save(update_fields=["updated_at"])
        transaction.on_commit(lambda: dirty.mark_campaign_dirty(campaign.pk))
