"""The builder's services are the one way a campaign is created (the demo data and the
builder's pages both go through them): only a verified owner or manager of the brand
creates its drafts, and launching publishes a complete one. (Replaces the tests of the
former `campaigns.services.campaign_create`.)"""

from datetime import timedelta

import pytest
from django.utils import timezone

from builder.services import (
    campaign_brief_update,
    campaign_schedule_update,
    campaign_terms_update,
    draft_create,
)
from campaigns.lifecycle import campaign_launch
from campaigns.models import Campaign
from core.errors import ApplicationError, NotAllowed
from tests.factories import BrandFactory, BrandMembershipFactory, CampaignFactory, UserFactory

pytestmark = pytest.mark.django_db


def schedule(**overrides):
    now = timezone.now().replace(microsecond=0)
    dates = {
        "submission_opens_at": now,
        "submission_closes_at": now + timedelta(days=14),
        "voting_opens_at": now + timedelta(days=1),
        "voting_closes_at": now + timedelta(days=21),
    }
    return {**dates, **overrides}


def test_a_brand_member_builds_and_launches_a_campaign():
    membership = BrandMembershipFactory()
    user, dates = membership.user, schedule()

    campaign = draft_create(actor=user, brand=membership.brand, title="  Greener Offices  ")
    campaign_brief_update(campaign=campaign, actor=user, brief="Tell us **how**.")
    campaign_terms_update(
        campaign=campaign, actor=user, ip_terms="Yours.", confidentiality="", is_private=False
    )
    campaign_schedule_update(campaign=campaign, actor=user, **dates)
    campaign = campaign_launch(campaign=campaign, actor=user)

    campaign.refresh_from_db()
    assert (campaign.brand_id, campaign.created_by_id, campaign.title, campaign.slug) == (
        membership.brand_id, membership.user_id, "Greener Offices", "greener-offices",
    )  # fmt: skip
    assert (campaign.brief, campaign.brief_html) == (
        "Tell us **how**.", "<p>Tell us <strong>how</strong>.</p>",
    )  # fmt: skip
    assert campaign.is_published is True
    assert {name: getattr(campaign, name) for name in dates} == dates
    assert campaign.phase() == Campaign.Phase.SUBMISSION  # voting opens tomorrow
    assert Campaign.objects.count() == 1


@pytest.mark.parametrize("role", ["moderator", "analyst"])
def test_moderators_and_analysts_of_the_brand_may_not_create(role):
    membership = BrandMembershipFactory(role=role)

    with pytest.raises(NotAllowed):
        draft_create(actor=membership.user, brand=membership.brand, title="Draft")
    assert Campaign.objects.count() == 0


def test_an_owner_may_create_and_a_new_campaign_is_an_unpublished_draft():
    membership = BrandMembershipFactory(role="owner")

    campaign = draft_create(actor=membership.user, brand=membership.brand, title="Draft")

    assert campaign.is_published is False
    assert campaign.state == Campaign.State.DRAFT
    assert Campaign.objects.published().count() == 0


def test_a_taken_slug_gets_a_suffix():
    membership = BrandMembershipFactory()
    CampaignFactory(slug="summer")

    campaign = draft_create(actor=membership.user, brand=membership.brand, title="Summer")

    assert campaign.slug.startswith("summer-")
    assert len(campaign.slug) == len("summer-") + 6
    assert Campaign.objects.count() == 2


def test_a_title_without_letters_gets_a_generic_slug():
    membership = BrandMembershipFactory()

    campaign = draft_create(actor=membership.user, brand=membership.brand, title="!!!")

    assert campaign.slug == "campaign"


@pytest.mark.parametrize(
    "make_user",
    [
        pytest.param(lambda brand: UserFactory(), id="not-a-member"),
        pytest.param(
            lambda brand: BrandMembershipFactory(brand=brand, user__verified=False).user,
            id="unverified-member",
        ),
        pytest.param(
            lambda brand: BrandMembershipFactory(brand=BrandFactory()).user,
            id="member-of-another-brand",
        ),
        pytest.param(lambda brand: UserFactory(is_superuser=True, is_staff=True), id="superuser"),
    ],
)
def test_only_verified_members_of_the_brand_may_create_and_nothing_is_created(make_user):
    brand = BrandFactory(name="Acme")
    user = make_user(brand)

    with pytest.raises(NotAllowed) as raised:
        draft_create(actor=user, brand=brand, title="T")

    assert (raised.value.status_code, raised.value.code) == (403, "permission_denied")
    assert raised.value.message == (
        "Only verified owners and managers of Acme can create its campaigns."
    )
    assert Campaign.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"submission_closes_at": "submission_opens_at"}, "submission_closes_at"),
        ({"submission_closes_at": -1}, "submission_closes_at"),
        ({"voting_closes_at": "voting_opens_at"}, "voting_closes_at"),
        ({"voting_closes_at": 0.5, "voting_opens_at": 0.6}, "voting_closes_at"),
        ({"voting_opens_at": -10, "voting_closes_at": -5}, "voting_opens_at"),
    ],
    ids=["submission-closes-at-opening", "submission-closes-before-opening",
         "voting-closes-at-opening", "voting-closes-before-opening",
         "voting-ends-before-submissions-open"],
)  # fmt: skip
def test_an_impossible_schedule_is_refused_and_nothing_is_saved(overrides, field):
    membership = BrandMembershipFactory()
    draft = draft_create(actor=membership.user, brand=membership.brand, title="T")
    dates = schedule()
    for name, value in overrides.items():
        dates[name] = (
            dates[value] if isinstance(value, str)
            else dates["submission_opens_at"] + timedelta(days=value)
        )  # fmt: skip

    with pytest.raises(ApplicationError) as raised:
        campaign_schedule_update(campaign=draft, actor=membership.user, **dates)

    assert type(raised.value) is ApplicationError
    assert (raised.value.status_code, raised.value.field) == (400, field)
    draft.refresh_from_db()
    assert (draft.voting_opens_at, draft.voting_closes_at) == (None, None)
    assert Campaign.objects.count() == 1
