"""Campaigns' writes besides the builder (builder/) and the lifecycle (lifecycle.py):
follows, and forgetting an erased account's addresses."""

from django.db import transaction

from campaigns import rules as campaign_rules
from campaigns.models import Campaign, CampaignFollow


def campaign_follow_set(*, campaign: Campaign, user, following: bool) -> bool:
    """Follow (to hear when it opens, when voting opens and ends, when results are out) or
    stop following. Idempotent; returns whether the user now follows."""
    if following:
        campaign_rules.can_follow_campaign.check(user, campaign)
        CampaignFollow.objects.get_or_create(campaign=campaign, user=user)
        return True
    CampaignFollow.objects.filter(campaign=campaign, user=user).delete()
    return False


def campaign_follows_end_for_account(*, user) -> int:
    """Stop every follow of `user` (their account is being erased). Returns how many."""
    ended, _counts = CampaignFollow.objects.filter(user=user).delete()
    return ended


def campaign_invitation_lists_forget(*, emails: set[str]) -> int:
    """Take `emails` (an erased account's addresses) out of every campaign's list of
    invited participants: the lines that are exactly one of them, ignoring case and
    spaces; `@domain` lines and other addresses stay. Locks each campaign changed; returns
    how many changed."""
    wanted = {email.strip().lower() for email in emails if email and email.strip()}
    if not wanted:
        return 0
    changed = 0
    with transaction.atomic():
        for email in sorted(wanted):
            candidates = (
                Campaign.objects.select_for_update()
                .filter(invited_participants__icontains=email)
                .order_by("pk")
            )
            for campaign in candidates:
                lines = campaign.invited_participants.splitlines()
                kept = [line for line in lines if line.strip().lower() not in wanted]
                if len(kept) == len(lines):
                    continue
                campaign.invited_participants = "\n".join(kept)
                campaign.save(update_fields=["invited_participants"])
                changed += 1
    return changed
