"""Reads about one account: the export of everything Foule holds about a person."""

from datetime import datetime

from allauth.account.models import EmailAddress
from django.db.models import Prefetch
from django.utils import timezone

from accounts.models import ApiToken, User
from campaigns.models import BrandMembership, CampaignFollow, TermsAcceptance
from ideas.models import Comment, Idea, IdeaRevision
from notifications.models import Notification
from rewards.models import LedgerEntry
from voting.models import Ballot, BallotChoice, PairwisePrompt, Vote
from voting.results import voter_receipt

EXPORT_FORMAT = "foule-account-export"
EXPORT_VERSION = 1


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _idea_ref(idea: Idea) -> dict:
    return {"id": idea.pk, "title": idea.title, "campaign": idea.campaign.slug}


def account_export(*, user: User) -> dict:
    """Everything about `user` as JSON-ready data (strings, numbers, lists, dicts): the
    profile, email addresses, ideas (with the texts edits replaced), comments, votes (with
    the receipt that finds them in a campaign's published audit list), ballots, pairwise
    answers, points ledger and balance, terms accepted, brand roles, follows,
    notifications and API tokens (their names and dates, never a secret or its hash).
    Nothing about anyone else: other people's ideas appear by id, title and campaign only.
    A fixed number of queries (about fifteen), whatever the amount of data."""
    profile_user = User.objects.select_related("signed_up_via").get(pk=user.pk)
    ideas = (
        Idea.objects.filter(author=user)
        .select_related("campaign")
        .prefetch_related(
            Prefetch("revisions", queryset=IdeaRevision.objects.order_by("created_at", "id"))
        )
        .order_by("created_at", "id")
    )
    comments = (
        Comment.objects.filter(author=user)
        .select_related("idea__campaign")
        .order_by("created_at", "id")
    )
    votes = (
        Vote.objects.filter(voter=user)
        .select_related("idea__campaign")
        .order_by("created_at", "id")
    )
    ballots = (
        Ballot.objects.filter(voter=user)
        .select_related("campaign")
        .prefetch_related(
            Prefetch(
                "choices",
                queryset=BallotChoice.objects.select_related("idea__campaign").order_by(
                    "rank", "id"
                ),
            )
        )
        .order_by("created_at", "id")
    )
    prompts = (
        PairwisePrompt.objects.filter(voter=user)
        .select_related("campaign", "left__campaign", "right__campaign")
        .order_by("issued_at", "id")
    )
    ledger = list(LedgerEntry.objects.filter(user=user).order_by("created_at", "id"))
    acceptances = (
        TermsAcceptance.objects.filter(user=user)
        .select_related("terms__campaign")
        .order_by("accepted_at", "id")
    )
    memberships = (
        BrandMembership.objects.filter(user=user).select_related("brand").order_by("created_at")
    )
    follows = (
        CampaignFollow.objects.filter(user=user)
        .select_related("campaign")
        .order_by("created_at", "id")
    )
    notifications = Notification.objects.filter(recipient=user).order_by("created_at", "id")
    tokens = ApiToken.objects.filter(user=user).order_by("created_at", "id")

    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": _iso(timezone.now()),
        "profile": {
            "id": profile_user.pk,
            "email": profile_user.email,
            "display_name": profile_user.display_name,
            "public_name": profile_user.public_name,
            "first_name": profile_user.first_name,
            "last_name": profile_user.last_name,
            "date_joined": _iso(profile_user.date_joined),
            "last_login": _iso(profile_user.last_login),
            "signed_up_via": (
                profile_user.signed_up_via.slug if profile_user.signed_up_via else None
            ),
            "is_active": profile_user.is_active,
            "erased_at": _iso(profile_user.erased_at),
        },
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("id")
        ],
        "ideas": [
            {
                "id": idea.pk,
                "campaign": idea.campaign.slug,
                "title": idea.title,
                "body": idea.body,
                "status": idea.status,
                "answer": idea.answer,
                "cost": idea.cost,
                "image": idea.image.name or None,
                "content_hash": idea.content_hash,
                "created_at": _iso(idea.created_at),
                "updated_at": _iso(idea.updated_at),
                "revisions": [
                    {
                        "title": revision.title,
                        "body": revision.body,
                        "content_hash": revision.content_hash,
                        "reason": revision.reason,
                        "replaced_at": _iso(revision.created_at),
                    }
                    for revision in idea.revisions.all()
                ],
            }
            for idea in ideas
        ],
        "comments": [
            {
                "id": comment.pk,
                "idea": _idea_ref(comment.idea),
                "body": comment.body,
                "status": comment.status,
                "created_at": _iso(comment.created_at),
                "updated_at": _iso(comment.updated_at),
            }
            for comment in comments
        ],
        "votes": [
            {
                "idea": _idea_ref(vote.idea),
                "value": vote.value,
                "receipt": voter_receipt(campaign_id=vote.idea.campaign_id, voter_id=user.pk),
                "created_at": _iso(vote.created_at),
                "updated_at": _iso(vote.updated_at),
            }
            for vote in votes
        ],
        "ballots": [
            {
                "campaign": ballot.campaign.slug,
                "receipt": ballot.receipt,
                "choices": [
                    {**_idea_ref(choice.idea), "rank": choice.rank}
                    for choice in ballot.choices.all()
                ],
                "created_at": _iso(ballot.created_at),
                "updated_at": _iso(ballot.updated_at),
            }
            for ballot in ballots
        ],
        "pairwise_answers": [
            {
                "campaign": prompt.campaign.slug,
                "left": _idea_ref(prompt.left),
                "right": _idea_ref(prompt.right),
                "outcome": prompt.outcome or None,
                "issued_at": _iso(prompt.issued_at),
                "answered_at": _iso(prompt.answered_at),
            }
            for prompt in prompts
        ],
        "points": {
            "balance": sum(entry.points for entry in ledger),
            "ledger": [
                {
                    "points": entry.points,
                    "reason": entry.reason,
                    "idea": entry.idea_id,
                    "created_at": _iso(entry.created_at),
                }
                for entry in ledger
            ],
        },
        "terms_accepted": [
            {
                "campaign": acceptance.terms.campaign.slug,
                "version": acceptance.terms.version,
                "accepted_at": _iso(acceptance.accepted_at),
            }
            for acceptance in acceptances
        ],
        "brand_memberships": [
            {
                "brand": membership.brand.slug,
                "brand_name": membership.brand.name,
                "role": membership.role,
                "since": _iso(membership.created_at),
            }
            for membership in memberships
        ],
        "campaign_follows": [
            {"campaign": follow.campaign.slug, "since": _iso(follow.created_at)}
            for follow in follows
        ],
        "notifications": [
            {
                "kind": notification.kind,
                "message": notification.message,
                "url": notification.url,
                "created_at": _iso(notification.created_at),
                "read_at": _iso(notification.read_at),
            }
            for notification in notifications
        ],
        "api_tokens": [
            {
                "name": token.name,
                "prefix": token.prefix,
                "created_at": _iso(token.created_at),
                "expires_at": _iso(token.expires_at),
                "last_used_at": _iso(token.last_used_at),
                "revoked_at": _iso(token.revoked_at),
            }
            for token in tokens
        ],
    }


def account_export_filename(*, user: User) -> str:
    return f"foule-account-{user.pk}-{timezone.now():%Y%m%d}.json"
