"""A person's own account pages: their name, the download of their data, and the
deletion (erasure) of their account. The rules live in accounts.services; these views
only ask and show."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts import selectors, services
from accounts.forms import AccountDeleteForm, DisplayNameForm
from brands import team
from core.errors import ApplicationError
from core.forms import apply_service_error


def _account_page(request, *, name_form=None, status=200):
    return render(
        request,
        "accounts/account.html",
        {
            "name_form": name_form
            or DisplayNameForm(initial={"display_name": request.user.display_name})
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_detail(request):
    """The account page: the public name (changeable), and the ways to download one's data
    and to delete the account."""
    if request.method == "GET":
        return _account_page(request)
    form = DisplayNameForm(request.POST)
    if form.is_valid():
        try:
            services.account_display_name_set(
                user=request.user, display_name=form.cleaned_data["display_name"]
            )
        except ApplicationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("Your name is updated."))
            return redirect("accounts:detail")
    return _account_page(request, name_form=form, status=400)


def export_response(user) -> HttpResponse:
    """The account's data as a JSON file to download (pages and API alike)."""
    body = json.dumps(selectors.account_export(user=user), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = selectors.account_export_filename(user=user)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def account_export(request):
    return export_response(request.user)


def _delete_page(request, *, form, error=None, status=200):
    return render(
        request,
        "accounts/delete.html",
        {
            "form": form,
            "brands_needing_owner": team.brands_needing_another_owner(user=request.user),
            "delete_error": error,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request):
    """Ask for the current password and an explicit confirmation, then erase the account
    (accounts.services.account_erase), log out and say goodbye. The last owner of a brand
    is told to name another owner first; nothing changes."""
    if request.method == "GET":
        return _delete_page(request, form=AccountDeleteForm(request=request))
    form = AccountDeleteForm(request.POST, request=request)
    if not form.is_valid():
        if form.rate_limited is not None:
            response = _delete_page(request, form=form, status=429)
            response["Retry-After"] = str(form.rate_limited.retry_after)
            return response
        return _delete_page(request, form=form, status=400)
    try:
        services.account_erase(user=request.user, requested_by=request.user)
    except ApplicationError as error:
        return _delete_page(
            request,
            form=AccountDeleteForm(request=request),
            error=error.message,
            status=error.status_code,
        )
    logout(request)
    return redirect("accounts:deleted")


@require_GET
def account_deleted(request):
    return render(request, "accounts/deleted.html")
