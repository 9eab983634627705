"""Deleting an idea or a campaign never silently rewrites other people's ballots or a
published result's audit list (issue 8, item 9): the database refuses it (PROTECT); ideas
are hidden and campaigns archived instead."""

import pytest
from django.db import transaction
from django.db.models import ProtectedError

from tests.factories import CampaignFactory, IdeaFactory, UserFactory
from tests.support.schedule import close_voting
from voting import ballots
from voting.models import Ballot, BallotChoice, CampaignResult
from voting.results import audit_digest, audit_entries, results_finalize_due
from voting.services import vote_cast

pytestmark = pytest.mark.django_db


def refused(obj) -> bool:
    try:
        with transaction.atomic():
            obj.delete()
    except ProtectedError:
        return True
    return False


def test_an_idea_on_someone_elses_ballot_cannot_be_deleted():
    campaign = CampaignFactory(voting_method="approval", max_votes_per_voter=2)
    ideas = [IdeaFactory(campaign=campaign) for _ in range(3)]
    ballot = ballots.ballot_submit(voter=UserFactory(), campaign=campaign, choices=[ideas[0].pk])

    assert refused(ideas[0])
    assert list(BallotChoice.objects.filter(ballot=ballot).values_list("idea", flat=True)) == [
        ideas[0].pk
    ]
    assert refused(campaign)
    assert Ballot.objects.filter(pk=ballot.pk).exists()


def test_an_idea_with_votes_and_a_campaign_with_a_published_result_cannot_be_deleted():
    campaign = CampaignFactory()
    ideas = [IdeaFactory(campaign=campaign) for _ in range(2)]
    for voter in [UserFactory() for _ in range(3)]:
        vote_cast(voter=voter, idea=ideas[0], value=1)
    close_voting(campaign)
    assert results_finalize_due() == 1
    result = CampaignResult.objects.get(campaign=campaign)
    digest = result.digest

    assert refused(ideas[0])
    assert refused(campaign)

    result.refresh_from_db()
    assert result.digest == digest == audit_digest(audit_entries(campaign=campaign))
    assert len(audit_entries(campaign=campaign)) == 3
