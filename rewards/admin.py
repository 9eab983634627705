from django.contrib import admin

from brands.admin_scoping import BrandScopedAdmin, NeverDeletedAdmin
from rewards.models import LedgerEntry


@admin.register(LedgerEntry)
class LedgerEntryAdmin(BrandScopedAdmin, NeverDeletedAdmin):
    """The ledger is append-only: entries are written by services, never edited or deleted
    by hand. A brand's moderator sees the entries about their brands' ideas; the others
    (no idea) only site-wide moderators."""

    scope_brand_field = "idea__campaign__brand"
    list_display = ("created_at", "user", "points", "reason", "idea", "event_key")
    list_filter = ("reason", "created_at")
    search_fields = ("user__email", "event_key", "idea__title")
    list_select_related = ("user", "idea")
    date_hierarchy = "created_at"

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
