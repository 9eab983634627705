from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from brands.admin_scoping import BrandScopedAdmin, NeverDeletedAdmin, scoped_filter
from brands.models import Brand, BrandInvitation, BrandMembership


class BrandMembershipInline(admin.TabularInline):
    """Roles change on the brand's team page (campaigns/team.py keeps one owner): a
    superuser may add a member here, nobody changes or removes one."""

    model = BrandMembership
    raw_id_fields = ("user",)
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Brand)
class BrandAdmin(BrandScopedAdmin):
    """Owners edit their brand on the site; here a moderator sees the brands they moderate
    and only a superuser changes one (or deletes one without campaigns)."""

    scope_brand_field = "pk"
    list_display = ("name", "slug", "campaign_count", "created_at")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [BrandMembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(campaign_total=Count("campaigns"))

    def has_add_permission(self, request):
        return request.user.is_superuser and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if not request.user.is_superuser or obj is None:
            return False  # one at a time, from its page: never in bulk
        return not obj.campaigns.exists() and super().has_delete_permission(request, obj)

    @admin.display(ordering="campaign_total", description=_("campaigns"))
    def campaign_count(self, obj):
        return obj.campaign_total


@admin.register(BrandMembership)
class BrandMembershipAdmin(BrandScopedAdmin, NeverDeletedAdmin):
    """Roles are permissions: they change on the brand's team page (campaigns/team.py
    keeps one owner). A superuser may add a member here (a brand's first owner)."""

    scope_brand_field = "brand"
    list_display = ("user", "brand", "role", "created_at")
    list_filter = ("role", scoped_filter("brand"))
    search_fields = ("user__email", "brand__name")
    list_select_related = ("user", "brand")
    raw_id_fields = ("user",)

    def has_add_permission(self, request):
        return request.user.is_superuser and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(BrandInvitation)
class BrandInvitationAdmin(BrandScopedAdmin, NeverDeletedAdmin):
    """Read-only: invitations are made, sent again and withdrawn by the brand's owners on
    the team page (campaigns/team.py); the admin shows them for support. No token is
    stored, only its hash, which is not shown."""

    scope_brand_field = "brand"
    list_display = (
        "email",
        "brand",
        "role",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    )
    list_filter = ("role", scoped_filter("brand"))
    search_fields = ("email", "brand__name")
    list_select_related = ("brand",)
    date_hierarchy = "created_at"
    fields = (
        "brand",
        "email",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
