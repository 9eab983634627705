"""A brand's profile, its team and the invitations to join it: services (writes) and the
few selectors (reads) the team pages need.

Team changes for one brand are serialised by locking the brand's row
(`select_for_update`): two owners demoting each other at the same moment cannot leave the
brand without an owner, and two invitations to one address cannot both stay pending.

An invitation link carries a random token; only its SHA-256 is stored
(`BrandInvitation.token_hash`), so the link is found by looking its hash up and a
database dump gives nobody a way in. The email goes out after the transaction commits."""

import functools
import hashlib
import secrets
import zoneinfo
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import BooleanField, Case, IntegerField, Q, QuerySet, Value, When
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from brands import rules as brand_rules
from brands.models import Brand, BrandInvitation, BrandMembership
from core.errors import ApplicationError, Conflict, NotAllowed
from core.text import check_cleaned_length, clean_single_line

Role = BrandMembership.Role
ROLE_ORDER = [Role.OWNER, Role.MANAGER, Role.MODERATOR, Role.ANALYST]


# -- helpers -------------------------------------------------------------------------------


def invitation_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def invitation_days() -> int:
    """How long an invitation link stays valid (setting FOULE_INVITATION_DAYS, read at call
    time so that tests and deployments may change it)."""
    return int(getattr(settings, "FOULE_INVITATION_DAYS", 7))


def invitation_url(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(
        "brands:invitation_accept", kwargs={"token": token}
    )


@functools.cache
def time_zone_names() -> tuple[str, ...]:
    """The IANA time zones a brand may choose, sorted (read once per process)."""
    return tuple(sorted(zoneinfo.available_timezones()))


def _normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ApplicationError(_("Choose one of the roles."), field="role", code="invalid_role")


def _lock_brand(brand: Brand) -> Brand:
    return Brand.objects.select_for_update().get(pk=brand.pk)


def _other_owner_exists(brand: Brand, membership: BrandMembership) -> bool:
    return (
        BrandMembership.objects.filter(brand=brand, role=Role.OWNER)
        .exclude(pk=membership.pk)
        .exists()
    )


def last_owner_conflict(brand: Brand, *, field: str | None = None) -> Conflict:
    """The refusal when a change would leave `brand` without an owner (a demotion, a
    removal, an owner leaving or erasing their account)."""
    return Conflict(
        _("%(brand)s needs at least one owner: make someone else an owner first.")
        % {"brand": brand.name},
        code="last_owner",
        field=field,
    )


# -- selectors -----------------------------------------------------------------------------


def team_members(*, brand: Brand) -> QuerySet[BrandMembership]:
    """The brand's members with their accounts, owners first: one query."""
    order = Case(
        *[When(role=role, then=Value(index)) for index, role in enumerate(ROLE_ORDER)],
        output_field=IntegerField(),
    )
    return (
        BrandMembership.objects.filter(brand=brand)
        .select_related("user")
        .annotate(role_order=order)
        .order_by("role_order", "user__email", "id")
    )


def brands_needing_another_owner(*, user) -> list[Brand]:
    """The brands whose only owner is `user`: they may neither leave them nor erase their
    account until someone else is an owner (the rule of `membership_remove`)."""
    if not user or not user.is_authenticated:
        return []
    memberships = BrandMembership.objects.filter(user=user, role=Role.OWNER).select_related("brand")
    return [
        membership.brand
        for membership in memberships.order_by("brand__name", "brand_id")
        if not _other_owner_exists(membership.brand, membership)
    ]


def invitations_pending(*, brand: Brand, now=None) -> QuerySet[BrandInvitation]:
    """Invitations neither accepted nor revoked (expired ones included, flagged
    `is_expired`, so that they can be sent again), with who sent them: one query."""
    now = now or timezone.now()
    return (
        BrandInvitation.objects.filter(
            brand=brand, accepted_at__isnull=True, revoked_at__isnull=True
        )
        .select_related("invited_by")
        .annotate(
            is_expired=Case(
                When(expires_at__lte=now, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("-created_at", "-id")
    )


def invitation_for_token(*, token: str) -> BrandInvitation | None:
    """The invitation a link's token opens, or None. A lookup by hash: the token itself is
    never stored nor compared."""
    if not token:
        return None
    return (
        BrandInvitation.objects.select_related("brand", "invited_by")
        .filter(token_hash=invitation_token_hash(token))
        .first()
    )


def verified_emails(*, user) -> set[str]:
    if not user or not user.is_authenticated:
        return set()
    return {
        _normalise_email(address)
        for address in EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
    }


def invitation_problem(*, invitation: BrandInvitation, user, now=None) -> ApplicationError | None:
    """Why `user` may not accept `invitation` now, or None if they may. An anonymous user
    gets None for a valid invitation (they are asked to log in first)."""
    now = now or timezone.now()
    if invitation.revoked_at is not None:
        return Conflict(
            _("This invitation was withdrawn. Ask the brand's owners for a new one."),
            code="invitation_revoked",
        )
    if invitation.accepted_at is not None:
        return Conflict(_("This invitation has already been used."), code="invitation_used")
    if now >= invitation.expires_at:
        return Conflict(
            _("This invitation has expired. Ask the brand's owners to send it again."),
            code="invitation_expired",
        )
    is_logged_in = user is not None and user.is_authenticated
    if is_logged_in and invitation.email not in verified_emails(user=user):
        if EmailAddress.objects.filter(user=user, email__iexact=invitation.email).exists():
            return NotAllowed(
                _(
                    "Confirm your email address %(email)s first (follow the link in the "
                    "confirmation email), then open this invitation again."
                )
                % {"email": invitation.email},
                code="invitation_unverified_email",
            )
        return NotAllowed(
            _(
                "This invitation was sent to %(email)s. Log in with the account whose "
                "verified email address is %(email)s to accept it."
            )
            % {"email": invitation.email},
            code="invitation_wrong_account",
        )
    return None


# -- brand ---------------------------------------------------------------------------------


def brand_update(
    *,
    brand: Brand,
    actor,
    name: str,
    description: str,
    website: str,
    time_zone: str,
    logo=None,
) -> Brand:
    """Change the brand's public profile. `logo`: a cleaned upload (core.images.image_clean)
    to replace it, False to remove it, None to keep it."""
    brand_rules.can_edit_brand.check(actor, brand)
    if time_zone not in time_zone_names():
        raise ApplicationError(_("Choose a time zone from the list."), field="time_zone")
    name = clean_single_line(name)
    if not name:
        raise ApplicationError(_("The brand needs a name."), field="name")
    check_cleaned_length(name, max_length=Brand._meta.get_field("name").max_length, field="name")
    with transaction.atomic():
        brand = _lock_brand(brand)
        brand.name = name
        brand.description = description or ""
        brand.website = website or ""
        brand.time_zone = time_zone
        fields = ["name", "description", "website", "time_zone", "updated_at"]
        if logo is False:
            brand.logo = ""
            fields.append("logo")
        elif logo:
            brand.logo.save(logo.name, logo, save=False)
            fields.append("logo")
        brand.save(update_fields=fields)
    return brand


# -- members -------------------------------------------------------------------------------


def membership_change_role(*, membership: BrandMembership, role: str, actor) -> BrandMembership:
    """Give a member another role. The last owner cannot be demoted."""
    brand_rules.can_manage_brand_team.check(actor, membership.brand)
    _check_role(role)
    with transaction.atomic():
        _lock_brand(membership.brand)
        membership = BrandMembership.objects.select_related("brand", "user").get(pk=membership.pk)
        if membership.role == role:
            return membership
        if membership.role == Role.OWNER and not _other_owner_exists(membership.brand, membership):
            raise last_owner_conflict(membership.brand, field="role")
        membership.role = role
        membership.save(update_fields=["role", "updated_at"])
    return membership


def membership_remove(*, membership: BrandMembership, actor) -> None:
    """Remove a member from the brand; the rules read memberships on every request, so it
    takes effect at once. The last owner cannot be removed."""
    brand_rules.can_manage_brand_team.check(actor, membership.brand)
    with transaction.atomic():
        _lock_brand(membership.brand)
        membership = (
            BrandMembership.objects.select_related("brand").filter(pk=membership.pk).first()
        )
        if membership is None:  # removed by someone else a moment ago: nothing to do
            return
        if membership.role == Role.OWNER and not _other_owner_exists(membership.brand, membership):
            raise last_owner_conflict(membership.brand)
        membership.delete()


def memberships_end_for_account(*, user) -> int:
    """Take `user` out of every brand, as their account is erased
    (`accounts.services.account_erase`). Refused with `last_owner`, changing nothing, while
    they are the only owner of a brand. Locks the user's brands, in id order, like every
    team change, so that no concurrent demotion can leave a brand without an owner.
    Returns the number of memberships ended."""
    with transaction.atomic():
        brand_ids = BrandMembership.objects.filter(user=user).values_list("brand_id", flat=True)
        list(Brand.objects.select_for_update().filter(pk__in=list(brand_ids)).order_by("pk"))
        orphaned = brands_needing_another_owner(user=user)
        if orphaned:
            raise last_owner_conflict(orphaned[0])
        ended, _counts = BrandMembership.objects.filter(user=user).delete()
    return ended


def invitations_forget_for_account(*, user, emails: set[str], placeholder: str) -> None:
    """Erase `user`'s addresses from the brands' invitations: the ones not accepted are
    deleted (a pending one can no longer be used), the accepted ones keep their history
    (brand, role, who invited, when) with `placeholder` instead of the address."""
    emails = {_normalise_email(email) for email in emails if email}
    with transaction.atomic():
        BrandInvitation.objects.filter(email__in=emails, accepted_at__isnull=True).delete()
        BrandInvitation.objects.filter(
            Q(accepted_by=user) | Q(email__in=emails), accepted_at__isnull=False
        ).update(email=placeholder)


# -- invitations ---------------------------------------------------------------------------


def _is_member_email(brand: Brand, email: str) -> bool:
    return (
        BrandMembership.objects.filter(brand=brand)
        .filter(
            Q(user__email__iexact=email)
            | Q(user__emailaddress__email__iexact=email, user__emailaddress__verified=True)
        )
        .exists()
    )


def _invitation_send(*, invitation_id: int, token: str) -> None:
    invitation = BrandInvitation.objects.select_related("brand", "invited_by").get(pk=invitation_id)
    context = {
        "invitation": invitation,
        "brand": invitation.brand,
        "role": invitation.get_role_display(),
        "inviter": invitation.invited_by.public_name if invitation.invited_by else "",
        "url": invitation_url(token),
        "expires_at": invitation.expires_at,
        "site_url": settings.SITE_URL,
    }
    subject = _("You are invited to join %(brand)s on Foule") % {"brand": invitation.brand.name}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("brands/email/invitation.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(
        render_to_string("brands/email/invitation.html", context), "text/html"
    )
    message.send()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, invitation_token_hash(token)


def _send_after_commit(invitation_id: int, token: str) -> None:
    # robust: a mail server failure is logged, never turned into an error page after the
    # invitation is saved; the owner can send it again from the team page.
    transaction.on_commit(
        lambda: _invitation_send(invitation_id=invitation_id, token=token), robust=True
    )


def invitation_create(*, brand: Brand, email: str, role: str, invited_by) -> BrandInvitation:
    """Invite `email` to join `brand` with `role`, replacing (revoking) any pending
    invitation to the same address, and email the link after commit. The returned
    invitation carries the link's token in `.token` (never stored)."""
    brand_rules.can_manage_brand_team.check(invited_by, brand)
    _check_role(role)
    email = _normalise_email(email)
    if not email:
        raise ApplicationError(_("Enter an email address."), field="email")
    with transaction.atomic():
        brand = _lock_brand(brand)
        if _is_member_email(brand, email):
            raise Conflict(
                _("%(email)s is already a member of %(brand)s.")
                % {"email": email, "brand": brand.name},
                field="email",
                code="already_member",
            )
        now = timezone.now()
        BrandInvitation.objects.filter(
            brand=brand, email=email, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now)
        token, token_hash = _new_token()
        invitation = BrandInvitation.objects.create(
            brand=brand,
            email=email,
            role=role,
            token_hash=token_hash,
            invited_by=invited_by,
            expires_at=now + timedelta(days=invitation_days()),
        )
        _send_after_commit(invitation.pk, token)
    invitation.token = token
    return invitation


def invitation_resend(*, invitation: BrandInvitation, actor) -> BrandInvitation:
    """Send a pending (possibly expired) invitation again, with a new link valid for
    FOULE_INVITATION_DAYS: the previous link stops working (only a hash is stored, so the
    old token cannot be sent again)."""
    brand_rules.can_manage_brand_team.check(actor, invitation.brand)
    with transaction.atomic():
        _lock_brand(invitation.brand)
        invitation = BrandInvitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None or invitation.revoked_at is not None:
            raise Conflict(_("This invitation is no longer pending."), code="not_pending")
        token, invitation.token_hash = _new_token()
        invitation.expires_at = timezone.now() + timedelta(days=invitation_days())
        invitation.save(update_fields=["token_hash", "expires_at"])
        _send_after_commit(invitation.pk, token)
    invitation.token = token
    return invitation


def invitation_revoke(*, invitation: BrandInvitation, actor) -> BrandInvitation:
    brand_rules.can_manage_brand_team.check(actor, invitation.brand)
    with transaction.atomic():
        invitation = BrandInvitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None or invitation.revoked_at is not None:
            raise Conflict(_("This invitation is no longer pending."), code="not_pending")
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def invitation_accept(*, token: str, user) -> BrandMembership:
    """Accept the invitation `token` opens as `user`, whose verified email address must be
    the invited one. Creates the membership, or changes the member's role (the last owner
    is not demoted this way either). Refusals raise and change nothing."""
    if not user or not user.is_authenticated:
        raise NotAllowed(_("Log in to accept this invitation."), code="login_required")
    with transaction.atomic():
        found = invitation_for_token(token=token)
        if found is None:
            raise ApplicationError(_("This invitation link is not valid."), code="not_found")
        brand = _lock_brand(found.brand)
        invitation = BrandInvitation.objects.select_for_update().get(pk=found.pk)
        problem = invitation_problem(invitation=invitation, user=user)
        if problem is not None:
            raise problem
        membership = BrandMembership.objects.filter(brand=brand, user=user).first()
        if membership is None:
            membership = BrandMembership.objects.create(
                brand=brand, user=user, role=invitation.role
            )
        elif membership.role != invitation.role:
            if membership.role == Role.OWNER and not _other_owner_exists(brand, membership):
                raise Conflict(
                    _("You are the only owner of %(brand)s: you cannot take another role.")
                    % {"brand": brand.name},
                    code="last_owner",
                )
            membership.role = invitation.role
            membership.save(update_fields=["role", "updated_at"])
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership
