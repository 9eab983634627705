"""Roles × actions on a brand's campaigns: every cell asserted, through the predicate (the
specification) and through the door a person uses (page, service or download).

| action          | anon | contrib | owner | manager | moder. | analyst | other | site mod | staff |
|-----------------|------|---------|-------|---------|--------|---------|-------|----------|-------|
| view draft      |  -   |    -    |   x   |    x    |   x    |    x    |   -   |    x     |   x   |
| edit            |  -   |    -    |   x   |    x    |   -    |    -    |   -   |    -     |   -   |
| launch          |  -   |    -    |   x   |    x    |   -    |    -    |   -   |    -     |   -   |
| export          |  -   |    -    |   x   |    x    |   -    |    x    |   -   |    -     |   x   |
| answer an idea  |  -   |    -    |   x   |    x    |   -    |    -    |   -   |    -     |   -   |
| see private     |  -   |    -    |   x   |    x    |   x    |    x    |   -   |    x     |   x   |

("moder." is the brand's moderator, "other" another brand's owner, "site mod" a member of
the Moderators group, "staff" a member of the Staff group.)

Staff (Foule's own team) may look at everything to help a brand but act in no brand's name;
site moderators see what they moderate. docs/decisions/0007-brand-roles.md explains why."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group

from campaigns import lifecycle
from campaigns import rules as campaign_rules
from campaigns.models import Campaign, CampaignTransition
from core.errors import NotAllowed
from ideas import rules as idea_rules
from ideas.models import Idea, IdeaStatusUpdate
from ideas.services import idea_answer
from tests.factories import (
    BrandFactory,
    BrandMembershipFactory,
    CampaignFactory,
    CampaignTermsFactory,
    IdeaFactory,
    UserFactory,
)
from voting.selectors import idea_list_ordered

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous", "contributor", "owner", "manager", "moderator", "analyst", "other_owner",
    "site_moderator", "staff",
]  # fmt: skip
BRAND_ROLES = {"owner", "manager", "moderator", "analyst"}
ALLOWED = {
    "view_draft": BRAND_ROLES | {"site_moderator", "staff"},
    "edit": {"owner", "manager"},
    "launch": {"owner", "manager"},
    "export": {"owner", "manager", "analyst", "staff"},
    "answer": {"owner", "manager"},
    "see_private": BRAND_ROLES | {"site_moderator", "staff"},
}


def person(role: str, brand):
    if role == "anonymous":
        return AnonymousUser()
    if role in BRAND_ROLES:
        return BrandMembershipFactory(brand=brand, role=role).user
    if role == "other_owner":
        return BrandMembershipFactory(brand=BrandFactory(), role="owner").user
    user = UserFactory(is_staff=role == "staff")
    if role == "site_moderator":
        user.groups.add(Group.objects.get_or_create(name="Moderators")[0])
    if role == "staff":  # Foule's team is an explicit group; the flag only opens the admin
        user.groups.add(Group.objects.get_or_create(name="Staff")[0])
    return user


def cells(action: str) -> list:
    return [pytest.param(role, role in ALLOWED[action], id=f"{action}-{role}") for role in ROLES]


def a_draft() -> Campaign:
    campaign = CampaignFactory(is_published=False)
    CampaignTermsFactory(campaign=campaign)
    return campaign


@pytest.mark.parametrize(("role", "allowed"), cells("view_draft"))
def test_view_draft(client, role, allowed):
    campaign = a_draft()
    user = person(role, campaign.brand)
    assert campaign_rules.can_view_campaign(user, campaign) is allowed
    if user.is_authenticated:
        client.force_login(user)
    response = client.get(f"/campaigns/{campaign.slug}/")
    assert response.status_code == (200 if allowed else 404)
    if allowed:
        assert "Draft: only the brand sees this page." in response.content.decode()


@pytest.mark.parametrize(("role", "allowed"), cells("edit"))
def test_edit(client, role, allowed):
    campaign = a_draft()
    user = person(role, campaign.brand)
    assert campaign_rules.can_edit_campaign(user, campaign) is allowed
    if user.is_authenticated:
        client.force_login(user)
    response = client.post(
        f"/campaigns/{campaign.slug}/build/brief/", {"brief": "Rewritten **brief**"}
    )
    campaign.refresh_from_db()
    if allowed:
        assert response.status_code in (200, 302)
        assert campaign.brief == "Rewritten **brief**"
    else:
        # Anonymous: sent to log in; who may see the draft: 403; anyone else: not found.
        expected = 302 if role == "anonymous" else 403 if role in ALLOWED["view_draft"] else 404
        assert response.status_code == expected
        assert campaign.brief == "What should we do **next**?"
    # Once the campaign is open, nobody edits it in the builder (the schedule actions remain).
    open_campaign = CampaignFactory(brand=campaign.brand)
    assert campaign_rules.can_edit_campaign(user, open_campaign) is False


@pytest.mark.parametrize(("role", "allowed"), cells("launch"))
def test_launch(role, allowed):
    campaign = a_draft()
    user = person(role, campaign.brand)
    assert campaign_rules.can_launch_campaign(user, campaign) is allowed
    if allowed:
        lifecycle.campaign_launch(campaign=campaign, actor=user)
        campaign.refresh_from_db()
        assert campaign.state != "draft"
        assert CampaignTransition.objects.get(to_state="scheduled").actor == user
    else:
        with pytest.raises(NotAllowed):
            lifecycle.campaign_launch(campaign=campaign, actor=user)
        campaign.refresh_from_db()
        assert (campaign.state, campaign.is_published) == ("draft", False)
        assert CampaignTransition.objects.count() == 0


@pytest.mark.parametrize(("role", "allowed"), cells("export"))
def test_export(role, allowed, django_capture_on_commit_callbacks):
    from insights.exports import export_request
    from insights.models import CampaignExport

    campaign = CampaignFactory()
    user = person(role, campaign.brand)
    assert campaign_rules.can_export_campaign(user, campaign) is allowed
    if allowed:
        with django_capture_on_commit_callbacks():  # the build task is not sent here
            export = export_request(campaign=campaign, user=user, kind="ideas", format="csv")
        assert (export.campaign, export.requested_by, export.status) == (campaign, user, "queued")
    else:
        with pytest.raises(NotAllowed):
            export_request(campaign=campaign, user=user, kind="ideas", format="csv")
        assert CampaignExport.objects.count() == 0


@pytest.mark.parametrize(("role", "allowed"), cells("answer"))
def test_answer_an_idea(role, allowed):
    idea = IdeaFactory()
    user = person(role, idea.campaign.brand)
    assert idea_rules.can_answer_idea(user, idea) is allowed
    if allowed:
        idea_answer(idea=idea, author=user, answer="accepted", note="We will build it.")
        idea.refresh_from_db()
        assert idea.answer == "accepted"
    else:
        with pytest.raises(NotAllowed):
            idea_answer(idea=idea, author=user, answer="accepted", note="We will build it.")
        idea.refresh_from_db()
        assert (idea.answer, idea.answered_at) == ("", None)
        assert IdeaStatusUpdate.objects.count() == 0


@pytest.mark.parametrize(("role", "allowed"), cells("see_private"))
def test_see_private_ideas(client, role, allowed):
    campaign = CampaignFactory(is_private=True)
    idea = IdeaFactory(campaign=campaign, title="Secret sauce")
    user = person(role, campaign.brand)
    assert campaign_rules.can_see_private_ideas(user, campaign) is allowed
    assert idea_rules.can_view_idea(user, idea) is allowed
    listed, _order = idea_list_ordered(campaign=campaign, viewer=user)
    assert [listed_idea.pk for listed_idea in listed] == ([idea.pk] if allowed else [])
    if user.is_authenticated:
        client.force_login(user)
    assert client.get(f"/ideas/{idea.pk}/").status_code == (200 if allowed else 404)
    page = client.get(f"/campaigns/{campaign.slug}/").content.decode()
    assert ("Secret sauce" in page) is allowed


def test_a_private_campaigns_author_sees_only_their_own_ideas():
    campaign = CampaignFactory(is_private=True)
    mine = IdeaFactory(campaign=campaign)
    IdeaFactory(campaign=campaign)
    listed, _order = idea_list_ordered(campaign=campaign, viewer=mine.author)
    assert [idea.pk for idea in listed] == [mine.pk]
    assert Idea.objects.filter(campaign=campaign).count() == 2


def test_removing_a_member_takes_effect_at_once(client):
    campaign = a_draft()
    membership = BrandMembershipFactory(brand=campaign.brand, role="manager")
    client.force_login(membership.user)
    assert client.get(f"/campaigns/{campaign.slug}/").status_code == 200
    membership.delete()
    assert client.get(f"/campaigns/{campaign.slug}/").status_code == 404
    assert campaign_rules.can_launch_campaign(membership.user, campaign) is False
