from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from brands.admin_scoping import SITE_WIDE, BrandScopedAdmin
from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(BrandScopedAdmin):
    """Personal messages, written by services: read-only, and only for superusers and site
    moderators (they belong to no brand)."""

    scope_brand_field = SITE_WIDE
    list_display = ("created_at", "recipient", "kind", "message", "read_at")
    list_filter = ("kind", "created_at", ("read_at", admin.EmptyFieldListFilter))
    search_fields = ("recipient__email", "event_key")
    list_select_related = ("recipient",)
    readonly_fields = ("created_at",)
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    @admin.display(description=_("message"))
    def message(self, obj):
        return obj.message
