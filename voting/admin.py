from django.contrib import admin

from brands.admin_scoping import (
    BrandScopedAdmin,
    NeverDeletedAdmin,
    has_site_wide_admin_scope,
    scoped_filter,
)
from voting.models import Ballot, BallotChoice, CampaignResult, IdeaTally, PairwisePrompt, Vote


@admin.register(Vote)
class VoteAdmin(BrandScopedAdmin, NeverDeletedAdmin):
    scope_brand_field = "idea__campaign__brand"
    list_display = ("updated_at", "voter", "idea", "value", "created_at")
    list_filter = ("value", scoped_filter("idea__campaign"), "updated_at")
    search_fields = ("voter__email", "idea__title")
    list_select_related = ("voter", "idea")
    date_hierarchy = "updated_at"

    # Votes are cast by voters through voting.services; moderators read them here.
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(IdeaTally)
class IdeaTallyAdmin(BrandScopedAdmin, NeverDeletedAdmin):
    scope_brand_field = "campaign__brand"
    list_display = (
        "idea",
        "campaign",
        "score",
        "upvotes",
        "downvotes",
        "wilson_lower_bound",
        "highest_milestone",
        "computed_at",
    )
    list_filter = (scoped_filter("campaign"),)
    search_fields = ("idea__title",)
    list_select_related = ("idea", "campaign")
    ordering = ("-score",)

    # Tallies are derived by the workers; nobody edits them.
    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(BrandScopedAdmin, NeverDeletedAdmin):
    """Ballots, answers and results are written by services and workers; moderators of the
    campaign's brand read them here."""

    scope_brand_field = "campaign__brand"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class BallotChoiceInline(admin.TabularInline):
    model = BallotChoice
    extra = 0
    can_delete = False
    fields = ("idea", "rank")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class VoterShownToSiteModeratorsOnly:
    """Who cast a ballot or answered a pair is for site moderators (and superusers) only:
    a brand's moderators read ballots without the voter, so an election's ballots stay
    secret from the brand that runs it. The receipt, which names the voter's line in the
    published audit list, is shown to nobody here."""

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        if has_site_wide_admin_scope(request.user):
            return shown
        return tuple(name for name in shown if name != "voter")

    def get_search_fields(self, request):
        return ("voter__email",) if has_site_wide_admin_scope(request.user) else ()

    def get_exclude(self, request, obj=None):
        hidden = ("receipt", "token")
        if not has_site_wide_admin_scope(request.user):
            hidden += ("voter",)
        return hidden

    def lookup_allowed(self, lookup, value, request=None):
        """Django allows any lookup on a local field in the URL (`?voter=12`,
        `?token__startswith=a`): what the list hides it must not filter on either, or the
        voter's ballot, a receipt or a live token is found one question at a time."""
        field = lookup.split("__", 1)[0]
        if field in ("receipt", "token"):
            return False
        if field in ("voter", "voter_id") and not (
            request is not None and has_site_wide_admin_scope(request.user)
        ):
            return False
        return super().lookup_allowed(lookup, value, request)


@admin.register(Ballot)
class BallotAdmin(VoterShownToSiteModeratorsOnly, ReadOnlyAdmin):
    list_display = ("campaign", "voter", "created_at", "updated_at")
    list_filter = (scoped_filter("campaign"),)
    list_select_related = ("campaign", "voter")
    inlines = [BallotChoiceInline]


@admin.register(PairwisePrompt)
class PairwisePromptAdmin(VoterShownToSiteModeratorsOnly, ReadOnlyAdmin):
    list_display = ("issued_at", "campaign", "voter", "left", "right", "outcome", "answered_at")
    list_filter = (scoped_filter("campaign"), "outcome")
    list_select_related = ("campaign", "voter", "left", "right")
    # get_exclude hides the token too: a live token would let a moderator answer for the voter


@admin.register(CampaignResult)
class CampaignResultAdmin(ReadOnlyAdmin):
    list_display = ("campaign", "method", "is_final", "ballot_count", "computed_at", "digest")
    list_filter = ("is_final", "method")
    search_fields = ("campaign__title", "digest")
    list_select_related = ("campaign",)
