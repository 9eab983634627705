"""Campaigns' part of an account's erasure and export (accounts.signals): follows end and
the invitation lists forget the person's addresses; the export lists the terms they
accepted and the campaigns they follow."""

from django.dispatch import receiver

from accounts.selectors import iso
from accounts.signals import account_erasing, account_export_requested
from campaigns import services
from campaigns.models import CampaignFollow, TermsAcceptance


@receiver(account_erasing, dispatch_uid="campaigns.account_erasing")
def erase(*, user, addresses, **kwargs) -> None:
    services.campaign_invitation_lists_forget(emails=addresses)
    services.campaign_follows_end_for_account(user=user)


@receiver(account_export_requested, dispatch_uid="campaigns.account_export")
def export(*, user, **kwargs) -> dict:
    acceptances = (
        TermsAcceptance.objects.filter(user=user)
        .select_related("terms__campaign")
        .order_by("accepted_at", "id")
    )
    follows = (
        CampaignFollow.objects.filter(user=user)
        .select_related("campaign")
        .order_by("created_at", "id")
    )
    return {
        "terms_accepted": [
            {
                "campaign": acceptance.terms.campaign.slug,
                "version": acceptance.terms.version,
                "accepted_at": iso(acceptance.accepted_at),
            }
            for acceptance in acceptances
        ],
        "campaign_follows": [
            {"campaign": follow.campaign.slug, "since": iso(follow.created_at)}
            for follow in follows
        ],
    }
