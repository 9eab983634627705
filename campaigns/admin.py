from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from campaigns.models import (
    Brand,
    BrandInvitation,
    BrandMembership,
    Campaign,
    CampaignTerms,
    CampaignTransition,
    ScheduleChange,
)


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


@admin.register(BrandInvitation)
class BrandInvitationAdmin(admin.ModelAdmin):
    """Read-only: invitations are made, sent again and withdrawn by the brand's owners on
    the team page (campaigns/team.py); the admin shows them for support. No token is
    stored, only its hash, which is not shown."""

    list_display = (
        "email",
        "brand",
        "role",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    )
    list_filter = ("role", "brand")
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


class CampaignTransitionInline(admin.TabularInline):
    """The lifecycle's record: read-only (steps are taken by campaigns/lifecycle.py)."""

    model = CampaignTransition
    extra = 0
    can_delete = False
    fields = (
        "from_state",
        "to_state",
        "cause",
        "actor",
        "reason",
        "occurred_at",
        "effects_done_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class CampaignTermsInline(admin.TabularInline):
    """Terms versions are never edited: contributors accepted them as they are."""

    model = CampaignTerms
    extra = 0
    can_delete = False
    fields = ("version", "ip_terms", "confidentiality", "created_by", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "brand",
        "state",
        "moderation",
        "submission_opens_at",
        "voting_closes_at",
        "idea_count",
        "pending_count",
    )
    list_filter = ("state", "moderation", "is_private", "brand", "voting_closes_at")
    search_fields = ("title", "slug", "brand__name")
    list_select_related = ("brand",)
    # The state moves only through the lifecycle (launch, schedule, extend, close, archive),
    # which records who did it; the admin shows it.
    readonly_fields = (
        "state", "is_published", "brief_html", "rules_html", "created_by", "created_at",
        "updated_at", "voting_reminder_sent_for",
    )  # fmt: skip
    date_hierarchy = "voting_closes_at"
    inlines = [CampaignTermsInline, CampaignTransitionInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                idea_total=Count("ideas"),
                pending_total=Count("ideas", filter=models.Q(ideas__status="pending")),
            )
        )

    @admin.display(ordering="idea_total")
    def idea_count(self, obj):
        return obj.idea_total

    @admin.display(ordering="pending_total", description=_("waiting for moderation"))
    def pending_count(self, obj):
        return obj.pending_total

    def save_model(self, request, obj, form, change):
        from core.markdown import render_markdown

        obj.brief_html = render_markdown(obj.brief)
        obj.rules_html = render_markdown(obj.rules)
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ScheduleChange)
class ScheduleChangeAdmin(admin.ModelAdmin):
    list_display = ("campaign", "window", "kind", "old_end", "new_end", "actor", "created_at")
    list_filter = ("window", "kind")
    list_select_related = ("campaign", "actor")
    readonly_fields = (
        "campaign", "window", "kind", "old_end", "new_end", "reason", "actor", "created_at",
    )  # fmt: skip

    def has_add_permission(self, request):
        return False
