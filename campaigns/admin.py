from django.contrib import admin
from django.db import models
from django.db.models import Count

from campaigns.models import Brand, BrandMembership, Campaign


class BrandMembershipInline(admin.TabularInline):
    model = BrandMembership
    raw_id_fields = ("user",)
    extra = 0


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "campaign_count", "created_at")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [BrandMembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(campaign_total=Count("campaigns"))

    @admin.display(ordering="campaign_total")
    def campaign_count(self, obj):
        return obj.campaign_total


@admin.register(BrandMembership)
class BrandMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "brand", "role", "created_at")
    list_filter = ("role", "brand")
    search_fields = ("user__email", "brand__name")
    list_select_related = ("user", "brand")
    raw_id_fields = ("user",)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "brand",
        "is_published",
        "submission_opens_at",
        "voting_closes_at",
        "idea_count",
    )
    list_filter = ("is_published", "brand", "voting_closes_at")
    search_fields = ("title", "slug", "brand__name")
    list_select_related = ("brand",)
    readonly_fields = ("brief_html", "created_by", "created_at", "updated_at")
    date_hierarchy = "voting_closes_at"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(idea_total=Count("ideas"))

    @admin.display(ordering="idea_total")
    def idea_count(self, obj):
        return obj.idea_total

    def save_model(self, request, obj, form, change):
        from core.markdown import render_markdown

        obj.brief_html = render_markdown(obj.brief)
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
