from django.conf import settings

from rewards.models import LedgerEntry


def points_award(*, user, event_key: str, reason: str, idea=None) -> tuple[LedgerEntry, bool]:
    """Credit the points for `reason` once per (user, event_key); a second call for the
    same event returns the existing entry. Returns (entry, created)."""
    return LedgerEntry.objects.get_or_create(
        user=user,
        event_key=event_key,
        defaults={"points": settings.FOULE_POINTS[reason], "reason": reason, "idea": idea},
    )
