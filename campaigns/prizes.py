"""A campaign's prizes: which are still to give, and giving one. Who wins is decided from
the final ranking by rewards (rewards/prizes.py), told that the results are published."""

from django.db.models import QuerySet
from django.utils import timezone

from campaigns.models import CampaignPrize


def prizes_unawarded(*, campaign_id: int) -> QuerySet[CampaignPrize]:
    return CampaignPrize.objects.filter(campaign_id=campaign_id, awarded_idea__isnull=True)


def prize_mark_awarded(*, prize: CampaignPrize, idea_id: int) -> bool:
    """Give `prize` to the idea, unless it was given already (a retried task, two workers):
    the conditional update decides. True if this call gave it."""
    now = timezone.now()
    updated = CampaignPrize.objects.filter(pk=prize.pk, awarded_idea__isnull=True).update(
        awarded_idea_id=idea_id, awarded_at=now
    )
    if updated:
        prize.awarded_idea_id, prize.awarded_at = idea_id, now
    return bool(updated)
