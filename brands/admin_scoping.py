"""What a person may see and act on in the admin (docs/decisions/0010-admin-scope.md).

Brands' content (campaigns, ideas, comments, votes, ballots, results...) is scoped to the
brands the person moderates (owner, manager or moderator role). Superusers and site
moderators (the "Moderators" group, `accounts.rules.is_moderator`) see every brand. Django's
model permissions still decide which screens a person has; the scope decides which rows.

Every admin of brand-owned content inherits `BrandScopedAdmin` and names the lookup from its
model to the brand's id (`scope_brand_field`). The scope applies to the changelist, the
change, history and delete pages, the actions (they receive the scoped queryset), the
raw-id pop-ups and the autocomplete view (both read the target admin's `get_queryset`),
and `scoped_filter` limits a list filter's choices to rows in scope."""

from django.contrib import admin
from django.db.models import QuerySet

from accounts.rules import is_moderator
from brands.models import BrandMembership
from brands.rules import MODERATES
from core.admin_input import AdminInputGuard

# `scope_brand_field` of rows that belong to no brand (notifications): only superusers and
# site moderators see them.
SITE_WIDE = None


def has_site_wide_admin_scope(user) -> bool:
    """Superusers and site moderators see and moderate every brand in the admin."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or is_moderator(user))
    )


def moderated_brand_ids(user) -> list[int]:
    """The brands `user` moderates (one query, remembered on the user object for the
    request: the admin asks several times per page)."""
    if not user or not user.is_authenticated:
        return []
    cached = getattr(user, "_foule_moderated_brand_ids", None)
    if cached is None:
        cached = list(
            BrandMembership.objects.filter(user=user, role__in=MODERATES)
            .order_by("brand_id")
            .values_list("brand_id", flat=True)
        )
        user._foule_moderated_brand_ids = cached
    return cached


def scope_queryset(queryset: QuerySet, *, user, brand_field: str | None) -> QuerySet:
    """`queryset` limited to the rows `user` may see in the admin. `brand_field` is the
    lookup from the model to its brand ("campaign__brand", "pk" for brands themselves);
    None means the rows belong to no brand and only site-wide staff see them."""
    if has_site_wide_admin_scope(user):
        return queryset
    if brand_field is None:
        return queryset.none()
    brand_ids = moderated_brand_ids(user)
    if not brand_ids:
        return queryset.none()
    return queryset.filter(**{f"{brand_field}__in": brand_ids})


def has_admin_scope(user) -> bool:
    """The person has something to moderate in the admin."""
    return has_site_wide_admin_scope(user) or bool(moderated_brand_ids(user))


class BrandScopedAdmin(AdminInputGuard, admin.ModelAdmin):
    """A ModelAdmin whose rows, pages and actions are limited to the user's brands.

    Set `scope_brand_field` to the lookup from the model to its brand ("campaign__brand");
    None keeps the admin to superusers and site moderators."""

    scope_brand_field: str | None = SITE_WIDE

    def get_queryset(self, request):
        return scope_queryset(
            super().get_queryset(request), user=request.user, brand_field=self.scope_brand_field
        )

    def get_search_fields(self, request):
        """A brand's moderator is never shown people's addresses (they see public names):
        searching by an account's email (`author__email`) would tell them who wrote or
        voted what under a display name, so only site-wide staff search through it."""
        fields = super().get_search_fields(request)
        if has_site_wide_admin_scope(request.user):
            return fields
        return tuple(field for field in fields if not field.endswith("__email"))

    def is_in_scope(self, request, obj) -> bool:
        """`obj` (or, without one, anything of this admin) is within the user's scope. The
        answer per object is remembered for the request (a page asks several times)."""
        user = request.user
        if has_site_wide_admin_scope(user):
            return True
        if self.scope_brand_field is None:
            return False
        if obj is None:
            return bool(moderated_brand_ids(user))
        cache = request.__dict__.setdefault("_foule_admin_scope", {})
        key = (obj._meta.label_lower, obj.pk)
        if key not in cache:
            cache[key] = scope_queryset(
                type(obj)._default_manager.filter(pk=obj.pk),
                user=user,
                brand_field=self.scope_brand_field,
            ).exists()
        return cache[key]

    def has_module_permission(self, request):
        return super().has_module_permission(request) and self.is_in_scope(request, None)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self.is_in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.is_in_scope(request, obj)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and self.is_in_scope(request, None)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.is_in_scope(request, obj)


class NeverDeletedAdmin(admin.ModelAdmin):
    """Rows that the admin never deletes (other rows depend on them, or they are a record):
    no delete page, no "delete selected" action, for superusers too. They are hidden,
    withdrawn or archived through their services instead."""

    def has_delete_permission(self, request, obj=None):
        return False


def scoped_filter(field_path: str):
    """A list filter whose choices are only the related objects of rows in scope (Django's
    default filter would list every brand's campaigns)."""
    return (field_path, admin.RelatedOnlyFieldListFilter)
