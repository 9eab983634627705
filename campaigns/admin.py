from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from brands.admin_scoping import BrandScopedAdmin, NeverDeletedAdmin, scoped_filter
from campaigns.models import (
    Campaign,
    CampaignTerms,
    CampaignTransition,
    ScheduleChange,
    TermsAcceptance,
)
from voting.models import CampaignResult


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

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
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

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Campaign)
class CampaignAdmin(BrandScopedAdmin):
    """A moderator sees the campaigns of the brands they moderate (and moderates their
    ideas in the ideas' admin). Campaigns are built, launched, rescheduled and archived by
    the brand on the site, through the builder's and the lifecycle's services, which record
    who did what: here they are read only. A superuser may delete a campaign nobody took
    part in."""

    scope_brand_field = "brand"
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
    list_filter = ("state", "moderation", "is_private", scoped_filter("brand"), "voting_closes_at")
    search_fields = ("title", "slug", "brand__name")
    list_select_related = ("brand",)
    ordering = ("-created_at", "-id")
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

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        return (*self.readonly_fields, "brand")  # its ideas, votes and results stay with it

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        if not request.user.is_superuser or obj is None:
            return False
        return not campaign_has_participation(obj) and super().has_delete_permission(request, obj)

    @admin.display(ordering="idea_total", description=_("ideas"))
    def idea_count(self, obj):
        return obj.idea_total

    @admin.display(ordering="pending_total", description=_("waiting for moderation"))
    def pending_count(self, obj):
        return obj.pending_total


@admin.register(ScheduleChange)
class ScheduleChangeAdmin(BrandScopedAdmin, NeverDeletedAdmin):
    """The schedule's record: read-only."""

    scope_brand_field = "campaign__brand"
    list_display = ("campaign", "window", "kind", "old_end", "new_end", "actor", "created_at")
    list_filter = ("window", "kind")
    list_select_related = ("campaign", "actor")
    readonly_fields = (
        "campaign", "window", "kind", "old_end", "new_end", "reason", "actor", "created_at",
    )  # fmt: skip

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def campaign_has_participation(campaign: Campaign) -> bool:
    """Someone took part: ideas, ballots, comparisons, a result or accepted terms protect
    the campaign (and the database refuses to delete it anyway)."""
    return (
        campaign.ideas.exists()
        or campaign.ballots.exists()
        or campaign.pairwise_prompts.exists()
        or CampaignResult.objects.filter(campaign=campaign).exists()
        or TermsAcceptance.objects.filter(terms__campaign=campaign).exists()
    )
