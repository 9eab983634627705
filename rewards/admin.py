from django.contrib import admin

from rewards.models import LedgerEntry


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "points", "reason", "idea", "event_key")
    list_filter = ("reason", "created_at")
    search_fields = ("user__email", "event_key", "idea__title")
    list_select_related = ("user", "idea")
    raw_id_fields = ("user", "idea")
    date_hierarchy = "created_at"

    # The ledger is append-only: entries are written by services, never edited by hand.
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
