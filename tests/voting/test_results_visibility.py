"""Who sees a campaign's result: the public once it is published; the brand's team during
the review too; a private campaign's ranking (it names the ideas) only the team."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import BrandMembershipFactory, CampaignFactory, IdeaFactory, UserFactory
from voting.results import results_finalize_due
from voting.services import vote_cast

pytestmark = pytest.mark.django_db


def closed_campaign(results_in_days=None, **kwargs):
    now = timezone.now()
    campaign = CampaignFactory(**kwargs)
    idea = IdeaFactory(campaign=campaign, title="Shade for the square")
    if not campaign.is_private:  # a private campaign's ideas are not public: nobody votes
        vote_cast(voter=UserFactory(), idea=idea, value=1)
    type(campaign).objects.filter(pk=campaign.pk).update(
        submission_opens_at=now - timedelta(days=9), submission_closes_at=now - timedelta(days=2),
        voting_opens_at=now - timedelta(days=9), voting_closes_at=now - timedelta(days=1),
        results_at=now + timedelta(days=results_in_days) if results_in_days else None,
    )  # fmt: skip
    campaign.refresh_from_db()
    results_finalize_due()
    return campaign


def test_during_the_review_only_the_team_sees_the_final_result(client, api_as):
    campaign = closed_campaign(results_in_days=3)
    analyst = BrandMembershipFactory(brand=campaign.brand, role="analyst").user
    url = f"/campaigns/{campaign.slug}/results/"

    assert client.get(url).status_code == 404
    assert (
        api_as(UserFactory()).get(f"/api/v1/campaigns/{campaign.slug}/results/").status_code == 404
    )
    client.force_login(analyst)
    page = client.get(url)
    assert page.status_code == 200
    assert "Shade for the square" in page.content.decode()
    assert api_as(analyst).get(f"/api/v1/campaigns/{campaign.slug}/results/").json()["is_final"]


def test_a_private_campaigns_ranking_is_for_the_team_only(client, api_as):
    campaign = closed_campaign(is_private=True)
    url = f"/api/v1/campaigns/{campaign.slug}/results/"

    assert api_as(UserFactory()).get(url).status_code == 404
    assert api_as(UserFactory()).get(f"/api/v1/campaigns/{campaign.slug}/audit/").status_code == 404
    assert client.get(f"/campaigns/{campaign.slug}/results/").status_code == 404
    manager = BrandMembershipFactory(brand=campaign.brand).user
    assert api_as(manager).get(url).status_code == 200


def test_a_public_campaigns_published_result_is_public(api_as):
    campaign = closed_campaign()
    response = api_as(UserFactory()).get(f"/api/v1/campaigns/{campaign.slug}/results/")
    assert response.status_code == 200
    assert response.json()["is_final"] is True


def test_the_crowd_does_not_vote_in_a_private_campaign(client, api_as):
    """Its ideas are private: no vote, no ballot, no comparison (it would show two ideas)."""
    from core.errors import Conflict
    from voting.ballots import ballot_submit
    from voting.models import Ballot, PairwisePrompt, Vote
    from voting.pairwise import pairwise_issue

    voter = UserFactory()
    updown = CampaignFactory(is_private=True)
    idea = IdeaFactory(campaign=updown)
    response = api_as(voter).put(f"/api/v1/ideas/{idea.pk}/vote/", {"value": 1}, format="json")
    assert response.status_code == 404  # the voter cannot even see the idea
    with pytest.raises(Conflict) as raised:
        vote_cast(voter=voter, idea=idea, value=1)
    assert raised.value.code == "private_campaign"

    election = CampaignFactory(is_private=True, voting_method="single")
    candidate = IdeaFactory(campaign=election)
    with pytest.raises(Conflict) as raised:
        ballot_submit(voter=voter, campaign=election, choices=[candidate.pk])
    assert raised.value.code == "private_campaign"

    survey = CampaignFactory(is_private=True, voting_method="pairwise")
    IdeaFactory(campaign=survey, title="Private one")
    IdeaFactory(campaign=survey, title="Private two")
    with pytest.raises(Conflict):
        pairwise_issue(voter=voter, campaign=survey)
    client.force_login(voter)
    page = client.get(survey.get_absolute_url()).content.decode()
    assert 'data-testid="compare-link"' not in page and "Private one" not in page

    assert (Vote.objects.count(), Ballot.objects.count(), PairwisePrompt.objects.count()) == (
        0,
        0,
        0,
    )
