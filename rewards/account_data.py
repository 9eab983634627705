"""Rewards' part of an account's export (accounts.signals): the points ledger and
balance. (Erasure keeps the ledger: it points at the pseudonymous account.)"""

from django.dispatch import receiver

from accounts.selectors import iso
from accounts.signals import account_export_requested
from rewards.models import LedgerEntry


@receiver(account_export_requested, dispatch_uid="rewards.account_export")
def export(*, user, **kwargs) -> dict:
    ledger = list(LedgerEntry.objects.filter(user=user).order_by("created_at", "id"))
    return {
        "points": {
            "balance": sum(entry.points for entry in ledger),
            "ledger": [
                {
                    "points": entry.points,
                    "reason": entry.reason,
                    "idea": entry.idea_id,
                    "created_at": iso(entry.created_at),
                }
                for entry in ledger
            ],
        }
    }
