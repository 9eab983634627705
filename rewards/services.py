from django.conf import settings

from campaigns.models import Campaign
from rewards.models import LedgerEntry


def points_award(
    *, user, event_key: str, reason: str, idea=None, points: int | None = None
) -> tuple[LedgerEntry, bool]:
    """Credit the points for `reason` once per (user, event_key); a second call for the
    same event returns the existing entry. The amount is `points` if given, else the
    idea's campaign's setting for `reason`, else the site's. Returns (entry, created)."""
    if points is None:
        if idea is not None:
            points = idea.campaign.points_for(reason)
        else:
            points = settings.FOULE_POINTS.get(reason, 0)
    return LedgerEntry.objects.get_or_create(
        user=user,
        event_key=event_key,
        defaults={"points": points, "reason": reason, "idea": idea},
    )


def points_award_for_idea(
    *, user_id: int, idea_id: int, campaign_id: int, event_key: str, reason: str
) -> tuple[LedgerEntry, bool]:
    """`points_award` from an event's ids: the amount is the campaign's setting for
    `reason`, else the site's."""
    campaign = Campaign.objects.only("points").get(pk=campaign_id)
    return LedgerEntry.objects.get_or_create(
        user_id=user_id,
        event_key=event_key,
        defaults={"points": campaign.points_for(reason), "reason": reason, "idea_id": idea_id},
    )
