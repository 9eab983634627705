from django.db.models import Sum

from rewards.models import LedgerEntry


def points_total(*, user) -> int:
    return LedgerEntry.objects.filter(user=user).aggregate(total=Sum("points"))["total"] or 0
