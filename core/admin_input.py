"""Malformed input at the admin's door gets a message, never a 500.

Django's admin builds two querysets from raw input that only fail when they are run: the
list's lookups from the URL (`?created_at__year=99999` is accepted, then the year cannot be
turned into dates) and an action's selection (`_selected_action=abc` becomes
`pk__in=["abc"]`). Every Foule admin inherits `AdminInputGuard` (through
`brands.admin_scoping.BrandScopedAdmin`, `accounts.admin.UserAdmin` and the
superuser-only admins), which checks both before anything runs: a bad list URL is
redirected with the admin's own "?e=1" ("Database error") like any other bad lookup, and a
bad selection is refused with a message, doing nothing."""

from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import EmptyResultSet, FullResultSet, ValidationError
from django.utils.translation import gettext as _


class CheckedChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        try:
            # Compiling (no query is run) turns the lookups' values into SQL parameters:
            # where an out-of-range year or a bad value fails, as the page would later.
            queryset.query.sql_with_params()
        except (EmptyResultSet, FullResultSet):
            pass
        except (ValueError, TypeError, OverflowError, ValidationError) as error:
            raise IncorrectLookupParameters(error) from error
        return queryset


class AdminInputGuard:
    """For a ModelAdmin: the list's URL lookups and an action's selected ids are checked
    before they are run (see the module's docstring)."""

    def get_changelist(self, request, **kwargs):
        return CheckedChangeList

    def response_action(self, request, queryset):
        primary_key = self.model._meta.pk
        try:
            for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
                primary_key.get_prep_value(primary_key.to_python(value))
        except (ValidationError, ValueError, TypeError, OverflowError):
            self.message_user(
                request, _("The selection holds unknown items: nothing was done."), messages.ERROR
            )
            return None  # the admin redirects to the list
        return super().response_action(request, queryset)
