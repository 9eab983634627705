"""The moderation admin: every changelist opens, and hiding ideas goes through the
service (a reason is required and each author is told)."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from ideas.models import Idea
from notifications.models import Notification
from notifications.services import notification_create
from rewards.services import points_award
from tests.factories import BrandMembershipFactory, IdeaFactory, UserFactory
from voting.models import Vote

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:ideas_idea_changelist")


@pytest.fixture
def moderator(db):
    """Staff, in the Moderators group, which may view and change ideas."""
    group, _created = Group.objects.get_or_create(name="Moderators")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="ideas", codename__in=["view_idea", "change_idea"]
        )
    )
    user = UserFactory(is_staff=True)
    user.groups.add(group)
    return user


@pytest.fixture
def some_of_everything(db):
    """At least one row of every model the admin lists, so each column is rendered."""
    idea = IdeaFactory()
    BrandMembershipFactory(brand=idea.campaign.brand)
    voter = UserFactory()
    now = timezone.now()
    Vote.objects.create(idea=idea, voter=voter, value=1, created_at=now, updated_at=now)
    notification_create(
        recipient=idea.author, kind=Notification.Kind.VOTE_MILESTONE,
        event_key=f"idea_votes:{idea.pk}:1", params={"title": idea.title, "count": 1},
    )  # fmt: skip
    points_award(user=idea.author, event_key=f"idea_first_vote:{idea.pk}",
                 reason="idea_first_vote", idea=idea)  # fmt: skip
    from accounts.tokens import api_token_create

    api_token_create(user=voter, name="admin listing")
    Group.objects.get_or_create(name="Moderators")
    return idea


def registered_models():
    return sorted((model._meta.app_label, model._meta.model_name) for model in admin.site._registry)


def test_the_foule_models_are_registered():
    assert {
        ("accounts", "user"), ("brands", "brand"), ("brands", "brandmembership"),
        ("campaigns", "campaign"), ("ideas", "idea"), ("voting", "vote"),
        ("voting", "ideatally"), ("notifications", "notification"), ("rewards", "ledgerentry"),
        ("voting", "ballot"), ("voting", "pairwiseprompt"), ("voting", "campaignresult"),
    } <= set(registered_models())  # fmt: skip


@pytest.mark.parametrize(("app_label", "model_name"), registered_models())
def test_a_superuser_opens_every_changelist_and_change_page(
    admin_client, admin_user, rf, some_of_everything, app_label, model_name
):
    changelist = reverse(f"admin:{app_label}_{model_name}_changelist")

    response = admin_client.get(changelist)
    assert response.status_code == 200, changelist
    searched = admin_client.get(changelist, {"q": "idea"})
    assert searched.status_code == 200, changelist

    model = next(m for m in admin.site._registry if m._meta.model_name == model_name
                 and m._meta.app_label == app_label)  # fmt: skip
    obj = model._default_manager.first()
    if obj is not None:
        change = reverse(f"admin:{app_label}_{model_name}_change", args=[obj.pk])
        assert admin_client.get(change).status_code == 200, change
    request = rf.get(changelist)
    request.user = admin_user
    if admin.site._registry[model].has_add_permission(request):
        add = reverse(f"admin:{app_label}_{model_name}_add")
        assert admin_client.get(add).status_code == 200, add


def test_a_moderator_opens_the_ideas_changelist_but_not_the_others(client, moderator):
    IdeaFactory()
    client.force_login(moderator)

    assert client.get(CHANGELIST).status_code == 200
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403


def hide(client, ideas, **extra):
    return client.post(
        CHANGELIST,
        {"action": "hide_ideas", "_selected_action": [idea.pk for idea in ideas], **extra},
    )


def test_the_hide_action_first_asks_for_a_reason(client, moderator):
    ideas = [IdeaFactory(title="First"), IdeaFactory(title="Second")]
    client.force_login(moderator)

    response = hide(client, ideas)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="reason"' in html
    assert "First" in html and "Second" in html
    assert Idea.objects.filter(status=Idea.Status.HIDDEN).count() == 0


def test_a_moderator_hides_ideas_with_a_reason_and_each_author_is_told(client, moderator):
    first, second, kept = IdeaFactory(title="First"), IdeaFactory(title="Second"), IdeaFactory()
    client.force_login(moderator)

    response = hide(client, [first, second], apply="1", reason="Advertising")

    assert response.status_code == 302
    assert response["Location"] == CHANGELIST
    for idea in (first, second):
        idea.refresh_from_db()
        assert (idea.status, idea.hidden_reason, idea.hidden_by_id) == (
            Idea.Status.HIDDEN, "Advertising", moderator.pk,
        )  # fmt: skip
    kept.refresh_from_db()
    assert kept.status == Idea.Status.PUBLISHED
    assert sorted(
        Notification.objects.values_list("recipient_id", "kind", "params")
    ) == sorted([
        (first.author_id, "idea_hidden", {"title": "First", "reason": "Advertising"}),
        (second.author_id, "idea_hidden", {"title": "Second", "reason": "Advertising"}),
    ])  # fmt: skip
    page = client.get(CHANGELIST)
    assert "2 ideas hidden." in page.content.decode()


def test_a_superuser_can_hide_ideas_too(admin_client):
    idea = IdeaFactory()

    hide(admin_client, [idea], apply="1", reason="Spam")

    idea.refresh_from_db()
    assert idea.status == Idea.Status.HIDDEN
    assert Notification.objects.filter(recipient=idea.author).count() == 1


@pytest.mark.parametrize("reason", ["", "   "])
def test_without_a_reason_nothing_is_hidden(client, moderator, reason):
    idea = IdeaFactory()
    client.force_login(moderator)

    response = hide(client, [idea], apply="1", reason=reason)

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    idea.refresh_from_db()
    assert (idea.status, idea.hidden_reason, idea.hidden_at) == (Idea.Status.PUBLISHED, "", None)
    assert Notification.objects.count() == 0


def test_staff_outside_the_moderators_group_cannot_hide(client):
    """The model permissions open the screen; without a moderating role (site-wide or in
    the idea's brand) there is nothing in it to see or hide (docs/decisions/0010)."""
    group, _created = Group.objects.get_or_create(name="Editors")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="ideas", codename__in=["view_idea", "change_idea"]
        )
    )
    staff = UserFactory(is_staff=True)
    staff.groups.add(group)
    idea = IdeaFactory()
    BrandMembershipFactory(brand=idea.campaign.brand, user=staff, role="analyst")
    client.force_login(staff)

    response = hide(client, [idea], apply="1", reason="Spam")

    assert response.status_code == 403
    idea.refresh_from_db()
    assert idea.status == Idea.Status.PUBLISHED
    assert Notification.objects.count() == 0
    assert client.get(CHANGELIST).status_code == 403


def test_a_moderator_restores_hidden_ideas(client, moderator):
    idea = IdeaFactory(status=Idea.Status.HIDDEN, hidden_reason="Spam")
    client.force_login(moderator)

    response = client.post(CHANGELIST, {"action": "unhide_ideas", "_selected_action": [idea.pk]})

    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.status == Idea.Status.PUBLISHED
