"""Invitations to a contest's jury, by email. As for the brand team's (brands/team.py): a
random token whose SHA-256 alone is stored, valid FOULE_INVITATION_DAYS, accepted only by
the account whose verified address is the invited one, sent again with a new link (the old
one stops working), withdrawn. The email goes out after the transaction commits; the event
"jury.invitation_created" tells whoever else must hear of it."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.team import invitation_days, invitation_token_hash, verified_emails
from campaigns.models import Campaign
from core.errors import ApplicationError, Conflict, NotAllowed
from core.events import emit
from jury import rules as jury_rules
from jury.models import Juror, JurorInvitation
from jury.selectors import invitation_for_token
from jury.services import lock_campaign, normalise_email, raise_if, seat_juror


def invitation_url(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(
        "jury:invitation_accept", kwargs={"token": token}
    )


def _invitation_send(*, invitation_id: int, token: str) -> None:
    invitation = JurorInvitation.objects.select_related(
        "campaign", "campaign__brand", "invited_by"
    ).get(pk=invitation_id)
    context = {
        "invitation": invitation,
        "campaign": invitation.campaign,
        "brand": invitation.campaign.brand,
        "inviter": invitation.invited_by.public_name if invitation.invited_by else "",
        "url": invitation_url(token),
        "expires_at": invitation.expires_at,
        "site_url": settings.SITE_URL,
    }
    subject = _("You are invited to the jury of %(campaign)s on Foule") % {
        "campaign": invitation.campaign.title
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("jury/email/invitation.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(render_to_string("jury/email/invitation.html", context), "text/html")
    message.send()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, invitation_token_hash(token)


def _send_after_commit(invitation: JurorInvitation, token: str) -> None:
    emit(
        "jury.invitation_created",
        campaign_id=invitation.campaign_id,
        invitation_id=invitation.pk,
        email=invitation.email,
    )
    # robust: a mail server failure is logged, never an error page after the invitation is
    # saved; the brand can send it again from the jury section.
    transaction.on_commit(
        lambda: _invitation_send(invitation_id=invitation.pk, token=token), robust=True
    )


def juror_invite(*, campaign: Campaign, email: str, invited_by) -> JurorInvitation:
    """Invite `email` to the jury, replacing (withdrawing) a pending invitation to the same
    address, and email the link after commit. The returned invitation carries the link's
    token in `.token` (never stored)."""
    raise_if(jury_rules.why_not_manage_jurors(invited_by, campaign))
    email = normalise_email(email)
    if not email or "@" not in email:
        raise ApplicationError(_("Enter an email address."), field="email")
    with transaction.atomic():
        campaign = lock_campaign(campaign)
        if Juror.objects.filter(
            campaign=campaign, removed_at__isnull=True, user__emailaddress__email__iexact=email
        ).exists():
            raise Conflict(
                _("%(email)s is already on the jury.") % {"email": email},
                field="email",
                code="already_juror",
            )
        now = timezone.now()
        JurorInvitation.objects.filter(
            campaign=campaign, email=email, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now)
        token, token_hash = _new_token()
        invitation = JurorInvitation.objects.create(
            campaign=campaign,
            email=email,
            token_hash=token_hash,
            invited_by=invited_by,
            expires_at=now + timedelta(days=invitation_days()),
        )
        _send_after_commit(invitation, token)
    invitation.token = token
    return invitation


def _pending_invitation(invitation: JurorInvitation) -> JurorInvitation:
    invitation = JurorInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise Conflict(_("This invitation is no longer pending."), code="not_pending")
    return invitation


def juror_invitation_resend(*, invitation: JurorInvitation, actor) -> JurorInvitation:
    """Send a pending (possibly expired) invitation again with a new link: the previous
    link stops working."""
    raise_if(jury_rules.why_not_manage_jurors(actor, invitation.campaign))
    with transaction.atomic():
        lock_campaign(invitation.campaign)
        invitation = _pending_invitation(invitation)
        token, invitation.token_hash = _new_token()
        invitation.expires_at = timezone.now() + timedelta(days=invitation_days())
        invitation.save(update_fields=["token_hash", "expires_at"])
        _send_after_commit(invitation, token)
    invitation.token = token
    return invitation


def juror_invitation_revoke(*, invitation: JurorInvitation, actor) -> JurorInvitation:
    raise_if(jury_rules.why_not_manage_jurors(actor, invitation.campaign))
    with transaction.atomic():
        invitation = _pending_invitation(invitation)
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def invitation_problem(*, invitation: JurorInvitation, user, now=None) -> ApplicationError | None:
    """Why `user` may not accept `invitation` now, or None. An anonymous user gets None for
    a valid invitation (they are asked to log in first)."""
    now = now or timezone.now()
    if invitation.revoked_at is not None:
        return Conflict(
            _("This invitation was withdrawn. Ask the brand for a new one."),
            code="invitation_revoked",
        )
    if invitation.accepted_at is not None:
        return Conflict(_("This invitation has already been used."), code="invitation_used")
    if now >= invitation.expires_at:
        return Conflict(
            _("This invitation has expired. Ask the brand to send it again."),
            code="invitation_expired",
        )
    problem = jury_rules.why_not_join(user, invitation.campaign)
    if problem is not None:
        return problem
    is_logged_in = user is not None and user.is_authenticated
    if is_logged_in and invitation.email not in verified_emails(user=user):
        return NotAllowed(
            _(
                "This invitation was sent to %(email)s. Log in with the account whose "
                "verified email address is %(email)s to accept it."
            )
            % {"email": invitation.email},
            code="invitation_wrong_account",
        )
    return None


def juror_invitation_accept(*, token: str, user) -> Juror:
    """Accept the invitation `token` opens as `user` (whose verified address must be the
    invited one): they join the jury. Refusals raise and change nothing."""
    if not user or not user.is_authenticated:
        raise NotAllowed(_("Log in to accept this invitation."), code="login_required")
    with transaction.atomic():
        found = invitation_for_token(token=token)
        if found is None:
            raise ApplicationError(_("This invitation link is not valid."), code="not_found")
        campaign = lock_campaign(found.campaign)
        invitation = JurorInvitation.objects.select_for_update().get(pk=found.pk)
        invitation.campaign = campaign
        raise_if(invitation_problem(invitation=invitation, user=user))
        juror = seat_juror(campaign, user, invitation.invited_by)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return juror
