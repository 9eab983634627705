"""The schedule page, the follow button and archiving, through HTTP."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from campaigns.models import Campaign, CampaignFollow, CampaignTransition, ScheduleChange
from tests.factories import BrandMembershipFactory, CampaignFactory, UserFactory

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def running_campaign(**kwargs) -> Campaign:
    now = timezone.now()
    campaign = CampaignFactory(
        submission_opens_at=now - timedelta(days=5),
        submission_closes_at=now + timedelta(days=5),
        voting_opens_at=now - timedelta(days=5),
        voting_closes_at=now + timedelta(days=10),
        **kwargs,
    )
    campaign.brand.time_zone = "Europe/Paris"
    campaign.brand.save()
    return campaign


def member(campaign, role):
    return BrandMembershipFactory(brand=campaign.brand, role=role).user


def test_a_manager_extends_voting_in_the_brands_time_zone_and_participants_read_why(client):
    campaign = running_campaign()
    client.force_login(member(campaign, "manager"))
    new_end = datetime(timezone.now().year + 1, 1, 15, 18, 0, tzinfo=PARIS)

    response = client.post(
        f"/campaigns/{campaign.slug}/schedule/",
        {"window": "voting", "action": "extend", "new_end": f"{new_end.year}-01-15T18:00",
         "reason": "The holidays slowed everyone down."},
    )  # fmt: skip

    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.voting_closes_at == new_end  # 18:00 in Paris is 17:00 UTC in January
    assert campaign.voting_closes_at.astimezone(ZoneInfo("UTC")).hour == 17
    change = ScheduleChange.objects.get()
    assert (change.window, change.kind, change.reason) == (
        "voting", "extended", "The holidays slowed everyone down.",
    )  # fmt: skip
    page = client.get(f"/campaigns/{campaign.slug}/").content.decode()
    assert "The holidays slowed everyone down." in page
    history = client.get(f"/campaigns/{campaign.slug}/schedule/").content.decode()
    assert "The holidays slowed everyone down." in history


def test_closing_ideas_early_through_the_page_moves_the_campaign_on():
    from django.test import Client

    campaign = running_campaign()
    client = Client()
    client.force_login(member(campaign, "owner"))
    response = client.post(
        f"/campaigns/{campaign.slug}/schedule/",
        {"window": "submission", "action": "close", "reason": "We have plenty of ideas."},
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.state == "voting"
    assert not campaign.is_submission_open()
    assert campaign.is_voting_open()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"window": "voting", "action": "extend", "reason": "Why"}, "new_end", "Say until when."),
        ({"window": "voting", "action": "extend", "new_end": "not a date", "reason": "Why"},
         "new_end", "Enter a valid date/time."),
        ({"window": "voting", "action": "close", "reason": ""}, "reason",
         "This field is required."),
        ({"window": "moon", "action": "close", "reason": "Why"}, "window",
         "Select a valid choice. moon is not one of the available choices."),
        ({"window": "voting", "action": "extend", "new_end": "2001-01-01T10:00", "reason": "Why"},
         "new_end", "An extension must end after the current end."),
    ],
)  # fmt: skip
def test_bad_input_is_a_form_error_and_changes_nothing(client, data, field, message):
    campaign = running_campaign()
    before = Campaign.objects.values("voting_closes_at", "submission_closes_at").get()
    client.force_login(member(campaign, "manager"))

    response = client.post(f"/campaigns/{campaign.slug}/schedule/", data)

    assert response.status_code == 400
    assert message in response.context["form"].errors[field]
    assert Campaign.objects.values("voting_closes_at", "submission_closes_at").get() == before
    assert ScheduleChange.objects.count() == 0


@pytest.mark.parametrize(
    ("role", "get_status", "post_status"),
    [
        ("analyst", 200, 403),
        ("moderator", 200, 403),
        ("contributor", 403, 403),
        ("other_owner", 403, 403),
        ("anonymous", 302, 302),
    ],
)
def test_who_may_see_and_change_the_schedule(client, role, get_status, post_status):
    campaign = running_campaign()
    if role in ("analyst", "moderator"):
        client.force_login(member(campaign, role))
    elif role == "contributor":
        client.force_login(UserFactory())
    elif role == "other_owner":
        client.force_login(BrandMembershipFactory(role="owner").user)
    before = Campaign.objects.values().get()

    assert client.get(f"/campaigns/{campaign.slug}/schedule/").status_code == get_status
    response = client.post(
        f"/campaigns/{campaign.slug}/schedule/",
        {"window": "voting", "action": "close", "reason": "Because"},
    )
    assert response.status_code == post_status
    assert client.post(f"/campaigns/{campaign.slug}/archive/").status_code == post_status
    assert Campaign.objects.values().get() == before
    assert ScheduleChange.objects.count() == 0


def test_a_draft_schedule_is_not_found_for_outsiders(client):
    campaign = CampaignFactory(is_published=False)
    client.force_login(UserFactory())
    assert client.get(f"/campaigns/{campaign.slug}/schedule/").status_code == 404


def test_archiving_through_the_page(client):
    now = timezone.now()
    campaign = CampaignFactory(
        submission_opens_at=now - timedelta(days=30), submission_closes_at=now - timedelta(days=20),
        voting_opens_at=now - timedelta(days=30), voting_closes_at=now - timedelta(days=10),
    )  # fmt: skip
    assert campaign.state == "results"
    owner = member(campaign, "owner")
    client.force_login(owner)
    page = client.get(f"/campaigns/{campaign.slug}/schedule/").content.decode()
    assert 'data-testid="archive-button"' in page

    assert client.post(f"/campaigns/{campaign.slug}/archive/").status_code == 302

    campaign.refresh_from_db()
    assert campaign.state == "archived"
    assert CampaignTransition.objects.get(campaign=campaign, to_state="archived").actor == owner
    assert "Archived" in client.get(f"/campaigns/{campaign.slug}/").content.decode()


def test_following_and_unfollowing_with_htmx(client):
    campaign = running_campaign()
    user = UserFactory()
    client.force_login(user)
    url = f"/campaigns/{campaign.slug}/follow/"

    response = client.post(url, {"follow": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'aria-pressed="true"' in response.content.decode()
    assert CampaignFollow.objects.filter(campaign=campaign, user=user).count() == 1
    client.post(url, {"follow": "1"}, HTTP_HX_REQUEST="true")  # twice: still one
    assert CampaignFollow.objects.filter(campaign=campaign, user=user).count() == 1

    response = client.post(url, {"follow": "0"})  # without JS: back to the page
    assert response.status_code == 302
    assert CampaignFollow.objects.count() == 0


def test_an_unverified_account_cannot_follow(client):
    campaign = running_campaign()
    client.force_login(UserFactory(verified=False))
    response = client.post(
        f"/campaigns/{campaign.slug}/follow/", {"follow": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 403
    assert "verify your email" in response.content.decode()
    assert CampaignFollow.objects.count() == 0


def test_the_brand_page_is_the_teams_home_with_drafts_and_dashboards(client):
    campaign = running_campaign(title="Open one")
    draft = CampaignFactory(brand=campaign.brand, is_published=False, title="Secret draft")
    public = client.get(f"/brands/{campaign.brand.slug}/").content.decode()
    assert "Open one" in public and "Secret draft" not in public

    analyst = member(campaign, "analyst")
    client.force_login(analyst)
    page = client.get(f"/brands/{campaign.brand.slug}/").content.decode()
    assert "Secret draft" in page
    assert f"/campaigns/{campaign.slug}/dashboard/" in page
    assert f"/campaigns/{draft.slug}/build/" in page
    assert f'data-testid="my-brand">{campaign.brand.name}</a>' in page  # in the header
