"""Terms acceptance, eligibility and pre-moderation at every door: the service, the API,
the votes and the ballots."""

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.models import TermsAcceptance
from core.errors import ApplicationError, Conflict, NotAllowed
from ideas.models import Idea
from ideas.services import idea_approve, idea_submit
from rewards.models import LedgerEntry
from tests.factories import (
    BrandMembershipFactory,
    CampaignFactory,
    CampaignTermsFactory,
    IdeaFactory,
    UserFactory,
)
from voting.ballots import ballot_submit
from voting.models import Ballot, Vote
from voting.services import vote_cast

pytestmark = pytest.mark.django_db


def test_the_current_terms_must_be_accepted_once_per_version():
    campaign = CampaignFactory()
    CampaignTermsFactory(campaign=campaign, version=1)
    author = UserFactory()

    with pytest.raises(ApplicationError) as raised:
        idea_submit(author=author, campaign=campaign, title="Shade", body="Trees")
    assert (raised.value.field, raised.value.code) == ("accept_terms", "terms_not_accepted")
    assert raised.value.message == ("Please accept the campaign's terms (version 1) to submit.")
    assert Idea.objects.count() == 0

    idea_submit(author=author, campaign=campaign, title="Shade", body="Trees", accept_terms=True)
    idea_submit(author=author, campaign=campaign, title="Water", body="Fountains")  # accepted
    CampaignTermsFactory(campaign=campaign, version=2)  # the brand changed its terms
    with pytest.raises(ApplicationError):
        idea_submit(author=author, campaign=campaign, title="Benches", body="More")
    assert Idea.objects.count() == 2
    assert list(
        TermsAcceptance.objects.filter(user=author).values_list("terms__version", flat=True)
    ) == [1]


def test_through_the_api_terms_are_a_field_error(api_as):
    campaign = CampaignFactory()
    CampaignTermsFactory(campaign=campaign)
    client = api_as(UserFactory())
    url = f"/api/v1/campaigns/{campaign.slug}/ideas/"

    refused = client.post(url, {"title": "Shade", "body": "Trees"}, format="json")
    assert refused.status_code == 400
    assert "accept_terms" in str(refused.json())
    accepted = client.post(
        url, {"title": "Shade", "body": "Trees", "accept_terms": True}, format="json"
    )
    assert accepted.status_code == 201
    assert accepted.json()["status"] == "published"


def test_a_young_account_or_an_uninvited_one_may_not_take_part(api_as):
    campaign = CampaignFactory(minimum_account_age_days=30)
    idea = IdeaFactory(campaign=campaign)
    young = UserFactory()
    old = UserFactory()
    old.date_joined = timezone.now() - timedelta(days=31)
    old.save()

    with pytest.raises(NotAllowed) as raised:
        idea_submit(author=young, campaign=campaign, title="Mine", body="Too soon")
    assert raised.value.message == "This campaign is open to accounts at least 30 days old."
    response = api_as(young).put(f"/api/v1/ideas/{idea.pk}/vote/", {"value": 1}, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "not_eligible")
    assert Vote.objects.count() == 0
    vote_cast(voter=old, idea=idea, value=1)
    assert Vote.objects.count() == 1

    private = CampaignFactory(
        voting_method="single",
        is_invitation_only=True,
        invited_participants="ana@city.example\n@staff.city.example",
    )
    candidate = IdeaFactory(campaign=private)
    with pytest.raises(NotAllowed):
        ballot_submit(voter=UserFactory(), campaign=private, choices=[candidate.pk])
    ballot_submit(
        voter=UserFactory(email="ANA@city.example"), campaign=private, choices=[candidate.pk]
    )
    ballot_submit(
        voter=UserFactory(email="bo@staff.city.example"), campaign=private, choices=[candidate.pk]
    )
    assert Ballot.objects.filter(campaign=private).count() == 2


def test_pre_moderated_ideas_wait_for_approval_and_pay_points_once_published(client):
    campaign = CampaignFactory(moderation="pre")
    author = UserFactory()
    idea = idea_submit(author=author, campaign=campaign, title="Shade", body="Trees")

    assert idea.status == "pending"
    assert LedgerEntry.objects.count() == 0
    assert client.get(f"/ideas/{idea.pk}/").status_code == 404  # not public yet
    with pytest.raises(NotAllowed):
        idea_approve(idea=idea, moderator=UserFactory())
    with pytest.raises(NotAllowed):
        idea_approve(
            idea=idea, moderator=BrandMembershipFactory(brand=campaign.brand, role="analyst").user
        )
    with pytest.raises(Conflict) as raised:  # nobody votes on a pending idea
        vote_cast(voter=UserFactory(), idea=idea, value=1)
    assert raised.value.code == "idea_hidden"

    idea_approve(
        idea=idea, moderator=BrandMembershipFactory(brand=campaign.brand, role="moderator").user
    )

    idea.refresh_from_db()
    assert idea.status == "published"
    assert list(LedgerEntry.objects.values_list("user_id", "reason")) == [
        (author.pk, "idea_published")
    ]
    assert client.get(f"/ideas/{idea.pk}/").status_code == 200
    assert author.notifications.get().kind == "idea_approved"


def test_campaign_points_override_the_sites():
    campaign = CampaignFactory(points={"idea_published": 25})
    idea_submit(author=UserFactory(), campaign=campaign, title="Shade", body="Trees")
    assert LedgerEntry.objects.get().points == 25
