"""Numbers too large for the database, and other hostile values, at every door of the
formats: a clear 4xx or a redirect, never a 500, and nothing written."""

import pytest

from ideas.models import Idea
from tests.factories import CampaignFactory, IdeaFactory, UserFactory
from voting.models import Ballot, PairwisePrompt, Vote

pytestmark = pytest.mark.django_db
HUGE = "99999999999999999999999"


def test_huge_and_hostile_values_never_give_a_500(client, api_as):
    campaign = CampaignFactory(voting_method="approval")
    budget = CampaignFactory(voting_method="budget", budget_amount=100)
    idea = IdeaFactory(campaign=campaign)
    user = UserFactory()
    client.force_login(user)
    api = api_as(user)
    expected = [
        (client.get(f"/ideas/{HUGE}/"), 404),
        (client.get(f"/ideas/{HUGE}/tally/"), 404),
        (client.post(f"/ideas/{HUGE}/vote/", {"value": "1"}), 404),
        (client.post(f"/ideas/{idea.pk}/vote/", {"value": HUGE}), 302),  # refused, message
        (client.post(f"/campaigns/{campaign.slug}/ballot/", {"choices": HUGE}), 302),
        (client.post(f"/campaigns/{campaign.slug}/ballot/", {"choices": "abc"}), 302),
        (api.put(f"/api/v1/campaigns/{campaign.slug}/ballot/", {"choices": [int(HUGE)]},
                 format="json"), 400),
        (api.put(f"/api/v1/campaigns/{campaign.slug}/ballot/", {"choices": "x"},
                 format="json"), 400),
        (api.get(f"/api/v1/ideas/{HUGE}/"), 404),
        (api.put(f"/api/v1/ideas/{HUGE}/vote/", {"value": 1}, format="json"), 404),
        (client.get(f"/campaigns/{campaign.slug}/?page={HUGE}"), 200),
        (api.get(f"/api/v1/campaigns/{campaign.slug}/ideas/?page={HUGE}"), 404),
        (api.put(f"/api/v1/pairs/{'x' * 500}/", {"outcome": "left"}, format="json"), 400),
        (client.post(f"/campaigns/{budget.slug}/ideas/new/",
                     {"title": "x", "body": "y", "cost": HUGE}), 200),  # field error
        (client.post(f"/campaigns/{campaign.slug}/compare/", {"token": HUGE}), 302),
    ]  # fmt: skip
    assert [response.status_code for response, _ in expected] == [code for _, code in expected]
    assert not Vote.objects.exists()
    assert not Ballot.objects.exists()
    assert not PairwisePrompt.objects.exists()
    assert not Idea.objects.filter(campaign=budget).exists()
