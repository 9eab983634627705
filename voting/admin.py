from django.contrib import admin

from voting.models import IdeaTally, Vote


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ("updated_at", "voter", "idea", "value", "created_at")
    list_filter = ("value", "idea__campaign", "updated_at")
    search_fields = ("voter__email", "idea__title")
    list_select_related = ("voter", "idea")
    raw_id_fields = ("voter", "idea")
    date_hierarchy = "updated_at"

    # Votes are cast by voters through voting.services; moderators read them here.
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(IdeaTally)
class IdeaTallyAdmin(admin.ModelAdmin):
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
    list_filter = ("campaign",)
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
