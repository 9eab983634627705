"""Brands' part of an account's erasure and export (accounts.signals): the person's
memberships end, the brands' invitations forget their addresses, and the admin's log
names their memberships by the pseudonym."""

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Value
from django.db.models.functions import Replace
from django.dispatch import receiver

from accounts.selectors import iso
from accounts.signals import account_erasing, account_export_requested
from brands import team
from brands.models import BrandMembership


@receiver(account_erasing, dispatch_uid="brands.account_erasing")
def erase(*, user, addresses, placeholder, old_name, pseudonym, **kwargs) -> None:
    membership_ids = [str(pk) for pk in user.brand_memberships.values_list("pk", flat=True)]
    # First, as it may refuse (the brand's last owner): nothing has changed yet.
    team.memberships_end_for_account(user=user)
    team.invitations_forget_for_account(user=user, emails=addresses, placeholder=placeholder)
    if old_name and membership_ids:
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(BrandMembership),
            object_id__in=membership_ids,
        ).update(object_repr=Replace("object_repr", Value(old_name), Value(pseudonym)))


@receiver(account_export_requested, dispatch_uid="brands.account_export")
def export(*, user, **kwargs) -> dict:
    memberships = (
        BrandMembership.objects.filter(user=user).select_related("brand").order_by("created_at")
    )
    return {
        "brand_memberships": [
            {
                "brand": membership.brand.slug,
                "brand_name": membership.brand.name,
                "role": membership.role,
                "since": iso(membership.created_at),
            }
            for membership in memberships
        ]
    }
