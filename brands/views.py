"""A brand's profile and team pages, and the invitation links.

Who may do what (brands/rules.py): the team page is seen by the brand's members only
(404 for anyone else); acting on it (invite, change a role, remove, revoke, re-send) and
editing the brand need `can_manage_brand_team` / `can_edit_brand` (owners with a verified
email), 403 otherwise. Every refusal changes nothing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from brands import rules as brand_rules
from brands import team
from brands.forms import BrandForm, InvitationForm, RoleForm
from brands.models import Brand, BrandInvitation, BrandMembership
from core.errors import ApplicationError, RateLimited
from core.forms import apply_service_error
from core.ratelimit import rate_limit


def _brand_for_member(request, slug: str) -> Brand:
    """The brand, if the user is one of its members (404 otherwise: a non-member may not
    even know who is in the team)."""
    brand = get_object_or_404(Brand, slug=slug)
    if not brand_rules.is_brand_member(request.user, brand):
        raise Http404
    return brand


def _brand_for_team_manager(request, slug: str) -> Brand:
    brand = _brand_for_member(request, slug)
    if not brand_rules.can_manage_brand_team(request.user, brand):
        raise PermissionDenied(_("Only the brand's owners can manage its team."))
    return brand


def _team_page(request, brand: Brand, *, invite_form=None, error=None, status=200):
    return render(
        request,
        "brands/team/team.html",
        {
            "brand": brand,
            "members": list(team.team_members(brand=brand)),
            "invitations": list(team.invitations_pending(brand=brand)),
            "invite_form": invite_form or InvitationForm(),
            "roles": BrandMembership.Role.choices,
            "can_manage": brand_rules.can_manage_brand_team(request.user, brand),
            "can_edit_brand": brand_rules.can_edit_brand(request.user, brand),
            "team_error": error,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def brand_edit(request, slug: str):
    brand = get_object_or_404(Brand, slug=slug)
    if not brand_rules.can_edit_brand(request.user, brand):
        raise PermissionDenied(_("Only the brand's owners can edit it."))
    initial = {
        "name": brand.name,
        "description": brand.description,
        "website": brand.website,
        "logo": brand.logo,
        "time_zone": brand.time_zone,
    }
    if request.method == "POST":
        form = BrandForm(request.POST, request.FILES, initial=initial)
        if form.is_valid():
            try:
                team.brand_update(brand=brand, actor=request.user, **form.cleaned_data)
            except ApplicationError as error:
                apply_service_error(form, error)
            else:
                messages.success(request, _("The brand's page is updated."))
                return redirect(brand)
        status = 400
    else:
        form = BrandForm(initial=initial)
        status = 200
    return render(
        request, "brands/team/brand_form.html", {"brand": brand, "form": form}, status=status
    )


@login_required
@require_http_methods(["GET"])
def brand_team(request, slug: str):
    return _team_page(request, _brand_for_member(request, slug))


@login_required
@require_POST
def brand_invite(request, slug: str):
    brand = _brand_for_team_manager(request, slug)
    form = InvitationForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            # Over the limit: the form shows why (429, Retry-After) and keeps the address.
            rate_limit(request, "invitation")
            invitation = team.invitation_create(
                brand=brand,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
        except ApplicationError as error:
            apply_service_error(form, error)
            if isinstance(error, RateLimited):
                status = error.status_code
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s.") % {"email": invitation.email},
            )
            return redirect("brands:brand_team", slug=brand.slug)
    return _team_page(request, brand, invite_form=form, status=status)


def _membership(brand: Brand, pk: int) -> BrandMembership:
    return get_object_or_404(
        BrandMembership.objects.select_related("brand", "user"), brand=brand, pk=pk
    )


def _invitation(brand: Brand, pk: int) -> BrandInvitation:
    return get_object_or_404(BrandInvitation.objects.select_related("brand"), brand=brand, pk=pk)


@login_required
@require_POST
def brand_member_role(request, slug: str, pk: int):
    brand = _brand_for_team_manager(request, slug)
    membership = _membership(brand, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _team_page(request, brand, error=_("Choose one of the roles."), status=400)
    try:
        membership = team.membership_change_role(
            membership=membership, role=form.cleaned_data["role"], actor=request.user
        )
    except ApplicationError as error:
        return _team_page(request, brand, error=error.message, status=error.status_code)
    messages.success(
        request,
        _("%(name)s is now %(role)s.")
        % {"name": membership.user.public_name, "role": membership.get_role_display()},
    )
    return redirect("brands:brand_team", slug=brand.slug)


@login_required
@require_POST
def brand_member_remove(request, slug: str, pk: int):
    brand = _brand_for_team_manager(request, slug)
    membership = _membership(brand, pk)
    try:
        team.membership_remove(membership=membership, actor=request.user)
    except ApplicationError as error:
        return _team_page(request, brand, error=error.message, status=error.status_code)
    messages.success(
        request,
        _("%(name)s is no longer a member of %(brand)s.")
        % {"name": membership.user.public_name, "brand": brand.name},
    )
    if not brand_rules.is_brand_member(request.user, brand):  # an owner who left
        return redirect(brand)
    return redirect("brands:brand_team", slug=brand.slug)


@login_required
@require_POST
def brand_invitation_revoke(request, slug: str, pk: int):
    brand = _brand_for_team_manager(request, slug)
    invitation = _invitation(brand, pk)
    try:
        team.invitation_revoke(invitation=invitation, actor=request.user)
    except ApplicationError as error:
        return _team_page(request, brand, error=error.message, status=error.status_code)
    messages.success(
        request, _("The invitation to %(email)s is withdrawn.") % {"email": invitation.email}
    )
    return redirect("brands:brand_team", slug=brand.slug)


@login_required
@require_POST
def brand_invitation_resend(request, slug: str, pk: int):
    brand = _brand_for_team_manager(request, slug)
    invitation = _invitation(brand, pk)
    try:
        rate_limit(request, "invitation")  # a new link is a new email, like an invitation
        team.invitation_resend(invitation=invitation, actor=request.user)
    except ApplicationError as error:
        return _team_page(request, brand, error=error.message, status=error.status_code)
    messages.success(
        request,
        _("A new invitation link was sent to %(email)s; the previous one no longer works.")
        % {"email": invitation.email},
    )
    return redirect("brands:brand_team", slug=brand.slug)


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    """The page an invitation email links to. Anyone holding the link may see which brand
    and role it offers; only the invited (verified) address may accept it."""
    invitation = team.invitation_for_token(token=token)
    if invitation is None:
        return render(request, "brands/team/invitation_invalid.html", status=404)
    problem = team.invitation_problem(invitation=invitation, user=request.user)
    here = reverse("brands:invitation_accept", kwargs={"token": token})
    context = {
        "invitation": invitation,
        "brand": invitation.brand,
        "problem": problem,
        "next": here,
    }
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={here}")
        try:
            membership = team.invitation_accept(token=token, user=request.user)
        except ApplicationError as error:
            context["problem"] = error
            return render(request, "brands/team/invitation.html", context, status=error.status_code)
        messages.success(
            request,
            _("Welcome to %(brand)s: you are now %(role)s.")
            % {"brand": membership.brand.name, "role": membership.get_role_display()},
        )
        return redirect("brands:brand_team", slug=invitation.brand.slug)
    status = problem.status_code if problem is not None else 200
    return render(request, "brands/team/invitation.html", context, status=status)


urlpatterns = [
    path("brands/<slug:slug>/edit/", brand_edit, name="brand_edit"),
    path("brands/<slug:slug>/team/", brand_team, name="brand_team"),
    path("brands/<slug:slug>/team/invite/", brand_invite, name="brand_invite"),
    path(
        "brands/<slug:slug>/team/members/<int:pk>/role/",
        brand_member_role,
        name="brand_member_role",
    ),
    path(
        "brands/<slug:slug>/team/members/<int:pk>/remove/",
        brand_member_remove,
        name="brand_member_remove",
    ),
    path(
        "brands/<slug:slug>/team/invitations/<int:pk>/revoke/",
        brand_invitation_revoke,
        name="brand_invitation_revoke",
    ),
    path(
        "brands/<slug:slug>/team/invitations/<int:pk>/resend/",
        brand_invitation_resend,
        name="brand_invitation_resend",
    ),
    path("invitations/<slug:token>/", invitation_accept, name="invitation_accept"),
]
