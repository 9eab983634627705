"""Reads about one account: the export of everything Foule holds about a person."""

from datetime import datetime

from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import ApiToken, User
from accounts.signals import account_export_requested

EXPORT_FORMAT = "foule-account-export"
EXPORT_VERSION = 1


# The export's sections, in the file's order; each app above accounts gives its own
# (accounts.signals.account_export_requested). A section nobody gives is left out.
EXPORT_SECTIONS = (
    "profile", "email_addresses", "ideas", "comments", "votes", "ballots",
    "pairwise_answers", "points", "terms_accepted", "brand_memberships",
    "campaign_follows", "notifications", "api_tokens",
)  # fmt: skip


def iso(moment: datetime | None) -> str | None:
    """A moment as the export writes it (ISO 8601), or None."""
    return moment.isoformat() if moment is not None else None


def account_export(*, user: User) -> dict:
    """Everything about `user` as JSON-ready data (strings, numbers, lists, dicts): the
    profile, email addresses and API tokens (their names and dates, never a secret or its
    hash) from accounts; ideas (with the texts edits replaced), comments, votes (with the
    receipt that finds them in a campaign's published audit list), ballots, pairwise
    answers, points ledger and balance, terms accepted, brand roles, follows and
    notifications from the apps that hold them. Nothing about anyone else: other
    people's ideas appear by id, title and campaign only. A fixed number of queries
    (about fifteen), whatever the amount of data."""
    profile_user = User.objects.select_related("signed_up_via").get(pk=user.pk)
    sections = {
        "profile": {
            "id": profile_user.pk,
            "email": profile_user.email,
            "display_name": profile_user.display_name,
            "public_name": profile_user.public_name,
            "first_name": profile_user.first_name,
            "last_name": profile_user.last_name,
            "date_joined": iso(profile_user.date_joined),
            "last_login": iso(profile_user.last_login),
            "signed_up_via": (
                profile_user.signed_up_via.slug if profile_user.signed_up_via else None
            ),
            "is_active": profile_user.is_active,
            "erased_at": iso(profile_user.erased_at),
        },
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("id")
        ],
        "api_tokens": [
            {
                "name": token.name,
                "prefix": token.prefix,
                "created_at": iso(token.created_at),
                "expires_at": iso(token.expires_at),
                "last_used_at": iso(token.last_used_at),
                "revoked_at": iso(token.revoked_at),
            }
            for token in ApiToken.objects.filter(user=user).order_by("created_at", "id")
        ],
    }
    for _receiver, given in account_export_requested.send(sender=User, user=user):
        sections.update(given or {})
    ordered = [name for name in EXPORT_SECTIONS if name in sections]
    ordered += sorted(name for name in sections if name not in EXPORT_SECTIONS)
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": iso(timezone.now()),
        **{name: sections[name] for name in ordered},
    }


def account_export_filename(*, user: User) -> str:
    return f"foule-account-{user.pk}-{timezone.now():%Y%m%d}.json"
