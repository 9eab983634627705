"""A brand's profile, its team and the invitations to join it, through HTTP like a browser
(campaigns/views/team.py) and through the services (campaigns/team.py)."""

import hashlib
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from brands import team
from brands.models import Brand, BrandInvitation, BrandMembership
from tests.factories import (
    PASSWORD,
    BrandMembershipFactory,
    CampaignFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

Role = BrandMembership.Role
LINK = re.compile(r"(https?://\S+/invitations/([A-Za-z0-9_-]+)/)")


def team_url(brand) -> str:
    return f"/brands/{brand.slug}/team/"


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def memberships(brand) -> list[tuple[str, str]]:
    return sorted(brand.memberships.values_list("user__email", "role"))


def invitations(brand) -> list[tuple]:
    return list(
        BrandInvitation.objects.filter(brand=brand)
        .order_by("id")
        .values_list("email", "role", "token_hash", "expires_at", "accepted_at", "revoked_at")
    )


def brand_state(brand) -> tuple:
    brand = Brand.objects.get(pk=brand.pk)
    return (brand.name, brand.description, brand.website, brand.logo.name, brand.time_zone)


@pytest.fixture
def owner():
    return BrandMembershipFactory(
        role=Role.OWNER, brand__name="Acme", brand__slug="acme", user__email="owner@acme.test"
    )


@pytest.fixture
def brand(owner):
    return owner.brand


@pytest.fixture
def invite(owner, django_capture_on_commit_callbacks, mailoutbox):
    """invite(email, role) -> the link's token, through the service (email sent)."""

    def make(email="new@example.org", role=Role.MANAGER):
        with django_capture_on_commit_callbacks(execute=True):
            invitation = team.invitation_create(
                brand=owner.brand, email=email, role=role, invited_by=owner.user
            )
        return invitation.token

    return make


def png_bytes(size=(40, 30), color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


# -- the round trip ------------------------------------------------------------------------


def test_invitation_round_trip_through_http(
    client, owner, mailoutbox, django_capture_on_commit_callbacks
):
    brand = owner.brand
    client.force_login(owner.user)
    assert client.get(team_url(brand)).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/brands/acme/team/invite/", {"email": "Ann@Example.org ", "role": "manager"}
        )

    assert response.status_code == 302
    assert response["Location"] == "/brands/acme/team/"
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["ann@example.org"]
    assert email.subject == "You are invited to join Acme on Foule"
    link, token = LINK.search(email.body).groups()
    assert link == f"{settings.SITE_URL}/invitations/{token}/"
    assert len(token) == 43  # secrets.token_urlsafe(32)
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{link}"' in html
    invitation = BrandInvitation.objects.get()
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "ann@example.org",
        "manager",
        owner.user,
    )
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(BrandInvitation.objects.values().get())
    # The team page lists the pending invitation with its expiry.
    page = client.get(team_url(brand)).content.decode()
    assert 'data-testid="invitation" data-email="ann@example.org"' in page
    assert f'datetime="{timezone.localtime(invitation.expires_at).isoformat()}"' in page

    # An anonymous visitor with the link sees the brand and role, and is asked to log in.
    path = f"/invitations/{token}/"
    invitee_client = Client()
    anonymous_page = invitee_client.get(path)
    assert anonymous_page.status_code == 200
    text = anonymous_page.content.decode()
    assert 'data-testid="invitation-brand">Acme<' in text
    assert 'data-testid="invitation-role">Manager<' in text
    assert f'href="/accounts/login/?next=/invitations/{token}/"' in text
    assert f'href="/accounts/signup/?next=/invitations/{token}/"' in text
    assert 'data-testid="invitation-accept"' not in text
    anonymous_post = invitee_client.post(path)
    assert anonymous_post.status_code == 302
    assert anonymous_post["Location"] == f"/accounts/login/?next=/invitations/{token}/"
    assert not BrandMembership.objects.filter(brand=brand, role=Role.MANAGER).exists()

    # The invitee logs in with the invited (verified) address, then accepts.
    invitee = UserFactory(email="ann@example.org")
    login = invitee_client.post(
        "/accounts/login/", {"login": "ann@example.org", "password": PASSWORD, "next": path}
    )
    assert login.status_code == 302
    assert login["Location"] == path
    page = invitee_client.get(path)
    assert page.status_code == 200
    assert 'data-testid="invitation-accept"' in page.content.decode()

    accepted = invitee_client.post(path)

    assert accepted.status_code == 302
    assert accepted["Location"] == "/brands/acme/team/"
    assert memberships(brand) == [("ann@example.org", "manager"), ("owner@acme.test", "owner")]
    invitation.refresh_from_db()
    assert invitation.accepted_by == invitee
    assert invitation.accepted_at is not None
    assert invitation.revoked_at is None
    team_page = invitee_client.get("/brands/acme/team/")
    assert team_page.status_code == 200
    assert 'data-testid="team-member" data-email="ann@example.org"' in team_page.content.decode()
    # A manager sees the team but none of the owner's controls.
    assert 'data-testid="invite-form"' not in team_page.content.decode()
    assert 'data-testid="team-member-remove"' not in team_page.content.decode()
    # The pending list no longer shows it.
    assert list(team.invitations_pending(brand=brand)) == []


def test_invitation_lasts_the_configured_days_read_at_call_time(owner, settings):
    settings.FOULE_INVITATION_DAYS = 2
    with time_machine.travel("2030-03-01 12:00:00+00:00", tick=False):
        invitation = team.invitation_create(
            brand=owner.brand, email="a@example.org", role=Role.ANALYST, invited_by=owner.user
        )
    assert invitation.expires_at == datetime(2030, 3, 3, 12, tzinfo=UTC)


def test_the_default_lifetime_is_seven_days(owner):
    with time_machine.travel("2030-03-01 12:00:00+00:00", tick=False):
        invitation = team.invitation_create(
            brand=owner.brand, email="a@example.org", role=Role.ANALYST, invited_by=owner.user
        )
    assert invitation.expires_at == datetime(2030, 3, 8, 12, tzinfo=UTC)


# -- refusals: nothing changes ---------------------------------------------------------------


def test_an_expired_invitation_is_refused_and_nothing_changes(brand, invite):
    invitee = UserFactory(email="new@example.org")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        token = invite()
    before = (memberships(brand), invitations(brand))
    client = client_for(invitee)

    with time_machine.travel(start + timedelta(days=7), tick=False):  # exactly 7 days on
        page = client.get(f"/invitations/{token}/")
        response = client.post(f"/invitations/{token}/")

    assert page.status_code == 409
    assert "This invitation has expired." in page.content.decode()
    assert 'data-testid="invitation-accept"' not in page.content.decode()
    assert response.status_code == 409
    assert "This invitation has expired." in response.content.decode()
    assert (memberships(brand), invitations(brand)) == before
    # One minute before the end, it still works.
    with time_machine.travel(start + timedelta(days=7, minutes=-1), tick=False):
        assert client.post(f"/invitations/{token}/").status_code == 302
    assert ("new@example.org", "manager") in memberships(brand)


def test_a_revoked_invitation_is_refused(client, owner, invite):
    brand = owner.brand
    token = invite()
    invitation = BrandInvitation.objects.get()
    client.force_login(owner.user)

    response = client.post(f"/brands/acme/team/invitations/{invitation.pk}/revoke/")

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    before = (memberships(brand), invitations(brand))
    invitee = client_for(UserFactory(email="new@example.org"))
    refused = invitee.post(f"/invitations/{token}/")
    assert refused.status_code == 409
    assert "This invitation was withdrawn." in refused.content.decode()
    assert (memberships(brand), invitations(brand)) == before
    # Revoking it again is refused too, with a message.
    again = client.post(f"/brands/acme/team/invitations/{invitation.pk}/revoke/")
    assert again.status_code == 409
    assert "This invitation is no longer pending." in again.content.decode()


def test_a_used_invitation_cannot_be_used_again(brand, owner, invite):
    token = invite(role=Role.MANAGER)
    invitee = UserFactory(email="new@example.org")
    client = client_for(invitee)
    assert client.post(f"/invitations/{token}/").status_code == 302
    # The owner then makes them an analyst; replaying the link must not undo it.
    membership = BrandMembership.objects.get(user=invitee)
    team.membership_change_role(membership=membership, role=Role.ANALYST, actor=owner.user)
    before = (memberships(brand), invitations(brand))

    page = client.get(f"/invitations/{token}/")
    response = client.post(f"/invitations/{token}/")

    assert page.status_code == 409
    assert response.status_code == 409
    assert "This invitation has already been used." in response.content.decode()
    assert (memberships(brand), invitations(brand)) == before
    assert BrandMembership.objects.get(user=invitee).role == "analyst"


def test_another_account_cannot_accept(brand, invite):
    token = invite()
    UserFactory(email="new@example.org")
    other = UserFactory(email="other@example.org")
    before = (memberships(brand), invitations(brand))

    page = client_for(other).get(f"/invitations/{token}/")
    response = client_for(other).post(f"/invitations/{token}/")

    assert page.status_code == 403
    assert response.status_code == 403
    assert (
        "This invitation was sent to new@example.org. Log in with the account whose verified "
        "email address is new@example.org to accept it."
    ) in response.content.decode()
    assert (memberships(brand), invitations(brand)) == before


def test_an_unverified_address_cannot_accept(brand, invite):
    token = invite()
    unverified = UserFactory(email="new@example.org", verified=False)
    before = (memberships(brand), invitations(brand))

    response = client_for(unverified).post(f"/invitations/{token}/")

    assert response.status_code == 403
    assert "Confirm your email address new@example.org first" in response.content.decode()
    assert (memberships(brand), invitations(brand)) == before


def test_an_unverified_secondary_address_is_not_enough(brand, invite):
    token = invite()
    person = UserFactory(email="person@example.org")
    EmailAddress.objects.create(user=person, email="new@example.org", verified=False)
    before = (memberships(brand), invitations(brand))

    response = client_for(person).post(f"/invitations/{token}/")

    assert response.status_code == 403
    assert (memberships(brand), invitations(brand)) == before


def test_a_verified_secondary_address_may_accept_whatever_its_case(brand, invite):
    token = invite(email="New@Example.org", role=Role.MODERATOR)
    person = UserFactory(email="person@example.org")
    EmailAddress.objects.create(user=person, email="NEW@example.org", verified=True)

    assert client_for(person).post(f"/invitations/{token}/").status_code == 302
    assert ("person@example.org", "moderator") in memberships(brand)


def test_an_unknown_token_is_a_404_with_a_message(client, brand, invite):
    invite()
    before = invitations(brand)

    for method in ("get", "post"):
        response = getattr(client_for(UserFactory()), method)("/invitations/not-a-real-token/")
        assert response.status_code == 404
        assert "This invitation link is not valid." in response.content.decode()
    assert invitations(brand) == before


def test_inviting_again_replaces_the_pending_invitation(brand, invite):
    first = invite(role=Role.ANALYST)
    second = invite(email="NEW@example.org", role=Role.MODERATOR)
    rows = BrandInvitation.objects.order_by("id")
    assert [(row.email, row.role, row.revoked_at is not None) for row in rows] == [
        ("new@example.org", "analyst", True),
        ("new@example.org", "moderator", False),
    ]
    client = client_for(UserFactory(email="new@example.org"))
    assert client.post(f"/invitations/{first}/").status_code == 409
    assert client.post(f"/invitations/{second}/").status_code == 302
    assert ("new@example.org", "moderator") in memberships(brand)


def test_sending_again_gives_a_new_link_and_a_new_expiry(
    client, owner, invite, mailoutbox, django_capture_on_commit_callbacks
):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        old_token = invite()
    invitation = BrandInvitation.objects.get()
    client.force_login(owner.user)

    with time_machine.travel(start + timedelta(days=9), tick=False):  # expired by then
        page = client.get(team_url(owner.brand)).content.decode()
        assert 'data-testid="invitation-expired"' in page
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/brands/acme/team/invitations/{invitation.pk}/resend/")
        assert response.status_code == 302
        assert len(mailoutbox) == 2
        new_token = LINK.search(mailoutbox[1].body).group(2)
        assert new_token != old_token
        invitation.refresh_from_db()
        assert invitation.expires_at == start + timedelta(days=16)
        invitee = client_for(UserFactory(email="new@example.org"))
        assert invitee.post(f"/invitations/{old_token}/").status_code == 404
        assert invitee.post(f"/invitations/{new_token}/").status_code == 302


def test_inviting_a_member_is_a_form_error(client, owner):
    BrandMembershipFactory(brand=owner.brand, user__email="bob@example.org", role=Role.ANALYST)
    client.force_login(owner.user)

    response = client.post(
        "/brands/acme/team/invite/", {"email": "BOB@example.org", "role": "owner"}
    )

    assert response.status_code == 400
    assert response.context["invite_form"].errors == {
        "email": ["bob@example.org is already a member of Acme."]
    }
    assert BrandInvitation.objects.count() == 0


@pytest.mark.parametrize(
    "data, field",
    [
        ({"email": "not-an-email", "role": "manager"}, "email"),
        ({"email": "", "role": "manager"}, "email"),
        ({"email": "a@example.org", "role": "king"}, "role"),
        ({"email": "a@example.org"}, "role"),
    ],
)
def test_bad_invitation_input_is_a_form_error(client, owner, mailoutbox, data, field):
    client.force_login(owner.user)

    response = client.post("/brands/acme/team/invite/", data)

    assert response.status_code == 400
    assert list(response.context["invite_form"].errors) == [field]
    assert BrandInvitation.objects.count() == 0
    assert mailoutbox == []


# -- members -------------------------------------------------------------------------------


def test_an_owner_changes_a_role(client, owner):
    member = BrandMembershipFactory(
        brand=owner.brand, user__email="bob@example.org", role=Role.ANALYST
    )
    client.force_login(owner.user)

    response = client.post(f"/brands/acme/team/members/{member.pk}/role/", {"role": "moderator"})

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.role == "moderator"


def test_a_bad_role_changes_nothing(client, owner):
    member = BrandMembershipFactory(brand=owner.brand, role=Role.ANALYST)
    client.force_login(owner.user)

    response = client.post(f"/brands/acme/team/members/{member.pk}/role/", {"role": "king"})

    assert response.status_code == 400
    member.refresh_from_db()
    assert member.role == "analyst"


def test_a_member_of_another_brand_cannot_be_targeted(client, owner):
    elsewhere = BrandMembershipFactory(role=Role.MANAGER)
    client.force_login(owner.user)

    role = client.post(f"/brands/acme/team/members/{elsewhere.pk}/role/", {"role": "analyst"})
    remove = client.post(f"/brands/acme/team/members/{elsewhere.pk}/remove/")

    assert (role.status_code, remove.status_code) == (404, 404)
    elsewhere.refresh_from_db()
    assert elsewhere.role == "manager"


def test_removing_a_member_takes_effect_at_once(client, owner):
    member = BrandMembershipFactory(brand=owner.brand, role=Role.MANAGER)
    member_client = client_for(member.user)
    assert member_client.get(team_url(owner.brand)).status_code == 200
    brand_page = member_client.get("/brands/acme/").content.decode()
    assert 'data-testid="brand-team-link"' in brand_page
    client.force_login(owner.user)

    response = client.post(f"/brands/acme/team/members/{member.pk}/remove/")

    assert response.status_code == 302
    assert not BrandMembership.objects.filter(pk=member.pk).exists()
    # Their very next request, in the same session, is refused.
    assert member_client.get(team_url(owner.brand)).status_code == 404
    assert (
        'data-testid="brand-team-link"' not in member_client.get("/brands/acme/").content.decode()
    )


def test_the_last_owner_can_be_neither_demoted_nor_removed(client, owner):
    client.force_login(owner.user)

    demote = client.post(f"/brands/acme/team/members/{owner.pk}/role/", {"role": "manager"})
    remove = client.post(f"/brands/acme/team/members/{owner.pk}/remove/")

    message = "Acme needs at least one owner: make someone else an owner first."
    assert demote.status_code == 409
    assert message in demote.content.decode()
    assert remove.status_code == 409
    assert message in remove.content.decode()
    assert memberships(owner.brand) == [("owner@acme.test", "owner")]


def test_with_a_second_owner_an_owner_may_step_down(client, owner):
    second = BrandMembershipFactory(brand=owner.brand, role=Role.OWNER, user__email="z@acme.test")
    client.force_login(owner.user)

    assert (
        client.post(f"/brands/acme/team/members/{owner.pk}/role/", {"role": "manager"}).status_code
        == 302
    )
    assert memberships(owner.brand) == [("owner@acme.test", "manager"), ("z@acme.test", "owner")]
    # Now the first one may no longer act; the second is the last owner.
    refused = client.post(f"/brands/acme/team/members/{second.pk}/remove/")
    assert refused.status_code == 403
    assert memberships(owner.brand) == [("owner@acme.test", "manager"), ("z@acme.test", "owner")]


def test_an_owner_who_removes_themself_lands_on_the_brand_page(client, owner):
    BrandMembershipFactory(brand=owner.brand, role=Role.OWNER)
    client.force_login(owner.user)

    response = client.post(f"/brands/acme/team/members/{owner.pk}/remove/")

    assert response.status_code == 302
    assert response["Location"] == "/brands/acme/"
    assert not BrandMembership.objects.filter(pk=owner.pk).exists()


def test_accepting_cannot_demote_the_last_owner(brand, owner, invite):
    """An owner invited (before) as an analyst cannot leave the brand ownerless by accepting."""
    token = invite(email="owner2@acme.test", role=Role.ANALYST)
    second_owner = UserFactory(email="owner2@acme.test")
    BrandMembership.objects.create(brand=brand, user=second_owner, role=Role.OWNER)
    owner.delete()
    before = (memberships(brand), invitations(brand))

    response = client_for(second_owner).post(f"/invitations/{token}/")

    assert response.status_code == 409
    assert (memberships(brand), invitations(brand)) == before


# -- who may act: nobody but the owners, nothing changes ----------------------------------------


ROLES_DENIED = [
    "manager",
    "moderator",
    "analyst",
    "other_owner",
    "contributor",
    "anonymous",
    "unverified_owner",
]


@pytest.fixture
def actor_for(brand):
    def make(kind):
        if kind == "anonymous":
            return None
        if kind == "contributor":
            return UserFactory()
        if kind == "other_owner":
            return BrandMembershipFactory(role=Role.OWNER).user
        if kind == "unverified_owner":
            return BrandMembershipFactory(brand=brand, role=Role.OWNER, user__verified=False).user
        return BrandMembershipFactory(brand=brand, role=kind).user

    return make


def expected_status(kind: str, *, page_is_public: bool = False) -> int:
    if kind == "anonymous":
        return 302
    if kind in ("other_owner", "contributor") and not page_is_public:
        return 404  # the team is not theirs to see
    return 403


@pytest.mark.parametrize("kind", ROLES_DENIED)
def test_non_owners_can_do_nothing_to_the_team(brand, owner, invite, actor_for, mailoutbox, kind):
    invite(email="pending@example.org")
    mailoutbox.clear()
    target = BrandMembershipFactory(brand=brand, role=Role.MODERATOR)
    invitation = BrandInvitation.objects.get()
    client = client_for(actor_for(kind))
    before = (memberships(brand), invitations(brand), brand_state(brand))

    responses = [
        client.post("/brands/acme/team/invite/", {"email": "x@example.org", "role": "owner"}),
        client.post(f"/brands/acme/team/members/{target.pk}/role/", {"role": "owner"}),
        client.post(f"/brands/acme/team/members/{target.pk}/remove/"),
        client.post(f"/brands/acme/team/members/{owner.pk}/remove/"),
        client.post(f"/brands/acme/team/invitations/{invitation.pk}/revoke/"),
        client.post(f"/brands/acme/team/invitations/{invitation.pk}/resend/"),
    ]

    assert [response.status_code for response in responses] == [expected_status(kind)] * 6
    if kind == "anonymous":
        assert all(r["Location"].startswith("/accounts/login/?next=") for r in responses)
    assert (memberships(brand), invitations(brand), brand_state(brand)) == before
    assert mailoutbox == []


@pytest.mark.parametrize("kind", ROLES_DENIED)
def test_non_owners_cannot_edit_the_brand(brand, actor_for, kind):
    client = client_for(actor_for(kind))
    before = brand_state(brand)
    data = {"name": "Hacked", "description": "", "website": "", "time_zone": "UTC"}

    page = client.get("/brands/acme/edit/")
    response = client.post("/brands/acme/edit/", data)

    status = expected_status(kind, page_is_public=True)
    assert (page.status_code, response.status_code) == (status, status)
    assert brand_state(brand) == before
    assert 'data-testid="brand-edit-link"' not in client.get("/brands/acme/").content.decode()


@pytest.mark.parametrize("kind", ["manager", "moderator", "analyst", "unverified_owner"])
def test_members_see_the_team_page(brand, actor_for, kind):
    response = client_for(actor_for(kind)).get(team_url(brand))

    assert response.status_code == 200
    assert response.context["can_manage"] is False
    assert 'data-testid="invite-form"' not in response.content.decode()


@pytest.mark.parametrize("kind", ["other_owner", "contributor"])
def test_non_members_do_not_see_the_team_page(brand, actor_for, kind):
    assert client_for(actor_for(kind)).get(team_url(brand)).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, brand):
    response = client.get(team_url(brand))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/brands/acme/team/"


# -- the brand's profile ---------------------------------------------------------------------


def test_an_owner_edits_the_brand_with_a_logo(client, owner):
    client.force_login(owner.user)
    logo = SimpleUploadedFile("logo.png", png_bytes((1600, 1200)), content_type="image/png")

    response = client.post(
        "/brands/acme/edit/",
        {
            "name": "Acme Corp",
            "description": "We make **everything**.<script>alert(1)</script>",
            "website": "acme.example",
            "logo": logo,
            "time_zone": "America/Montreal",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/brands/acme/"
    brand = Brand.objects.get(pk=owner.brand.pk)
    assert (brand.name, brand.website, brand.time_zone) == (
        "Acme Corp",
        "https://acme.example",
        "America/Montreal",
    )
    assert re.fullmatch(r"brands/[0-9a-f]{24}\.png", brand.logo.name)
    with Image.open(brand.logo.path) as stored:
        assert stored.size == (800, 600)  # re-encoded and resized
    page = client.get("/brands/acme/")
    text = page.content.decode()
    assert f'src="/media/{brand.logo.name}"' in text
    assert "<strong>everything</strong>" in text
    assert "<script>" not in text
    assert 'data-testid="brand-edit-link"' in text
    assert 'data-testid="brand-team-link"' in text
    assert client.get(f"/media/{brand.logo.name}").status_code == 200


def test_an_owner_removes_the_logo(client, owner):
    client.force_login(owner.user)
    data = {"name": "Acme", "description": "", "website": "", "time_zone": "UTC"}
    logo = SimpleUploadedFile("logo.png", png_bytes(), content_type="image/png")
    assert client.post("/brands/acme/edit/", {**data, "logo": logo}).status_code == 302
    assert Brand.objects.get(pk=owner.brand.pk).logo.name != ""

    assert client.post("/brands/acme/edit/", {**data, "logo-clear": "on"}).status_code == 302
    assert Brand.objects.get(pk=owner.brand.pk).logo.name == ""


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("logo.png", b"not an image at all", content_type="image/png"),
        SimpleUploadedFile(
            "logo.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", content_type="image/gif"
        ),
        SimpleUploadedFile("logo.png", png_bytes()[:60], content_type="image/png"),
    ],
    ids=["garbage", "gif", "truncated"],
)
def test_a_bad_logo_is_a_form_error_and_nothing_changes(client, owner, upload):
    client.force_login(owner.user)
    before = brand_state(owner.brand)
    upload.seek(0)

    response = client.post(
        "/brands/acme/edit/",
        {"name": "Renamed", "description": "", "website": "", "time_zone": "UTC", "logo": upload},
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["logo"]
    assert brand_state(owner.brand) == before


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"name": ""}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"website": "javascript:alert(1)"}, "website"),
    ],
)
def test_bad_brand_input_is_a_form_error(client, owner, overrides, field):
    client.force_login(owner.user)
    before = brand_state(owner.brand)
    data = {"name": "Renamed", "description": "", "website": "", "time_zone": "UTC", **overrides}

    response = client.post("/brands/acme/edit/", data)

    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert brand_state(owner.brand) == before


def test_the_brand_page_shows_published_campaigns_and_no_member_links_to_visitors(client, brand):
    CampaignFactory(brand=brand, title="Open one")
    CampaignFactory(brand=brand, title="Secret draft", is_published=False)

    text = client.get("/brands/acme/").content.decode()

    assert "Open one" in text
    assert "Secret draft" not in text
    assert 'data-testid="brand-team-link"' not in text
    assert 'data-testid="brand-edit-link"' not in text
    assert 'data-testid="brand-logo"' not in text


# -- cost ------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 30])
def test_the_team_page_costs_a_fixed_number_of_queries(
    client, owner, django_assert_max_num_queries, size
):
    for _ in range(size):
        BrandMembershipFactory(brand=owner.brand, role=Role.ANALYST)
    for number in range(size):
        BrandInvitation.objects.create(
            brand=owner.brand,
            email=f"pending{number}@example.org",
            role=Role.MANAGER,
            token_hash=f"{number:064d}",
            invited_by=owner.user,
            expires_at=timezone.now() + timedelta(days=7 if number % 2 else -1),
        )
    client.force_login(owner.user)

    with django_assert_max_num_queries(12):  # 11, and the header's brand links
        response = client.get(team_url(owner.brand))

    assert response.status_code == 200
    assert len(response.context["members"]) == size + 1
    assert len(response.context["invitations"]) == size
