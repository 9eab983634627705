"""Who may do what with a brand. Roles are read from the database on every check (one
indexed query), never cached on the user: removing a member takes effect on their very
next request (docs/decisions/0007-brand-roles.md)."""

import rules
from django.utils.translation import gettext_lazy

from accounts.rules import is_verified
from core.permissions import Permission, Rule

OWNER, MANAGER, MODERATOR, ANALYST = "owner", "manager", "moderator", "analyst"
ALL_ROLES = (OWNER, MANAGER, MODERATOR, ANALYST)
RUNS_CAMPAIGNS = (OWNER, MANAGER)
MODERATES = (OWNER, MANAGER, MODERATOR)
READS_FIGURES = (OWNER, MANAGER, ANALYST)


def brand_role(user, brand) -> str | None:
    """The user's role in `brand`, or None."""
    if not user or not user.is_authenticated or brand is None:
        return None
    return brand.memberships.filter(user=user).values_list("role", flat=True).first()


def _has_role(user, brand, roles) -> bool:
    return brand_role(user, brand) in roles


# -- brands --------------------------------------------------------------------------------


@rules.predicate
def is_brand_member(user, brand) -> bool:
    return _has_role(user, brand, ALL_ROLES)


@rules.predicate
def is_brand_owner(user, brand) -> bool:
    return _has_role(user, brand, (OWNER,))


@rules.predicate
def is_brand_manager(user, brand) -> bool:
    """Owner or manager: runs campaigns."""
    return _has_role(user, brand, RUNS_CAMPAIGNS)


@rules.predicate
def is_any_brand_manager(user) -> bool:
    return bool(
        user
        and user.is_authenticated
        and user.brand_memberships.filter(role__in=RUNS_CAMPAIGNS).exists()
    )


# brands.team calls `.check` on these (core.permissions): the rule says why it refuses.
can_manage_brand_team = Permission(
    "brands.manage_team",
    Rule(
        "permission_denied",
        gettext_lazy("Only the brand's owners can manage its team."),
        is_verified & is_brand_owner,
        name="manages_team",
    ),
)
can_edit_brand = Permission(
    "brands.edit_brand",
    Rule(
        "permission_denied",
        gettext_lazy("Only the brand's owners can edit it."),
        is_verified & is_brand_owner,
        name="edits_brand",
    ),
)
can_create_campaign_for_brand = is_verified & is_brand_manager
can_create_any_campaign = is_verified & is_any_brand_manager

rules.add_perm("campaigns.create_campaign", can_create_campaign_for_brand)
rules.add_perm("campaigns.manage_team", can_manage_brand_team)
rules.add_perm("campaigns.edit_brand", can_edit_brand)
rules.add_rule("can_create_any_campaign", can_create_any_campaign)
