"""Who may do what with campaigns, and who may take part in one (eligibility). Every view,
API endpoint, admin action and service asks these declarations (core.permissions: a rule
says why it refuses; services call `permission.check`). The table of roles × actions they
implement is `tests/campaigns/test_permissions_matrix.py` (docs/decisions/0007-brand-roles.md
explains it).

Roles are read from the database on every check (one indexed query), never cached on the
user: removing a member takes effect on their very next request."""

from datetime import timedelta

import rules
from django.utils import timezone
from django.utils.translation import gettext_lazy, ngettext

from accounts.rules import is_moderator, is_site_staff, is_verified
from brands.rules import ALL_ROLES, MODERATES, READS_FIGURES, RUNS_CAMPAIGNS, _has_role
from core.errors import Conflict
from core.permissions import Condition, Permission, Rule


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


def is_invited_participant(email: str, invited: str) -> bool:
    """`invited` holds one address or @domain per line; comparison ignores case."""
    email = (email or "").strip().lower()
    domain = "@" + email.rsplit("@", 1)[-1] if "@" in email else None
    for line in (invited or "").splitlines():
        entry = line.strip().lower()
        if entry and (entry == email or (entry.startswith("@") and entry == domain)):
            return True
    return False


# -- eligibility: who may take part (the verified email is each action's own first rule) --


def _is_old_enough(user, campaign) -> bool:
    if campaign is None or not user or not user.is_authenticated:
        return False
    days = campaign.minimum_account_age_days
    joined = user.date_joined or timezone.now()
    return not days or timezone.now() - joined >= timedelta(days=days)


def _is_invited(user, campaign) -> bool:
    if campaign is None or not user or not user.is_authenticated:
        return False
    return not campaign.is_invitation_only or is_invited_participant(
        user.email, campaign.invited_participants
    )


def _too_young_message(campaign) -> str:
    days = campaign.minimum_account_age_days
    return ngettext(
        "This campaign is open to accounts at least %(days)d day old.",
        "This campaign is open to accounts at least %(days)d days old.",
        days,
    ) % {"days": days}


# What Python's str.strip and str.splitlines treat as spaces and line breaks, for the SQL
# twin of is_invited_participant.
_SPACES = "".join(chr(code) for code in range(0x3001) if chr(code).isspace())
_LINE_BREAKS = "\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]"

# The eligibility rules' SQL conditions (account age, invitation list), as a statement
# that checks and writes in one (voting/vote_sql.py) asks them. A voter row is NULL for a
# visitor not signed in, whom both rules refuse.
ACCOUNT_OLD_ENOUGH_SQL = Condition(
    "voter.id IS NOT NULL AND (campaign.minimum_account_age_days = 0"
    " OR voter.date_joined <= %(now)s - campaign.minimum_account_age_days * interval '24 hours')"
)
ACCOUNT_INVITED_SQL = Condition(
    "voter.id IS NOT NULL AND (NOT campaign.is_invitation_only OR EXISTS ("
    " SELECT 1 FROM regexp_split_to_table(campaign.invited_participants, %(invited_breaks)s)"
    " AS line(entry) CROSS JOIN LATERAL (SELECT lower(btrim(line.entry, %(invited_spaces)s))"
    " AS entry, lower(btrim(voter.email, %(invited_spaces)s)) AS email) AS invited"
    " WHERE invited.entry <> '' AND (invited.entry = invited.email"
    " OR invited.entry = substring(invited.email from '@[^@]*$'))))",
    invited_breaks=_LINE_BREAKS,
    invited_spaces=_SPACES,
)


OLD_ENOUGH = Rule(
    "not_eligible", _too_young_message, _is_old_enough, name="account_age", q=ACCOUNT_OLD_ENOUGH_SQL
)
INVITED = Rule(
    "not_eligible",
    gettext_lazy("This campaign is open to invited participants only."),
    _is_invited,
    name="invited",
    q=ACCOUNT_INVITED_SQL,
)
# Account age, then the invitation list, asked about a campaign. Every action asks for a
# verified account first, so an anonymous visitor (who fails both) never reads these.
ELIGIBLE = Permission("campaigns.eligible", OLD_ENOUGH, INVITED)


can_view_campaign = is_campaign_published | is_campaign_brand_member | is_staff | is_moderator
can_edit_campaign = is_verified & is_campaign_manager & is_campaign_editable
can_view_dashboard = is_campaign_brand_member | is_staff
can_moderate_campaign = (is_verified & is_campaign_brand_moderator) | is_moderator
can_see_private_ideas = is_campaign_brand_member | is_moderator | is_staff

# The actions a service refuses with a reason (campaigns.lifecycle, campaigns.services,
# insights.exports). The codes are those the API has always returned.
NOT_LAUNCHED = Rule(
    "already_launched",
    gettext_lazy("This campaign has already been launched."),
    is_campaign_draft,
    error=Conflict,
)
LAUNCHES_CAMPAIGNS = Rule(
    "permission_denied",
    gettext_lazy("Only the brand's owners and managers can launch its campaigns."),
    is_verified & is_campaign_manager,
    name="launches_campaigns",
)
can_launch_campaign = Permission("campaigns.launch_campaign", NOT_LAUNCHED, LAUNCHES_CAMPAIGNS)
can_run_campaign = Permission(
    "campaigns.run_campaign",
    Rule(
        "permission_denied",
        gettext_lazy("Only the brand's owners and managers can change the schedule."),
        is_verified & is_campaign_manager & is_campaign_running,
        name="runs_campaign",
    ),
)
can_archive_campaign = Permission(
    "campaigns.archive_campaign",
    Rule(
        "permission_denied",
        gettext_lazy("Only the brand's owners and managers can archive its campaigns."),
        is_verified & is_campaign_manager,
        name="archives_campaigns",
    ),
)
can_export_campaign = Permission(
    "campaigns.export_campaign",
    Rule(
        "permission_denied",
        gettext_lazy("You may not export this campaign's data."),
        (is_verified & is_campaign_figure_reader) | is_staff,
        name="exports_figures",
    ),
)
can_follow_campaign = Permission(
    "campaigns.follow_campaign",
    Rule(
        "permission_denied",
        gettext_lazy("Please verify your email address to follow campaigns."),
        is_verified & is_campaign_published,
        name="follows_campaigns",
    ),
)

# Not "view_campaign": that name is Django's model permission, which the admin checks.
rules.add_perm("campaigns.see_campaign", can_view_campaign)
rules.add_perm("campaigns.edit_campaign", can_edit_campaign)
rules.add_perm("campaigns.launch_campaign", can_launch_campaign)
rules.add_perm("campaigns.run_campaign", can_run_campaign)
rules.add_perm("campaigns.view_dashboard", can_view_dashboard)
rules.add_perm("campaigns.export_campaign", can_export_campaign)
rules.add_perm("campaigns.moderate_campaign", can_moderate_campaign)
rules.add_perm("campaigns.see_private_ideas", can_see_private_ideas)
