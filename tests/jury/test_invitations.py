"""Juror invitations (jury/invitations.py): by email, hashed token, 7 days, the verified
matching address only, sent again, withdrawn."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone

from core import events
from core.errors import ApplicationError, Conflict, NotAllowed
from jury import invitations, services
from jury.models import Juror, JurorInvitation
from tests.factories import BrandMembershipFactory, CampaignFactory, UserFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/jury/invitations/(\S+)/")


def invite(contest, manager, email="jules@example.org"):
    return invitations.juror_invite(campaign=contest, email=email, invited_by=manager)


def test_an_invitation_is_emailed_and_only_its_hash_is_stored(
    contest, manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(contest, manager, "Jules@Example.org ")
    assert invitation.email == "jules@example.org"
    assert invitation.token not in invitation.token_hash
    assert invitation.expires_at - timezone.now() > timedelta(days=6, hours=23)
    (message,) = mail.outbox
    assert message.to == ["jules@example.org"]
    assert contest.title in message.subject
    assert LINK.search(message.body).group(1) == invitation.token


def test_an_invitation_emits_its_event(contest, manager, monkeypatch):
    heard = []
    monkeypatch.setitem(events._receivers, "jury.invitation_created", [heard.append])
    invitation = invite(contest, manager)
    assert [(event.kind, event["invitation_id"]) for event in heard] == [
        ("jury.invitation_created", invitation.pk)
    ]


def test_the_invited_verified_account_joins_the_jury(contest, manager):
    invitation = invite(contest, manager)
    user = UserFactory(email="jules@example.org")
    juror = invitations.juror_invitation_accept(token=invitation.token, user=user)
    assert juror == Juror.objects.get(campaign=contest, user=user, removed_at__isnull=True)
    invitation.refresh_from_db()
    assert invitation.accepted_by == user and invitation.accepted_at is not None


def test_another_account_is_refused_with_the_invited_address(contest, manager):
    invitation = invite(contest, manager)
    stranger = UserFactory(email="someone@example.org")
    with pytest.raises(NotAllowed, match="was sent to jules@example.org") as refusal:
        invitations.juror_invitation_accept(token=invitation.token, user=stranger)
    assert refusal.value.code == "invitation_wrong_account"
    assert not Juror.objects.exists()


def test_an_unverified_address_does_not_match(contest, manager):
    invitation = invite(contest, manager)
    user = UserFactory(email="jules@example.org", verified=False)
    with pytest.raises(NotAllowed):
        invitations.juror_invitation_accept(token=invitation.token, user=user)
    EmailAddress.objects.filter(user=user).update(verified=True)
    invitations.juror_invitation_accept(token=invitation.token, user=user)


def test_an_expired_invitation_is_refused_and_can_be_sent_again(contest, manager):
    invitation = invite(contest, manager)
    JurorInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    user = UserFactory(email="jules@example.org")
    with pytest.raises(Conflict, match="expired") as refusal:
        invitations.juror_invitation_accept(token=invitation.token, user=user)
    assert refusal.value.code == "invitation_expired"
    again = invitations.juror_invitation_resend(invitation=invitation, actor=manager)
    assert again.token != invitation.token
    with pytest.raises(ApplicationError, match="not valid"):
        invitations.juror_invitation_accept(token=invitation.token, user=user)
    invitations.juror_invitation_accept(token=again.token, user=user)


def test_a_withdrawn_invitation_is_refused(contest, manager):
    invitation = invite(contest, manager)
    invitations.juror_invitation_revoke(invitation=invitation, actor=manager)
    user = UserFactory(email="jules@example.org")
    with pytest.raises(Conflict, match="withdrawn"):
        invitations.juror_invitation_accept(token=invitation.token, user=user)
    with pytest.raises(Conflict, match="no longer pending"):
        invitations.juror_invitation_revoke(invitation=invitation, actor=manager)


def test_inviting_again_replaces_the_pending_invitation(contest, manager):
    first = invite(contest, manager)
    second = invite(contest, manager)
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert JurorInvitation.objects.filter(revoked_at__isnull=True).get() == second


def test_an_invitation_is_used_once(contest, manager):
    invitation = invite(contest, manager)
    user = UserFactory(email="jules@example.org")
    invitations.juror_invitation_accept(token=invitation.token, user=user)
    with pytest.raises(Conflict, match="already been used"):
        invitations.juror_invitation_accept(token=invitation.token, user=user)


def test_a_juror_is_not_invited_twice(contest, manager):
    invitation = invite(contest, manager)
    invitations.juror_invitation_accept(
        token=invitation.token, user=UserFactory(email="jules@example.org")
    )
    with pytest.raises(Conflict, match="already on the jury"):
        invite(contest, manager)


def test_only_the_brands_managers_invite(contest):
    analyst = BrandMembershipFactory(brand=contest.brand, role="analyst").user
    with pytest.raises(NotAllowed, match="owners and managers"):
        invitations.juror_invite(campaign=contest, email="a@example.org", invited_by=analyst)


def test_no_invitation_once_voting_has_closed(manager):
    brand = manager.brand_memberships.get().brand
    now = timezone.now()
    closed = CampaignFactory(
        brand=brand, voting_method="contest",
        submission_opens_at=now - timedelta(days=9), submission_closes_at=now - timedelta(days=5),
        voting_opens_at=now - timedelta(days=5), voting_closes_at=now - timedelta(days=1),
    )  # fmt: skip
    with pytest.raises(Conflict, match="Voting has closed") as refusal:
        invitations.juror_invite(campaign=closed, email="a@example.org", invited_by=manager)
    assert refusal.value.code == "jury_closed"


def test_a_campaign_that_is_not_a_contest_has_no_jury(manager):
    brand = manager.brand_memberships.get().brand
    campaign = CampaignFactory(brand=brand, voting_method="star")
    with pytest.raises(Conflict, match="not a contest"):
        invitations.juror_invite(campaign=campaign, email="a@example.org", invited_by=manager)


def test_a_brand_member_is_added_without_an_invitation(contest, manager):
    member = BrandMembershipFactory(brand=contest.brand, role="analyst").user
    juror = services.juror_add_member(campaign=contest, user=member, actor=manager)
    assert juror.user == member and juror.is_active
    with pytest.raises(Conflict, match="already on the jury"):
        services.juror_add_member(campaign=contest, user=member, actor=manager)
    with pytest.raises(ApplicationError, match="invite others by email"):
        services.juror_add_member(campaign=contest, user=UserFactory(), actor=manager)


def test_a_removed_juror_can_be_seated_again(contest, manager):
    member = BrandMembershipFactory(brand=contest.brand, role="analyst").user
    juror = services.juror_add_member(campaign=contest, user=member, actor=manager)
    services.juror_remove(juror=juror, actor=manager)
    assert not Juror.objects.get(pk=juror.pk).is_active
    again = services.juror_add_member(campaign=contest, user=member, actor=manager)
    assert again.pk == juror.pk and again.is_active
