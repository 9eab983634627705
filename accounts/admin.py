"""Accounts in the admin (docs/decisions/0010-admin-scope.md).

Django's documentation: the right to edit users is the right to become anyone. So only a
superuser edits an account (flags, groups, permissions, password) or adds one, and only a
superuser sees the screens that grant powers (groups, API tokens, email addresses, sites).
Site moderators look accounts up read-only and block them, with a reason, through
`accounts.services.user_block`. Nobody deletes an account here: erasure is
`accounts.services.account_erase`, which keeps every tally and record intact."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import services
from accounts.models import User
from accounts.rules import is_moderator
from accounts.tokens import api_tokens_revoke_all
from core.admin_input import AdminInputGuard
from core.errors import ApplicationError


class BlockAccountsForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason (kept in each account's history)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=services.BLOCK_REASON_MAX_LENGTH,
    )


def can_look_up_accounts(user) -> bool:
    """Superusers and site moderators; a brand's moderator moderates content, not people."""
    return bool(user and user.is_active and (user.is_superuser or is_moderator(user)))


# Lookups that would tell who holds which power (?is_superuser=1, ?groups__id=...).
POWER_LOOKUPS = ("is_superuser", "is_staff", "groups", "user_permissions", "password")


class PasswordChangeRevokingTokensForm(AdminPasswordChangeForm):
    """The admin's "change password" form: a new password (or none) also revokes the
    account's API tokens, as a change through allauth's pages does (accounts/receivers.py)."""

    def save(self, commit=True):
        user = super().save(commit=commit)
        if commit:
            api_tokens_revoke_all(user=user, reason="password changed in the admin")
        return user


@admin.register(User)
class UserAdmin(AdminInputGuard, BaseUserAdmin):
    change_password_form = PasswordChangeRevokingTokensForm
    ordering = ("-date_joined",)
    list_display = ("email", "display_name", "is_active", "is_staff", "date_joined", "last_login")
    list_filter = ("is_active", "is_staff", "is_superuser", "groups", "date_joined")
    search_fields = ("email", "display_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (gettext_lazy("Profile"), {"fields": ("display_name", "first_name", "last_name")}),
        (
            gettext_lazy("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (gettext_lazy("Dates"), {"fields": ("last_login", "date_joined", "erased_at")}),
    )
    # What a site moderator sees (read-only): no password, flags, groups or permissions.
    moderator_fieldsets = (
        (None, {"fields": ("email", "display_name", "is_active")}),
        (gettext_lazy("Dates"), {"fields": ("last_login", "date_joined", "erased_at")}),
    )
    moderator_list_display = ("email", "display_name", "is_active", "date_joined", "last_login")
    moderator_list_filter = ("is_active", "date_joined")
    readonly_fields = ("last_login", "date_joined", "erased_at")
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    actions = ["block_accounts"]

    def get_fieldsets(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return self.moderator_fieldsets

    def get_list_display(self, request):
        if request.user.is_superuser:
            return self.list_display
        return self.moderator_list_display

    def get_list_filter(self, request):
        if request.user.is_superuser:
            return self.list_filter
        return self.moderator_list_filter

    def lookup_allowed(self, lookup, value, request=None):
        if not (request and request.user.is_superuser) and lookup.startswith(POWER_LOOKUPS):
            return False
        return super().lookup_allowed(lookup, value, request)

    def has_module_permission(self, request):
        return can_look_up_accounts(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return can_look_up_accounts(request.user) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_add_permission(self, request):
        return request.user.is_superuser and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False  # accounts are erased (accounts.services.account_erase), never deleted

    def has_block_permission(self, request):
        return is_moderator(request.user) and self.has_view_permission(request)

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    @admin.action(
        description=gettext_lazy("Block selected accounts (they can no longer log in)"),
        permissions=["block"],
    )
    def block_accounts(self, request, queryset):
        if "apply" in request.POST:
            form = BlockAccountsForm(request.POST)
            if form.is_valid():
                count = 0
                for user in queryset.filter(is_active=True):
                    try:
                        services.user_block(
                            user=user, moderator=request.user, reason=form.cleaned_data["reason"]
                        )
                    except ApplicationError as error:
                        self.message_user(
                            request,
                            _("%(account)s: %(error)s")
                            % {"account": user.email, "error": error.message},
                            messages.ERROR,
                        )
                        continue
                    count += 1
                self.message_user(request, _("%(count)d accounts blocked.") % {"count": count})
                return None
        else:
            form = BlockAccountsForm()
        return render(
            request,
            "admin/accounts/block_accounts.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Block accounts"),
                "accounts": queryset,
                "form": form,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


# -- the screens that grant powers: superusers only ----------------------------------------

SUPERUSER_ONLY_MODELS = (
    "auth.group",  # groups carry permissions
    "auth.permission",
    "sites.site",  # the domain of every link sent by email
    "authtoken.token",  # a token is a login as its owner
    "authtoken.tokenproxy",
    "account.emailaddress",  # a verified address is a way into the account
    "accounts.apitoken",
)


class SuperuserOnlyAdminMixin(AdminInputGuard):
    def has_module_permission(self, request):
        return request.user.is_superuser and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_add_permission(self, request, *args):
        return request.user.is_superuser and super().has_add_permission(request, *args)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


def restrict_to_superusers(site: admin.AdminSite, labels=SUPERUSER_ONLY_MODELS) -> None:
    """Register again, for superusers only, the admins of `labels` that other apps
    registered (whatever apps are installed: a missing one is skipped)."""
    for model, model_admin in list(site._registry.items()):
        if model._meta.label_lower not in labels or isinstance(
            model_admin, SuperuserOnlyAdminMixin
        ):
            continue
        restricted = type(
            f"SuperuserOnly{type(model_admin).__name__}",
            (SuperuserOnlyAdminMixin, type(model_admin)),
            {"__module__": __name__},
        )
        site.unregister(model)
        site.register(model, restricted)


# The apps that register these (auth, sites, rest_framework.authtoken, allauth.account)
# come before `accounts` in INSTALLED_APPS, so their admins exist by now.
restrict_to_superusers(admin.site)
