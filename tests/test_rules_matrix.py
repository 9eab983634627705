"""The permission predicates as a table of roles × campaign phases (the adhocracy4 way):
each cell is one test, the table is the specification."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.utils import timezone

from accounts.rules import is_moderator, is_verified
from brands.rules import can_create_any_campaign, can_create_campaign_for_brand
from campaigns.models import Campaign
from campaigns.rules import can_view_campaign
from ideas.models import Idea
from ideas.rules import can_hide_idea, can_submit_idea, can_view_idea
from tests.factories import BrandMembershipFactory, CampaignFactory, IdeaFactory, UserFactory
from voting.rules import can_vote

ROLES = ["anonymous", "unverified", "contributor", "idea_author", "brand_member", "moderator"]
PHASES = ["upcoming", "submission", "voting", "both", "between", "closed"]

DAY = timedelta(days=1)
# (submission opens, submission closes, voting opens, voting closes), in days from now.
SCHEDULES = {
    "upcoming": (1, 10, 1, 20),
    "submission": (-1, 10, 11, 20),
    "voting": (-10, -1, -1, 10),
    "both": (-1, 10, -1, 20),
    "between": (-10, -1, 1, 10),
    "closed": (-20, -10, -10, -1),
}
EXPECTED_PHASE = {
    "upcoming": Campaign.Phase.UPCOMING,
    "submission": Campaign.Phase.SUBMISSION,
    "voting": Campaign.Phase.VOTING,
    "both": Campaign.Phase.SUBMISSION_AND_VOTING,
    "between": Campaign.Phase.BETWEEN,
    "closed": Campaign.Phase.CLOSED,
}
VERIFIED = {"contributor", "idea_author", "brand_member", "moderator"}


def campaign_in(phase: str, **kwargs) -> Campaign:
    now = timezone.now()
    opens, closes, voting_opens, voting_closes = SCHEDULES[phase]
    return CampaignFactory(
        submission_opens_at=now + opens * DAY,
        submission_closes_at=now + closes * DAY,
        voting_opens_at=now + voting_opens * DAY,
        voting_closes_at=now + voting_closes * DAY,
        **kwargs,
    )


def user_for(role: str, idea: Idea):
    if role == "anonymous":
        return AnonymousUser()
    if role == "unverified":
        return UserFactory(verified=False)
    if role == "contributor":
        return UserFactory()
    if role == "idea_author":
        return idea.author
    if role == "brand_member":
        return BrandMembershipFactory(brand=idea.campaign.brand).user
    if role == "moderator":
        user = UserFactory()
        user.groups.add(Group.objects.get_or_create(name="Moderators")[0])
        return user
    raise AssertionError(role)


def cells(expected) -> list:
    """Every (role, phase) pair with the expected answer from `expected(role, phase)`."""
    return [
        pytest.param(role, phase, expected(role, phase), id=f"{role}-{phase}")
        for role in ROLES
        for phase in PHASES
    ]


@pytest.fixture
def world(db):
    def make(phase: str, *, is_published: bool = True, idea_status=Idea.Status.PUBLISHED):
        campaign = campaign_in(phase, is_published=is_published)
        idea = IdeaFactory(campaign=campaign, status=idea_status)
        return campaign, idea

    return make


def test_the_schedules_are_the_phases_they_claim(world):
    for phase in PHASES:
        campaign, _idea = world(phase)
        assert campaign.phase() == EXPECTED_PHASE[phase], phase


@pytest.mark.parametrize(
    ("role", "phase", "allowed"),
    cells(lambda role, phase: role in VERIFIED and phase in {"submission", "both"}),
)
def test_can_submit_idea(world, role, phase, allowed):
    campaign, idea = world(phase)
    user = user_for(role, idea)

    assert can_submit_idea(user, campaign) is allowed
    assert user.has_perm("ideas.submit_idea", campaign) is allowed


@pytest.mark.parametrize(("role", "phase", "allowed"), cells(lambda role, phase: False))
def test_nobody_can_submit_to_an_unpublished_campaign(world, role, phase, allowed):
    campaign, idea = world(phase, is_published=False)

    assert can_submit_idea(user_for(role, idea), campaign) is allowed


@pytest.mark.parametrize(
    ("role", "phase", "allowed"),
    cells(
        lambda role, phase: (
            role in {"contributor", "brand_member", "moderator"} and phase in {"voting", "both"}
        )
    ),
)
def test_can_vote(world, role, phase, allowed):
    _campaign, idea = world(phase)
    user = user_for(role, idea)

    assert can_vote(user, idea) is allowed
    assert user.has_perm("voting.vote_idea", idea) is allowed


@pytest.mark.parametrize(("role", "phase", "allowed"), cells(lambda role, phase: False))
def test_nobody_can_vote_on_a_hidden_idea(world, role, phase, allowed):
    _campaign, idea = world(phase, idea_status=Idea.Status.HIDDEN)

    assert can_vote(user_for(role, idea), idea) is allowed


@pytest.mark.parametrize(("role", "phase", "allowed"), cells(lambda role, phase: False))
def test_nobody_can_vote_in_an_unpublished_campaign(world, role, phase, allowed):
    _campaign, idea = world(phase, is_published=False)

    assert can_vote(user_for(role, idea), idea) is allowed


@pytest.mark.parametrize(
    ("role", "phase", "allowed"), cells(lambda role, phase: role == "brand_member")
)
def test_can_create_campaign_for_brand(world, role, phase, allowed):
    campaign, idea = world(phase)
    user = user_for(role, idea)

    assert can_create_campaign_for_brand(user, campaign.brand) is allowed
    assert user.has_perm("campaigns.create_campaign", campaign.brand) is allowed
    assert can_create_any_campaign(user) is allowed


def test_an_unverified_brand_member_cannot_create_campaigns(db):
    membership = BrandMembershipFactory(user__verified=False)

    assert can_create_campaign_for_brand(membership.user, membership.brand) is False
    assert can_create_any_campaign(membership.user) is False


def test_a_brand_member_cannot_create_campaigns_for_another_brand(db):
    membership = BrandMembershipFactory()
    other = CampaignFactory().brand

    assert can_create_campaign_for_brand(membership.user, other) is False
    assert can_create_campaign_for_brand(membership.user, None) is False


@pytest.mark.parametrize(("role", "phase", "allowed"), cells(lambda role, phase: True))
def test_can_view_a_published_campaign(world, role, phase, allowed):
    campaign, idea = world(phase)
    user = user_for(role, idea)

    assert can_view_campaign(user, campaign) is allowed
    assert user.has_perm("campaigns.see_campaign", campaign) is allowed


@pytest.mark.parametrize(
    ("role", "phase", "allowed"),
    cells(lambda role, phase: role in {"brand_member", "moderator"}),
)
def test_can_view_an_unpublished_campaign(world, role, phase, allowed):
    campaign, idea = world(phase, is_published=False)
    user = user_for(role, idea)

    assert can_view_campaign(user, campaign) is allowed
    assert user.has_perm("campaigns.see_campaign", campaign) is allowed


@pytest.mark.parametrize(
    ("role", "phase", "allowed"),
    cells(lambda role, phase: role in {"idea_author", "brand_member", "moderator"}),
)
def test_can_view_a_hidden_idea(world, role, phase, allowed):
    _campaign, idea = world(phase, idea_status=Idea.Status.HIDDEN)
    user = user_for(role, idea)

    assert can_view_idea(user, idea) is allowed
    assert user.has_perm("ideas.see_idea", idea) is allowed


@pytest.mark.parametrize(("role", "phase", "allowed"), cells(lambda role, phase: True))
def test_can_view_a_published_idea(world, role, phase, allowed):
    _campaign, idea = world(phase)

    assert can_view_idea(user_for(role, idea), idea) is allowed


@pytest.mark.parametrize(
    # The brand's managers (the factory's default role) moderate its campaigns too.
    ("role", "phase", "allowed"),
    cells(lambda role, phase: role in ("moderator", "brand_member")),
)
def test_can_hide_idea(world, role, phase, allowed):
    _campaign, idea = world(phase)

    assert can_hide_idea(user_for(role, idea), idea) is allowed


@pytest.mark.parametrize("role", ROLES)
def test_account_predicates(world, role):
    _campaign, idea = world("both")
    user = user_for(role, idea)

    assert is_verified(user) is (role in VERIFIED)
    assert is_moderator(user) is (role == "moderator")


def test_a_superuser_is_a_moderator_and_verification_is_per_account(db):
    superuser = UserFactory(is_superuser=True, verified=False)

    assert is_moderator(superuser) is True
    assert is_verified(superuser) is False
    assert is_verified(None) is False
