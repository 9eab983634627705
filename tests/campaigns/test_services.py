"""campaign_create: only a verified member of the brand creates its campaigns."""

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.models import Campaign
from campaigns.services import campaign_create
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


def test_a_brand_member_creates_a_campaign():
    membership = BrandMembershipFactory()
    dates = schedule()

    campaign = campaign_create(
        created_by=membership.user,
        brand=membership.brand,
        title="  Greener Offices  ",
        brief="Tell us **how**.",
        **dates,
    )

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
        campaign_create(
            created_by=membership.user, brand=membership.brand, title="Draft", brief="B",
            **schedule(),
        )  # fmt: skip
    assert Campaign.objects.count() == 0


def test_an_owner_may_create_and_unpublished_is_kept_as_a_draft():
    membership = BrandMembershipFactory(role="owner")

    campaign = campaign_create(
        created_by=membership.user, brand=membership.brand, title="Draft", brief="B",
        is_published=False, **schedule(),
    )  # fmt: skip

    assert campaign.is_published is False
    assert campaign.state == Campaign.State.DRAFT
    assert Campaign.objects.published().count() == 0


def test_a_taken_slug_gets_a_suffix():
    membership = BrandMembershipFactory()
    CampaignFactory(slug="summer")

    campaign = campaign_create(
        created_by=membership.user, brand=membership.brand, title="Summer", brief="B",
        **schedule(),
    )  # fmt: skip

    assert campaign.slug.startswith("summer-")
    assert len(campaign.slug) == len("summer-") + 6
    assert Campaign.objects.count() == 2


def test_a_title_without_letters_gets_a_generic_slug():
    membership = BrandMembershipFactory()

    campaign = campaign_create(
        created_by=membership.user, brand=membership.brand, title="!!!", brief="B",
        **schedule(),
    )  # fmt: skip

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
        campaign_create(created_by=user, brand=brand, title="T", brief="B", **schedule())

    assert (raised.value.status_code, raised.value.code) == (403, "permission_denied")
    assert raised.value.message == "Only verified members of Acme can create its campaigns."
    assert Campaign.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"submission_closes_at": "submission_opens_at"}, "submission_closes_at"),
        ({"submission_closes_at": -1}, "submission_closes_at"),
        ({"voting_closes_at": "voting_opens_at"}, "voting_closes_at"),
        ({"voting_closes_at": 0.5, "voting_opens_at": 0.6}, "voting_closes_at"),
        ({"voting_opens_at": -10, "voting_closes_at": -5}, "voting_closes_at"),
    ],
    ids=["submission-closes-at-opening", "submission-closes-before-opening",
         "voting-closes-at-opening", "voting-closes-before-opening",
         "voting-ends-before-submissions-open"],
)  # fmt: skip
def test_an_impossible_schedule_is_refused_and_nothing_is_created(overrides, field):
    membership = BrandMembershipFactory()
    dates = schedule()
    for name, value in overrides.items():
        dates[name] = (
            dates[value] if isinstance(value, str)
            else dates["submission_opens_at"] + timedelta(days=value)
        )  # fmt: skip

    with pytest.raises(ApplicationError) as raised:
        campaign_create(
            created_by=membership.user, brand=membership.brand, title="T", brief="B", **dates
        )

    assert type(raised.value) is ApplicationError
    assert (raised.value.status_code, raised.value.field) == (400, field)
    assert Campaign.objects.count() == 0
