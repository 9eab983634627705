"""The admin for moderators is scoped and safe (issue 8, holes 1 and 2; docs/decisions/0010).

Each hole is reproduced as it was found and now fails: a moderator who may change users
cannot make themselves superuser, change groups or permissions or reset a password; a brand
B moderator cannot see, open, change, move or act on brand A's ideas; nobody edits an
idea's campaign or author, and title and body edits go through `idea_edit` (revision and
content hash); nothing that others depend on is deleted from the admin."""

import hashlib
import json

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.services import user_block
from brands.models import Brand, BrandMembership
from campaigns import rules as campaign_rules
from campaigns.models import Campaign, CampaignTerms, TermsAcceptance
from core.errors import NotAllowed
from demo.data import MODERATOR_PERMISSIONS
from ideas.models import Comment, Idea, IdeaRevision, IdeaStatusUpdate
from ideas.services import comment_post, idea_edit, idea_submit
from notifications.models import Notification
from notifications.services import notification_create
from rewards.models import LedgerEntry
from rewards.services import points_award
from tests.factories import (
    PASSWORD,
    BrandFactory,
    BrandMembershipFactory,
    CampaignFactory,
    IdeaFactory,
    UserFactory,
)
from voting.models import Ballot, CampaignResult, IdeaTally, Vote

pytestmark = pytest.mark.django_db

IDEAS = reverse("admin:ideas_idea_changelist")
USERS = reverse("admin:accounts_user_changelist")


def permissions(*codenames_by_app):
    """Permission rows from ("app_label", ["codename", ...]) pairs."""
    found = Permission.objects.none()
    for app_label, codenames in codenames_by_app:
        found |= Permission.objects.filter(
            content_type__app_label=app_label, codename__in=codenames
        )
    return found


def every_permission_of(*app_labels):
    return Permission.objects.filter(content_type__app_label__in=app_labels)


def staff_with(perms, *, groups=()):
    """A staff account (the admin's door) holding `perms` through a group of its own."""
    user = UserFactory(is_staff=True)
    group = Group.objects.create(name=f"Powers of {user.email}")
    group.permissions.set(perms)
    user.groups.add(group, *groups)
    return User.objects.get(pk=user.pk)  # no cached group names


def site_moderators():
    return Group.objects.get_or_create(name="Moderators")[0]


def demo_moderation_permissions():
    return permissions(
        *[
            (app, [f"{action}_{model}" for action in actions])
            for app, model, actions in MODERATOR_PERMISSIONS
        ]
    )


@pytest.fixture
def brands(db):
    """Brand A and brand B, each with a campaign, an idea with votes, a comment, and a
    moderator who holds the demo's moderation permissions."""
    data = {}
    for name in ("a", "b"):
        brand = BrandFactory(name=f"Brand {name.upper()}", slug=f"brand-{name}")
        campaign = CampaignFactory(brand=brand, title=f"Campaign of brand {name.upper()}")
        idea = IdeaFactory(campaign=campaign, title=f"Idea of brand {name.upper()}")
        for _voter in range(3):
            Vote.objects.create(
                idea=idea, voter=UserFactory(), value=1,
                created_at=timezone.now(), updated_at=timezone.now(),
            )  # fmt: skip
        comment = Comment.objects.create(
            idea=idea, author=UserFactory(), body=f"Comment on brand {name.upper()}"
        )
        moderator = staff_with(demo_moderation_permissions())
        BrandMembershipFactory(brand=brand, user=moderator, role="moderator")
        data[name] = {
            "brand": brand, "campaign": campaign, "idea": idea, "comment": comment,
            "moderator": User.objects.get(pk=moderator.pk),
        }  # fmt: skip
    return data


def snapshot(idea):
    idea = Idea.objects.get(pk=idea.pk)
    return (
        idea.campaign_id, idea.author_id, idea.title, idea.body, idea.body_html,
        idea.content_hash, idea.status, IdeaTally.objects.get(idea=idea).campaign_id,
        Vote.objects.filter(idea=idea).count(), idea.revisions.count(),
    )  # fmt: skip


def idea_form(idea, **changes):
    """What the idea's change form posts, with `changes` (crafted fields included)."""
    revisions = list(idea.revisions.values_list("pk", flat=True))
    data = {
        "title": idea.title, "body": idea.body, "reason": "",
        "revisions-TOTAL_FORMS": len(revisions), "revisions-INITIAL_FORMS": len(revisions),
        "revisions-MIN_NUM_FORMS": 0, "revisions-MAX_NUM_FORMS": 0,
    }  # fmt: skip
    for index, pk in enumerate(revisions):
        data[f"revisions-{index}-id"] = pk
        data[f"revisions-{index}-idea"] = idea.pk
    data.update(changes)
    return data


def content_hash(title, body):
    return hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()


# -- hole 1: escalation through the users admin ---------------------------------------------


@pytest.fixture(params=["site_moderator", "brand_moderator"])
def user_editor(request, db):
    """A moderator whose groups hold every permission on accounts, groups and permissions
    (the demo's old "Moderators" group held change_user)."""
    powers = every_permission_of("accounts", "auth", "account", "sites")
    if request.param == "site_moderator":
        return staff_with(powers, groups=[site_moderators()])
    user = staff_with(powers)
    BrandMembershipFactory(user=user, role="moderator")
    return User.objects.get(pk=user.pk)


def user_change_form(user, **changes):
    data = {
        "email": user.email, "display_name": user.display_name, "first_name": "",
        "last_name": "", "is_active": "on", "is_staff": "on",
        # The dates the old form edited, so that this POST is the one that once escalated.
        "date_joined_0": "2025-01-02", "date_joined_1": "10:00:00",
        "last_login_0": "", "last_login_1": "",
    }  # fmt: skip
    data.update(changes)
    return data


def powers(user):
    user = User.objects.get(pk=user.pk)
    return (
        user.is_superuser, user.is_staff, user.is_active, user.email, user.password,
        sorted(user.groups.values_list("name", flat=True)),
        sorted(user.user_permissions.values_list("codename", flat=True)),
    )  # fmt: skip


def test_a_moderator_who_may_change_users_cannot_make_themselves_superuser(client, user_editor):
    admins = Group.objects.create(name="Administrators")
    admins.permissions.set(Permission.objects.all())
    before = powers(user_editor)
    client.force_login(user_editor)

    response = client.post(
        reverse("admin:accounts_user_change", args=[user_editor.pk]),
        user_change_form(
            user_editor, is_superuser="on", groups=[admins.pk],
            user_permissions=list(Permission.objects.values_list("pk", flat=True)),
        ),
    )  # fmt: skip

    assert response.status_code == 403
    assert powers(user_editor) == before
    assert powers(user_editor)[0] is False


def test_a_moderator_cannot_change_another_accounts_flags_groups_or_permissions(
    client, user_editor
):
    victim = UserFactory()
    admins = Group.objects.create(name="Administrators")
    before = powers(victim)
    client.force_login(user_editor)

    response = client.post(
        reverse("admin:accounts_user_change", args=[victim.pk]),
        user_change_form(
            victim, email="attacker@example.org", is_superuser="on", groups=[admins.pk],
            user_permissions=list(Permission.objects.values_list("pk", flat=True)[:5]),
        ),
    )  # fmt: skip

    assert response.status_code == 403
    assert powers(victim) == before


def test_a_moderator_cannot_reset_a_password(client, user_editor):
    victim = UserFactory()
    url = reverse("admin:auth_user_password_change", args=[victim.pk])
    client.force_login(user_editor)

    assert client.get(url).status_code == 403
    response = client.post(
        url,
        {"password1": "a-new-pass-phrase-42", "password2": "a-new-pass-phrase-42",
         "set_usable_password": "true"},
    )  # fmt: skip

    assert response.status_code == 403
    victim.refresh_from_db()
    assert victim.check_password(PASSWORD)
    assert not victim.check_password("a-new-pass-phrase-42")
    assert client.login(email=victim.email, password="a-new-pass-phrase-42") is False


def test_a_moderator_cannot_add_accounts(client, user_editor):
    count = User.objects.count()
    client.force_login(user_editor)

    assert client.get(reverse("admin:accounts_user_add")).status_code == 403
    response = client.post(
        reverse("admin:accounts_user_add"),
        {"email": "new@example.org", "password1": "x-Y-z-12345678", "password2": "x-Y-z-12345678"},
    )

    assert response.status_code == 403
    assert User.objects.count() == count


@pytest.mark.parametrize(
    "url",
    [
        "/admin/auth/group/", "/admin/auth/group/add/", "/admin/account/emailaddress/",
        "/admin/sites/site/",
    ],
)  # fmt: skip
def test_the_screens_that_grant_powers_are_for_superusers_only(
    client, admin_client, user_editor, url
):
    client.force_login(user_editor)

    assert client.get(url).status_code == 403
    assert admin_client.get(url).status_code == 200
    index = client.get("/admin/").content.decode()
    assert "/admin/auth/group/" not in index
    assert "/admin/account/emailaddress/" not in index


def test_a_moderator_cannot_give_a_group_more_permissions(client, user_editor):
    group = Group.objects.create(name="Helpers")
    client.force_login(user_editor)

    response = client.post(
        reverse("admin:auth_group_change", args=[group.pk]),
        {"name": "Helpers", "permissions": list(Permission.objects.values_list("pk", flat=True))},
    )

    assert response.status_code == 403
    assert group.permissions.count() == 0


def test_every_registered_power_screen_is_restricted():
    from django.contrib import admin

    from accounts.admin import SUPERUSER_ONLY_MODELS, SuperuserOnlyAdminMixin

    for model, model_admin in admin.site._registry.items():
        if model._meta.label_lower in SUPERUSER_ONLY_MODELS:
            assert isinstance(model_admin, SuperuserOnlyAdminMixin), model


def test_a_site_moderator_sees_accounts_read_only_without_powers_or_password(client):
    moderator = staff_with(permissions(("accounts", ["view_user"])), groups=[site_moderators()])
    victim = UserFactory(email="victim@example.org")
    client.force_login(moderator)

    response = client.get(reverse("admin:accounts_user_change", args=[victim.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "victim@example.org" in html
    for hidden in ('name="is_superuser"', "is_superuser", "user_permissions", "id_groups",
                   "password/", 'name="email"'):  # fmt: skip
        assert hidden not in html, hidden
    listing = client.get(USERS).content.decode()
    assert "victim@example.org" in listing
    assert "superuser status" not in listing.lower()


@pytest.mark.parametrize("lookup", ["is_superuser__exact", "groups__id__exact", "password"])
def test_a_site_moderator_cannot_filter_accounts_by_their_powers(client, lookup):
    moderator = staff_with(permissions(("accounts", ["view_user"])), groups=[site_moderators()])
    client.force_login(moderator)

    assert client.get(USERS, {lookup: "1"}).status_code == 400


def test_a_brand_moderator_does_not_see_accounts(client, brands):
    moderator = staff_with(every_permission_of("accounts"))
    BrandMembershipFactory(brand=brands["a"]["brand"], user=moderator, role="moderator")
    client.force_login(moderator)

    assert client.get(USERS).status_code == 403
    assert client.get(reverse("admin:accounts_user_change", args=[moderator.pk])).status_code == 403
    # The raw-id pop-up is the same list.
    assert client.get(USERS, {"_popup": "1", "_to_field": "id"}).status_code == 403


def test_a_superuser_still_manages_accounts(admin_client):
    person = UserFactory()

    response = admin_client.post(
        reverse("admin:accounts_user_change", args=[person.pk]),
        user_change_form(person, is_staff="on"),
    )

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.is_staff is True
    password_page = reverse("admin:auth_user_password_change", args=[person.pk])
    assert admin_client.get(password_page).status_code == 200


# -- blocking accounts ------------------------------------------------------------------------


def block(client, users, **extra):
    return client.post(
        USERS, {"action": "block_accounts", "_selected_action": [u.pk for u in users], **extra}
    )


def test_a_site_moderator_blocks_accounts_with_a_reason_through_the_service(client):
    moderator = staff_with(permissions(("accounts", ["view_user"])), groups=[site_moderators()])
    spammer, kept = UserFactory(), UserFactory()
    client.force_login(moderator)

    asked = block(client, [spammer])
    assert asked.status_code == 200
    assert 'name="reason"' in asked.content.decode()
    spammer.refresh_from_db()
    assert spammer.is_active is True

    response = block(client, [spammer], apply="1", reason="Spam on 12 campaigns")

    assert response.status_code == 302
    spammer.refresh_from_db()
    kept.refresh_from_db()
    assert (spammer.is_active, kept.is_active) == (False, True)
    entry = LogEntry.objects.get(object_id=str(spammer.pk))
    assert (entry.user_id, entry.change_message) == (
        moderator.pk, "Account blocked. Reason: Spam on 12 campaigns",
    )  # fmt: skip
    assert "1 accounts blocked." in client.get(USERS).content.decode()
    assert client.login(email=spammer.email, password=PASSWORD) is False


@pytest.mark.parametrize("reason", ["", "   "])
def test_without_a_reason_no_account_is_blocked(client, reason):
    moderator = staff_with(permissions(("accounts", ["view_user"])), groups=[site_moderators()])
    person = UserFactory()
    client.force_login(moderator)

    response = block(client, [person], apply="1", reason=reason)

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    person.refresh_from_db()
    assert person.is_active is True
    assert LogEntry.objects.count() == 0


def test_a_site_moderator_cannot_block_a_superuser_staff_or_themselves(client):
    moderator = staff_with(permissions(("accounts", ["view_user"])), groups=[site_moderators()])
    superuser = UserFactory(is_superuser=True, is_staff=True)
    colleague = UserFactory(is_staff=True)
    client.force_login(moderator)

    response = block(client, [superuser, colleague, moderator], apply="1", reason="Coup")

    assert response.status_code == 302
    for person in (superuser, colleague, moderator):
        person.refresh_from_db()
        assert person.is_active is True
    assert "0 accounts blocked." in client.get(USERS).content.decode()
    with pytest.raises(NotAllowed):
        user_block(user=superuser, moderator=moderator, reason="Coup")


def test_a_superuser_blocks_a_staff_account():
    superuser = UserFactory(is_superuser=True, is_staff=True)
    colleague = UserFactory(is_staff=True)

    user_block(user=colleague, moderator=superuser, reason="Left the company")

    colleague.refresh_from_db()
    assert colleague.is_active is False


def test_a_brand_moderator_cannot_block_accounts(client, brands):
    victim = UserFactory()
    moderator = brands["b"]["moderator"]
    client.force_login(moderator)

    assert block(client, [victim], apply="1", reason="Dislike").status_code == 403
    victim.refresh_from_db()
    assert victim.is_active is True
    with pytest.raises(NotAllowed):
        user_block(user=victim, moderator=moderator, reason="Dislike")
    victim.refresh_from_db()
    assert victim.is_active is True


# -- hole 2: the cross-brand move -----------------------------------------------------------


def test_a_brand_b_moderator_neither_sees_nor_opens_brand_as_idea(client, brands):
    idea_a, idea_b = brands["a"]["idea"], brands["b"]["idea"]
    client.force_login(brands["b"]["moderator"])

    listing = client.get(IDEAS)
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "Idea of brand B" in html
    assert "Idea of brand A" not in html
    for view in ("change", "history"):
        response = client.get(reverse(f"admin:ideas_idea_{view}", args=[idea_a.pk]))
        assert response.status_code == 302, view  # "does not exist", like a wrong id
        assert response["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:ideas_idea_change", args=[idea_b.pk])).status_code == 200


def test_a_brand_b_moderator_cannot_move_rewrite_or_reattribute_brand_as_idea(client, brands):
    idea_a = brands["a"]["idea"]
    before = snapshot(idea_a)
    client.force_login(brands["b"]["moderator"])

    response = client.post(
        reverse("admin:ideas_idea_change", args=[idea_a.pk]),
        idea_form(
            idea_a, campaign=brands["b"]["campaign"].pk, author=brands["b"]["moderator"].pk,
            title="Moved", body="Rewritten", reason="Mine now",
        ),
    )  # fmt: skip

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert snapshot(idea_a) == before
    assert IdeaRevision.objects.count() == 0


def test_a_brand_b_moderator_cannot_act_on_brand_as_ideas_or_comments(client, brands):
    idea_a, comment_a = brands["a"]["idea"], brands["a"]["comment"]
    pending_a = IdeaFactory(campaign=brands["a"]["campaign"], status=Idea.Status.PENDING)
    client.force_login(brands["b"]["moderator"])

    client.post(IDEAS, {"action": "hide_ideas", "_selected_action": [idea_a.pk],
                        "apply": "1", "reason": "Competitor"})  # fmt: skip
    client.post(IDEAS, {"action": "approve_ideas", "_selected_action": [pending_a.pk]})
    client.post(
        reverse("admin:ideas_comment_changelist"),
        {"action": "hide_comments", "_selected_action": [comment_a.pk]},
    )

    idea_a.refresh_from_db()
    pending_a.refresh_from_db()
    comment_a.refresh_from_db()
    assert (idea_a.status, pending_a.status, comment_a.status) == (
        Idea.Status.PUBLISHED, Idea.Status.PENDING, Comment.Status.PUBLISHED,
    )  # fmt: skip
    assert Notification.objects.count() == 0
    with pytest.raises(NotAllowed):
        idea_edit(idea=idea_a, editor=brands["b"]["moderator"], title="X", body="Y", reason="Z")
    assert Idea.objects.get(pk=idea_a.pk).title == "Idea of brand A"


def test_the_brands_moderator_hides_and_shows_a_comment_through_the_service(client, brands):
    comment = brands["a"]["comment"]
    url = reverse("admin:ideas_comment_changelist")
    client.force_login(brands["a"]["moderator"])

    client.post(url, {"action": "hide_comments", "_selected_action": [comment.pk]})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HIDDEN

    client.post(url, {"action": "show_comments", "_selected_action": [comment.pk]})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED


def test_editing_the_title_creates_a_revision_and_updates_the_content_hash(client, brands):
    idea = brands["a"]["idea"]
    moderator = brands["a"]["moderator"]
    old = (idea.title, idea.body, idea.content_hash)
    other_campaign = CampaignFactory(brand=brands["a"]["brand"])
    client.force_login(moderator)

    response = client.post(
        reverse("admin:ideas_idea_change", args=[idea.pk]),
        idea_form(
            idea, title="Salted caramel", body="With **roasted** hazelnuts.",
            reason="Typo in the title", campaign=other_campaign.pk, author=moderator.pk,
        ),
    )  # fmt: skip

    assert response.status_code == 302, response.content.decode()[:3000]
    idea.refresh_from_db()
    assert (idea.title, idea.body) == ("Salted caramel", "With **roasted** hazelnuts.")
    assert idea.content_hash == content_hash("Salted caramel", "With **roasted** hazelnuts.")
    assert "<strong>roasted</strong>" in idea.body_html
    # Never moved nor re-attributed, even by the brand's own moderator.
    assert (idea.campaign_id, idea.author_id) == (
        brands["a"]["campaign"].pk, brands["a"]["idea"].author_id,
    )  # fmt: skip
    assert IdeaTally.objects.get(idea=idea).campaign_id == brands["a"]["campaign"].pk
    revision = IdeaRevision.objects.get(idea=idea)
    assert (revision.title, revision.body, revision.content_hash) == old
    assert (revision.edited_by_id, revision.reason) == (moderator.pk, "Typo in the title")
    # The history is shown, read-only, on the idea's page.
    page = client.get(reverse("admin:ideas_idea_change", args=[idea.pk])).content.decode()
    assert "Typo in the title" in page
    assert 'name="revisions-0-title"' not in page


def test_the_content_hash_is_the_one_idea_submit_computes(brands):
    idea = brands["a"]["idea"]
    idea_edit(
        idea=idea, editor=brands["a"]["moderator"], title="  Same text  ",
        body="Same body\n", reason="Align",
    )  # fmt: skip
    submitted = idea_submit(
        author=UserFactory(), campaign=brands["b"]["campaign"], title="Same text", body="Same body"
    )

    idea.refresh_from_db()
    assert idea.content_hash == submitted.content_hash


@pytest.mark.parametrize(
    ("changes", "field_error"),
    [
        ({"title": "Better title", "reason": ""}, "Say why you edit this idea"),
        ({"title": "   ", "reason": "Clean up"}, "This field is required."),
        ({"body": "", "reason": "Clean up"}, "This field is required."),
        ({"title": "x" * 141, "reason": "Long"}, "at most 140 characters"),
    ],
)
def test_an_invalid_edit_is_refused_and_changes_nothing(client, brands, changes, field_error):
    idea = brands["a"]["idea"]
    before = snapshot(idea)
    client.force_login(brands["a"]["moderator"])

    response = client.post(
        reverse("admin:ideas_idea_change", args=[idea.pk]), idea_form(idea, **changes)
    )

    assert response.status_code == 200
    assert field_error in response.content.decode()
    assert snapshot(idea) == before


def test_saving_without_a_change_writes_no_revision(client, brands):
    idea = brands["a"]["idea"]
    before = snapshot(idea)
    client.force_login(brands["a"]["moderator"])

    response = client.post(reverse("admin:ideas_idea_change", args=[idea.pk]), idea_form(idea))

    assert response.status_code == 302
    assert snapshot(idea) == before


def test_even_a_superuser_cannot_move_or_reattribute_an_idea(admin_client, brands):
    idea = brands["a"]["idea"]
    intruder = UserFactory()

    response = admin_client.post(
        reverse("admin:ideas_idea_change", args=[idea.pk]),
        idea_form(idea, campaign=brands["b"]["campaign"].pk, author=intruder.pk),
    )

    assert response.status_code == 302
    idea.refresh_from_db()
    assert (idea.campaign_id, idea.author_id) == (brands["a"]["campaign"].pk, idea.author_id)
    assert idea.author_id != intruder.pk
    assert IdeaRevision.objects.count() == 0


def test_nobody_adds_ideas_in_the_admin(client, admin_client, brands):
    count = Idea.objects.count()
    client.force_login(brands["a"]["moderator"])
    data = {"campaign": brands["a"]["campaign"].pk, "author": brands["a"]["moderator"].pk,
            "title": "Planted", "body": "Planted"}  # fmt: skip

    for http in (client, admin_client):
        assert http.get(reverse("admin:ideas_idea_add")).status_code == 403
        assert http.post(reverse("admin:ideas_idea_add"), data).status_code == 403
        # "Save as new" on an existing idea is an add too.
        idea = brands["a"]["idea"]
        saved_as_new = http.post(
            reverse("admin:ideas_idea_change", args=[idea.pk]),
            idea_form(idea, _saveasnew="1", title="Copy"),
        )
        assert saved_as_new.status_code == 403
    assert Idea.objects.count() == count


# -- no deletes -----------------------------------------------------------------------------


@pytest.fixture
def one_of_each(brands):
    """A row of every model that the admin never deletes."""
    idea = brands["a"]["idea"]
    campaign = brands["a"]["campaign"]
    status_update = IdeaStatusUpdate.objects.create(
        idea=idea, answer="accepted", note="Yes", author=brands["a"]["moderator"]
    )
    ballot = Ballot.objects.create(campaign=campaign, voter=UserFactory(), receipt="r" * 32)
    result = CampaignResult.objects.create(campaign=campaign, method="updown",
                                           computed_at=timezone.now())  # fmt: skip
    entry, _created = points_award(
        user=idea.author, event_key=f"test:{idea.pk}", reason="idea_published", idea=idea,
        points=5,
    )  # fmt: skip
    return {
        "ideas_idea": idea, "ideas_comment": brands["a"]["comment"],
        "ideas_ideastatusupdate": status_update, "voting_vote": Vote.objects.filter(idea=idea)[0],
        "voting_ideatally": IdeaTally.objects.get(idea=idea), "voting_ballot": ballot,
        "voting_campaignresult": result, "rewards_ledgerentry": entry,
        "brands_brandmembership": BrandMembership.objects.filter(brand=campaign.brand)[0],
        "accounts_user": idea.author, "campaigns_campaign": campaign,
        "brands_brand": campaign.brand,
    }  # fmt: skip


@pytest.mark.parametrize(
    "name",
    [
        "ideas_idea", "ideas_comment", "ideas_ideastatusupdate", "voting_vote",
        "voting_ideatally", "voting_ballot", "voting_campaignresult", "rewards_ledgerentry",
        "brands_brandmembership", "accounts_user", "campaigns_campaign", "brands_brand",
    ],
)  # fmt: skip
@pytest.mark.parametrize("who", ["superuser", "brand_moderator"])
def test_nothing_that_others_depend_on_is_deleted_from_the_admin(
    client, admin_user, one_of_each, brands, name, who
):
    obj = one_of_each[name]
    model = type(obj)
    if who == "superuser":
        client.force_login(admin_user)
    else:
        powerful = staff_with(
            every_permission_of("ideas", "voting", "rewards", "campaigns", "accounts")
        )
        BrandMembershipFactory(brand=brands["a"]["brand"], user=powerful, role="owner")
        client.force_login(powerful)
    delete_url = reverse(f"admin:{name}_delete", args=[obj.pk])

    assert client.get(delete_url).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    changelist = reverse(f"admin:{name}_changelist")
    page = client.get(changelist)
    assert page.status_code in (200, 403)
    assert "delete_selected" not in page.content.decode()
    bulk = client.post(changelist, {"action": "delete_selected", "post": "yes",
                                    "_selected_action": [obj.pk]})  # fmt: skip
    assert bulk.status_code in (200, 302, 403)
    assert model._default_manager.filter(pk=obj.pk).exists()


def test_a_superuser_deletes_only_a_campaign_nobody_took_part_in(admin_client, brands):
    untouched = CampaignFactory(brand=brands["a"]["brand"], is_published=False)
    CampaignTerms.objects.create(campaign=untouched, version=1, ip_terms="x", confidentiality="y")
    accepted = CampaignFactory(brand=brands["a"]["brand"], is_published=False)
    terms = CampaignTerms.objects.create(
        campaign=accepted, version=1, ip_terms="x", confidentiality="y"
    )
    TermsAcceptance.objects.create(terms=terms, user=UserFactory())

    blocked = admin_client.post(
        reverse("admin:campaigns_campaign_delete", args=[accepted.pk]), {"post": "yes"}
    )
    assert blocked.status_code == 403
    assert Campaign.objects.filter(pk=accepted.pk).exists()

    deleted = admin_client.post(
        reverse("admin:campaigns_campaign_delete", args=[untouched.pk]), {"post": "yes"}
    )
    assert deleted.status_code == 302
    assert not Campaign.objects.filter(pk=untouched.pk).exists()


def test_a_superuser_deletes_a_brand_only_without_campaigns(admin_client, brands):
    empty = BrandFactory()
    response = admin_client.post(
        reverse("admin:brands_brand_delete", args=[empty.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Brand.objects.filter(pk=empty.pk).exists()


# -- scope of lists, filters and look-ups ---------------------------------------------------


@pytest.fixture
def everything_of_both_brands(brands):
    for name in ("a", "b"):
        campaign, idea = brands[name]["campaign"], brands[name]["idea"]
        IdeaStatusUpdate.objects.create(
            idea=idea, answer="accepted", note=f"Answer of brand {name.upper()}"
        )
        Ballot.objects.create(
            campaign=campaign, voter=UserFactory(), receipt=f"receipt-of-brand-{name.upper()}"
        )
        CampaignResult.objects.create(
            campaign=campaign, method="updown", computed_at=timezone.now(),
            digest=f"digest-of-brand-{name.upper()}",
        )  # fmt: skip
        points_award(user=idea.author, event_key=f"ledger-of-brand-{name.upper()}",
                     reason="idea_published", idea=idea, points=1)  # fmt: skip
    return brands


SCOPED_LISTS = [
    ("ideas_idea", "Idea of brand {}"),
    ("ideas_comment", "Comment on brand {}"),
    ("ideas_ideastatusupdate", "Idea of brand {}"),
    ("voting_vote", "Idea of brand {}"),
    ("voting_ideatally", "Idea of brand {}"),
    ("voting_ballot", "Campaign of brand {}"),
    ("voting_campaignresult", "digest-of-brand-{}"),
    ("rewards_ledgerentry", "ledger-of-brand-{}"),
    ("campaigns_campaign", "Campaign of brand {}"),
    ("brands_brand", "Brand {}"),
    ("brands_brandmembership", "Brand {}"),
]


@pytest.mark.parametrize(("name", "marker"), SCOPED_LISTS)
def test_a_brand_moderator_lists_only_their_brands_rows(
    client, everything_of_both_brands, name, marker
):
    moderator = staff_with(every_permission_of("ideas", "voting", "rewards", "campaigns", "brands"))
    BrandMembershipFactory(brand=everything_of_both_brands["b"]["brand"], user=moderator,
                           role="moderator")  # fmt: skip
    client.force_login(moderator)

    html = client.get(reverse(f"admin:{name}_changelist")).content.decode()

    assert marker.format("B") in html
    assert marker.format("A") not in html


@pytest.mark.parametrize(("name", "marker"), SCOPED_LISTS)
def test_a_site_moderator_lists_every_brand(client, everything_of_both_brands, name, marker):
    moderator = staff_with(
        every_permission_of("ideas", "voting", "rewards", "campaigns", "brands"),
        groups=[site_moderators()],
    )
    client.force_login(moderator)

    html = client.get(reverse(f"admin:{name}_changelist")).content.decode()

    assert marker.format("A") in html and marker.format("B") in html


def test_the_filters_offer_only_the_moderators_brands_and_campaigns(client, brands):
    # A filter shows when it has two choices: the moderator moderates brands B and C.
    moderator = brands["b"]["moderator"]
    brand_c = BrandMembershipFactory(user=moderator, role="manager", brand__name="Brand C").brand
    IdeaFactory(campaign=CampaignFactory(brand=brand_c, title="Campaign of brand C"))
    client.force_login(moderator)

    response = client.get(IDEAS)

    filters = response.context["cl"].filter_specs
    offered = {
        str(title) for spec in filters for _value, title in getattr(spec, "lookup_choices", [])
    }
    assert {"Brand B", "Brand C", "Campaign of brand B", "Campaign of brand C"} <= offered
    assert not offered & {"Brand A", "Campaign of brand A"}
    html = response.content.decode()
    assert "Campaign of brand A" not in html and "Brand A" not in html
    # A crafted filter on brand A's campaign finds nothing.
    crafted = client.get(IDEAS, {"campaign__id__exact": brands["a"]["campaign"].pk})
    assert "Idea of brand A" not in crafted.content.decode()


def test_autocomplete_and_raw_id_lookups_reveal_no_other_brand(client, brands):
    client.force_login(brands["b"]["moderator"])

    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "ideas", "model_name": "idea", "field_name": "campaign", "term": ""},
    )
    assert response.status_code == 200
    ids = {int(row["id"]) for row in json.loads(response.content)["results"]}
    assert ids == {brands["b"]["campaign"].pk}

    comments_idea = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "ideas", "model_name": "comment", "field_name": "idea", "term": "Idea"},
    )
    assert {int(row["id"]) for row in json.loads(comments_idea.content)["results"]} == {
        brands["b"]["idea"].pk
    }
    authors = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "ideas", "model_name": "idea", "field_name": "author", "term": ""},
    )
    assert authors.status_code == 403
    popup = client.get(IDEAS, {"_popup": "1", "_to_field": "id"}).content.decode()
    assert "Idea of brand B" in popup and "Idea of brand A" not in popup


def test_notifications_are_for_site_moderators_only(client, brands):
    notification_create(
        recipient=brands["a"]["idea"].author, kind=Notification.Kind.VOTE_MILESTONE,
        event_key="milestone:1", params={"title": "Idea of brand A", "count": 3},
    )  # fmt: skip
    brand_moderator = staff_with(every_permission_of("notifications"))
    BrandMembershipFactory(brand=brands["a"]["brand"], user=brand_moderator, role="owner")
    site_moderator = staff_with(every_permission_of("notifications"), groups=[site_moderators()])
    url = reverse("admin:notifications_notification_changelist")

    client.force_login(brand_moderator)
    assert client.get(url).status_code == 403
    client.force_login(site_moderator)
    assert client.get(url).status_code == 200


def test_staff_without_a_moderating_role_sees_no_brand(client, brands):
    analyst = staff_with(every_permission_of("ideas", "campaigns"))
    BrandMembershipFactory(brand=brands["a"]["brand"], user=analyst, role="analyst")
    client.force_login(analyst)

    assert client.get(IDEAS).status_code == 403
    assert client.get(reverse("admin:campaigns_campaign_changelist")).status_code == 403


def test_a_brand_moderators_admin_access_opens_no_other_brand_on_the_site(client, brands):
    """Django's is_staff opens the admin only; Foule staff is the explicit "Staff" group."""
    moderator = brands["b"]["moderator"]
    draft_a = CampaignFactory(brand=brands["a"]["brand"], is_published=False)
    assert moderator.is_staff
    assert campaign_rules.can_view_campaign(moderator, draft_a) is False
    assert campaign_rules.can_view_dashboard(moderator, brands["a"]["campaign"]) is False
    assert campaign_rules.can_export_campaign(moderator, brands["a"]["campaign"]) is False
    client.force_login(moderator)
    assert client.get(f"/campaigns/{draft_a.slug}/").status_code == 404
    dashboard = client.get(f"/campaigns/{brands['a']['campaign'].slug}/dashboard/")
    assert dashboard.status_code in (403, 404)
    staff_member = UserFactory(is_staff=True)
    staff_member.groups.add(Group.objects.get_or_create(name="Staff")[0])
    assert campaign_rules.can_view_campaign(User.objects.get(pk=staff_member.pk), draft_a)


# -- the demo data --------------------------------------------------------------------------


def test_the_demo_moderator_is_a_brand_moderator_without_powers_over_accounts(client):
    # An older demo database: the moderator in a "Moderators" group that changed users.
    call_command("seed_demo")
    old = Group.objects.create(name="Moderators")
    old.permissions.set(permissions(("accounts", ["view_user", "change_user"])))
    moderator = User.objects.get(email="moderator@demo.foule.localhost")
    moderator.groups.add(old)

    call_command("seed_demo")  # idempotent, and repairs the old grant

    moderator = User.objects.get(pk=moderator.pk)
    assert (moderator.is_staff, moderator.is_superuser) == (True, False)
    assert list(moderator.groups.values_list("name", flat=True)) == ["Brand moderation"]
    assert list(
        BrandMembership.objects.filter(user=moderator).values_list("brand__name", "role")
    ) == [("Maison Claire", "moderator")]
    assert not Permission.objects.filter(
        codename__in=["change_user", "add_user", "delete_user"], group__isnull=False
    ).exists()
    granted = set(
        Group.objects.get(name="Brand moderation").permissions.values_list(
            "content_type__app_label", "codename"
        )
    )
    assert granted == {
        (app, f"{action}_{model}")
        for app, model, actions in MODERATOR_PERMISSIONS
        for action in actions
    }
    assert not {codename for _app, codename in granted} & {"change_user", "change_group"}

    client.force_login(moderator)
    index = client.get("/admin/")
    assert index.status_code == 200
    assert "/admin/ideas/idea/" in index.content.decode()
    for hidden in ("/admin/accounts/user/", "/admin/auth/group/", "/admin/notifications/"):
        assert hidden not in index.content.decode()
    assert client.get(IDEAS).status_code == 200
    assert "Vote for our next yoghurt flavour" in client.get(IDEAS).content.decode()
    assert client.get(USERS).status_code == 403
    assert client.get("/admin/auth/group/").status_code == 403
    assert (
        client.get(reverse("admin:auth_user_password_change", args=[moderator.pk])).status_code
        == 403
    )
    other_brand_idea = IdeaFactory(title="Elsewhere")
    assert (
        client.get(reverse("admin:ideas_idea_change", args=[other_brand_idea.pk])).status_code
        == 302
    )
    # A comment through the service, then hidden by the demo moderator.
    comment = comment_post(
        idea=Idea.objects.filter(campaign__brand__slug="maison-claire", status="published")
        .order_by("pk")
        .first(),
        author=User.objects.get(email="contributor@demo.foule.localhost"),
        body="Spam spam",
    )
    client.post(reverse("admin:ideas_comment_changelist"),
                {"action": "hide_comments", "_selected_action": [comment.pk]})  # fmt: skip
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HIDDEN
    assert LedgerEntry.objects.exists()


# -- ballot secrecy ---------------------------------------------------------------------------


def test_a_brand_moderator_reads_ballots_without_voters_and_nobody_sees_receipts(client, brands):
    campaign = brands["b"]["campaign"]
    voter = UserFactory(email="secret.voter@example.org", display_name="Secret Voter")
    ballot = Ballot.objects.create(campaign=campaign, voter=voter, receipt="r3c31pt" * 4)
    moderator = staff_with(every_permission_of("voting"))
    BrandMembershipFactory(brand=brands["b"]["brand"], user=moderator, role="moderator")
    client.force_login(moderator)

    pages = [
        client.get(reverse("admin:voting_ballot_changelist")),
        client.get(reverse("admin:voting_ballot_change", args=[ballot.pk])),
        client.get(reverse("admin:voting_ballot_changelist"), {"q": "secret.voter"}),
    ]

    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        assert "Secret Voter" not in html and "secret.voter@" not in html
        assert "r3c31pt" not in html
    # Searching by a voter's address finds nothing out: it is not a search field for them.
    assert pages[2].context["cl"].search_fields == ()

    site_moderator = staff_with(every_permission_of("voting"), groups=(site_moderators(),))
    client.force_login(site_moderator)
    change = client.get(reverse("admin:voting_ballot_change", args=[ballot.pk])).content.decode()
    assert "Secret Voter" in change
    assert "r3c31pt" not in change
