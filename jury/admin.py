"""The jury in the admin: read only (the brand's jury section and the jurors' pages write,
through jury/services.py), scoped to the brands the person moderates."""

from django.contrib import admin

from brands.admin_scoping import BrandScopedAdmin, NeverDeletedAdmin, scoped_filter
from jury.models import Criterion, Juror, JurorInvitation, JuryScore, JurySettings


class ReadOnlyJuryAdmin(NeverDeletedAdmin, BrandScopedAdmin):
    scope_brand_field = "campaign__brand"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(JurySettings)
class JurySettingsAdmin(ReadOnlyJuryAdmin):
    list_display = ("campaign", "jury_weight")
    list_select_related = ("campaign",)


@admin.register(Criterion)
class CriterionAdmin(ReadOnlyJuryAdmin):
    list_display = ("name", "weight", "campaign", "position")
    list_filter = (scoped_filter("campaign"),)
    list_select_related = ("campaign",)


@admin.register(Juror)
class JurorAdmin(ReadOnlyJuryAdmin):
    list_display = ("user", "campaign", "created_at", "removed_at")
    list_filter = (scoped_filter("campaign"),)
    list_select_related = ("user", "campaign")
    raw_id_fields = ("user", "added_by")


@admin.register(JurorInvitation)
class JurorInvitationAdmin(ReadOnlyJuryAdmin):
    list_display = ("email", "campaign", "created_at", "expires_at", "accepted_at", "revoked_at")
    list_filter = (scoped_filter("campaign"),)
    list_select_related = ("campaign",)
    exclude = ("token_hash",)
    raw_id_fields = ("invited_by", "accepted_by")


@admin.register(JuryScore)
class JuryScoreAdmin(ReadOnlyJuryAdmin):
    scope_brand_field = "juror__campaign__brand"
    list_display = ("juror", "idea", "criterion", "value", "updated_at")
    list_filter = (scoped_filter("juror__campaign"),)
    list_select_related = ("juror__user", "idea", "criterion")
    raw_id_fields = ("juror", "idea", "criterion")
