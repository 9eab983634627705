"""The account's API tokens page: list, create, rotate, revoke (accounts/tokens.py decides).

Only the owner sees and acts on their tokens: every query is scoped to `request.user`, and
someone else's token id answers 404, as an unknown one. A new secret is shown once, in the
answer to the POST that made it (never stored, never put in the session or a message); the
answers are marked `no-store`. With htmx, the forms swap the `#api-tokens` section (the
page is the same with and without JavaScript; the confirmations need JavaScript)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts import tokens
from accounts.token_forms import ApiTokenCreateForm
from core.errors import ApplicationError
from core.forms import apply_service_error

TOKENS_PER_PAGE = 50


def _tokens_page(request, *, form=None, new_token=None, secret=None, notice=None, status=200):
    page = Paginator(tokens.api_tokens_of(user=request.user), TOKENS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "accounts/tokens.html",
        {
            "page": page,
            "form": form or ApiTokenCreateForm(),
            "new_token": new_token,
            "secret": secret,
            "notice": notice,
            "active_max": tokens.tokens_active_max(),
        },
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def api_token_list(request):
    if request.method != "POST":
        return _tokens_page(request)
    form = ApiTokenCreateForm(request.POST)
    if form.is_valid():
        try:
            token, secret = tokens.api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                expires_in_days=form.cleaned_data["expires_in_days"],
            )
        except ApplicationError as error:
            apply_service_error(form, error)
        else:
            return _tokens_page(request, new_token=token, secret=secret)
    return _tokens_page(request, form=form, status=400)


@never_cache
@login_required
@require_POST
def api_token_rotate(request, pk: int):
    try:
        token, secret = tokens.api_token_rotate(user=request.user, token_id=pk)
    except tokens.TokenNotFound:
        raise Http404 from None
    except ApplicationError as error:
        return _tokens_page(request, notice=error.message, status=error.status_code)
    return _tokens_page(request, new_token=token, secret=secret)


@never_cache
@login_required
@require_POST
def api_token_revoke(request, pk: int):
    try:
        token = tokens.api_token_revoke(user=request.user, token_id=pk)
    except tokens.TokenNotFound:
        raise Http404 from None
    return _tokens_page(
        request, notice=_("The token “%(name)s” is revoked.") % {"name": token.name}
    )
