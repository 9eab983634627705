from django.conf import settings

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
