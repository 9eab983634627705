import rules
from allauth.account.models import EmailAddress


@rules.predicate
def is_verified(user) -> bool:
    """The account has confirmed its email address (mandatory before voting or submitting).
    The answer is cached on the user object for the request."""
    if not user or not user.is_authenticated:
        return False
    cached = getattr(user, "_foule_is_verified", None)
    if cached is None:
        cached = EmailAddress.objects.filter(user=user, verified=True).exists()
        user._foule_is_verified = cached
    return cached


# Two site-wide roles, each an explicit group (docs/decisions/0010-admin-scope.md). Django's
# `is_staff` flag only opens the admin's door: a brand's moderator has it and still sees
# only the brands they moderate.
SITE_MODERATORS_GROUP = "Moderators"  # moderate every brand's campaigns (pages and admin)
STAFF_GROUP = "Staff"  # Foule's own team: look at every brand to help it, act in none's name

is_moderator = rules.is_group_member(SITE_MODERATORS_GROUP) | rules.is_superuser
is_site_staff = rules.is_group_member(STAFF_GROUP) | rules.is_superuser

# /healthz's figures (core.views): asked as a permission so that core imports no app.
rules.add_perm("core.view_health_figures", is_site_staff)


@rules.predicate
def is_other_account(user, target) -> bool:
    return target is not None and user is not None and target.pk != user.pk


@rules.predicate
def is_blockable_by(user, target) -> bool:
    """Nobody blocks a superuser; only a superuser blocks a staff account."""
    if target is None or target.is_superuser:
        return False
    return not target.is_staff or bool(user and user.is_superuser)


# Blocking is site-wide: a brand's moderator hides content, a site moderator blocks people.
can_block_account = is_moderator & is_other_account & is_blockable_by
