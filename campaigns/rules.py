"""Who may do what with brands and campaigns. Every view, API endpoint, admin action and
service asks these predicates; `tests/campaigns/test_permissions_matrix.py` holds the table
of roles × actions they implement (and docs/decisions/0007-brand-roles.md explains it).

Roles are read from the database on every check (one indexed query), never cached on the
user: removing a member takes effect on their very next request."""

from datetime import timedelta

import rules
from django.utils import timezone

from accounts.rules import is_moderator, is_site_staff, is_verified

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


@rules.predicate
def is_staff(user) -> bool:
    """Foule's own staff (the "Staff" group, or a superuser): they may look at everything
    to help a brand, but act in no brand's name. Not Django's `is_staff` flag, which only
    opens the admin (a brand's moderator has it too): docs/decisions/0010-admin-scope.md."""
    return bool(user and user.is_authenticated and is_site_staff(user))


@rules.predicate
def is_superuser(user) -> bool:
    return bool(user and user.is_authenticated and user.is_superuser)


# -- campaigns -----------------------------------------------------------------------------


@rules.predicate
def is_campaign_brand_member(user, campaign) -> bool:
    return campaign is not None and _has_role(user, campaign.brand, ALL_ROLES)


@rules.predicate
def is_campaign_manager(user, campaign) -> bool:
    return campaign is not None and _has_role(user, campaign.brand, RUNS_CAMPAIGNS)


@rules.predicate
def is_campaign_brand_moderator(user, campaign) -> bool:
    return campaign is not None and _has_role(user, campaign.brand, MODERATES)


@rules.predicate
def is_campaign_figure_reader(user, campaign) -> bool:
    return campaign is not None and _has_role(user, campaign.brand, READS_FIGURES)


@rules.predicate
def is_campaign_published(user, campaign) -> bool:
    return campaign is not None and campaign.is_published


@rules.predicate
def is_campaign_editable(user, campaign) -> bool:
    """The builder edits drafts and scheduled campaigns; once open, only the schedule
    actions (extend, close early) change it."""
    return campaign is not None and campaign.state in ("draft", "scheduled")


@rules.predicate
def is_campaign_draft(user, campaign) -> bool:
    return campaign is not None and campaign.state == "draft"


@rules.predicate
def is_campaign_running(user, campaign) -> bool:
    running = ("scheduled", "submission", "voting", "review")
    return campaign is not None and campaign.state in running


@rules.predicate
def is_campaign_private(user, campaign) -> bool:
    return campaign is not None and campaign.is_private


@rules.predicate
def is_eligible_for_campaign(user, campaign) -> bool:
    """Account age and invitation list (the verified email is checked on its own)."""
    if campaign is None or not user or not user.is_authenticated:
        return False
    if campaign.minimum_account_age_days:
        joined = user.date_joined or timezone.now()
        if timezone.now() - joined < timedelta(days=campaign.minimum_account_age_days):
            return False
    if campaign.is_invitation_only:
        return is_invited_participant(user.email, campaign.invited_participants)
    return True


def is_invited_participant(email: str, invited: str) -> bool:
    """`invited` holds one address or @domain per line; comparison ignores case."""
    email = (email or "").strip().lower()
    domain = "@" + email.rsplit("@", 1)[-1] if "@" in email else None
    for line in (invited or "").splitlines():
        entry = line.strip().lower()
        if entry and (entry == email or (entry.startswith("@") and entry == domain)):
            return True
    return False


can_manage_brand_team = is_verified & is_brand_owner
can_edit_brand = is_verified & is_brand_owner
can_create_campaign_for_brand = is_verified & is_brand_manager
can_create_any_campaign = is_verified & is_any_brand_manager

can_view_campaign = is_campaign_published | is_campaign_brand_member | is_staff | is_moderator
can_edit_campaign = is_verified & is_campaign_manager & is_campaign_editable
can_launch_campaign = is_verified & is_campaign_manager & is_campaign_draft
can_run_campaign = is_verified & is_campaign_manager & is_campaign_running
can_archive_campaign = is_verified & is_campaign_manager
can_view_dashboard = is_campaign_brand_member | is_staff
can_export_campaign = (is_verified & is_campaign_figure_reader) | is_staff
can_moderate_campaign = (is_verified & is_campaign_brand_moderator) | is_moderator
can_see_private_ideas = is_campaign_brand_member | is_moderator | is_staff
can_follow_campaign = is_verified & is_campaign_published

rules.add_perm("campaigns.create_campaign", can_create_campaign_for_brand)
# Not "view_campaign": that name is Django's model permission, which the admin checks.
rules.add_perm("campaigns.see_campaign", can_view_campaign)
rules.add_perm("campaigns.edit_campaign", can_edit_campaign)
rules.add_perm("campaigns.launch_campaign", can_launch_campaign)
rules.add_perm("campaigns.run_campaign", can_run_campaign)
rules.add_perm("campaigns.view_dashboard", can_view_dashboard)
rules.add_perm("campaigns.export_campaign", can_export_campaign)
rules.add_perm("campaigns.moderate_campaign", can_moderate_campaign)
rules.add_perm("campaigns.see_private_ideas", can_see_private_ideas)
rules.add_perm("campaigns.manage_team", can_manage_brand_team)
rules.add_perm("campaigns.edit_brand", can_edit_brand)
rules.add_rule("can_create_any_campaign", can_create_any_campaign)
