from django.core.cache import cache
from django.db.models import QuerySet

from brands.models import Brand
from campaigns.models import Campaign, CampaignFollow, CampaignTransition, ScheduleChange


def brands_for_member(*, user) -> QuerySet[Brand]:
    if not user.is_authenticated:
        return Brand.objects.none()
    return Brand.objects.filter(memberships__user=user).order_by("name")


def campaign_history(*, campaign: Campaign) -> list[dict]:
    """The campaign's steps and schedule changes, oldest first: two queries."""
    entries = [
        {"at": row.occurred_at, "kind": "transition", "row": row}
        for row in CampaignTransition.objects.filter(campaign=campaign).select_related("actor")
    ]
    entries += [
        {"at": row.created_at, "kind": "change", "row": row}
        for row in ScheduleChange.objects.filter(campaign=campaign).select_related("actor")
    ]
    return sorted(entries, key=lambda entry: entry["at"])


def campaign_notices(*, campaign: Campaign) -> list:
    """Schedule changes participants should read on the campaign page, newest first."""
    return list(ScheduleChange.objects.filter(campaign=campaign).order_by("-created_at")[:5])


def is_following(*, campaign: Campaign, user) -> bool:
    if not user.is_authenticated:
        return False
    return CampaignFollow.objects.filter(campaign=campaign, user=user).exists()


def progress_cache_key(campaign_id: int) -> str:
    """Where the campaign page's figures (voting.selectors.campaign_progress) are kept."""
    return f"campaign-progress:{campaign_id}"


def campaign_progress_forget(*, campaign_id: int) -> None:
    """A new public idea shows in the figures at once (votes arrive through the workers'
    tallies and may wait for the 30 s)."""
    cache.delete(progress_cache_key(campaign_id))
