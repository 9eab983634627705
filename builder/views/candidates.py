"""The builder's candidates step: add, edit and remove the candidates of an election
whose candidates the brand enters (htmx swaps the list, or the whole step is shown)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from builder import candidates as candidate_services
from builder.views.access import campaign_for_edit, step_url
from builder.views.step_forms import (
    candidate_edit_form,
    candidate_list,
    new_candidate_form,
    step_form,
)
from builder.views.steps import render_step
from campaigns.models import Campaign
from core.errors import ApplicationError
from core.forms import apply_service_error
from ideas.models import Idea


def _render_candidates(
    request, campaign, *, add_form=None, edit_form=None, editing=None, error="", status=200
):
    extra = {
        "add_form": add_form or new_candidate_form(),
        "edit_form": edit_form,
        "editing": editing,
        "candidates_error": error,
    }
    if request.htmx and request.htmx.target == "candidates":
        context = {"campaign": campaign, "candidates": candidate_list(campaign), **extra}
        return render(request, "builder/_candidates.html", context, status=status)
    extra["candidates_error"] = ""  # shown once, as the step's error
    return render_step(
        request, campaign, "candidates", step_form(request, campaign, "candidates"),
        error=error, status=status, extra=extra,
    )  # fmt: skip


def _candidate_done(request, campaign, message: str):
    if request.htmx and request.htmx.target == "candidates":
        return _render_candidates(request, campaign)
    messages.success(request, message)
    return redirect(step_url(campaign, "candidates"))


@login_required
@require_POST
def candidate_add(request, slug: str):
    campaign = campaign_for_edit(request, slug)
    form = new_candidate_form(request.POST, request.FILES)
    if form.is_valid():
        try:
            candidate_services.candidate_add(
                campaign=campaign, actor=request.user, title=form.cleaned_data["title"],
                description=form.cleaned_data["description"], image=form.cleaned_data["image"],
            )  # fmt: skip
        except ApplicationError as error:
            if error.status_code == 403:
                raise PermissionDenied(error.message) from None
            if error.field not in form.fields:  # a refusal of the whole action
                return _render_candidates(
                    request, campaign, add_form=form, error=error.message,
                    status=error.status_code,
                )  # fmt: skip
            apply_service_error(form, error)
        else:
            return _candidate_done(request, campaign, _("Candidate added."))
    return _render_candidates(request, campaign, add_form=form)


def _candidate_or_404(campaign: Campaign, idea_id: int) -> Idea:
    return get_object_or_404(Idea, pk=idea_id, campaign=campaign, is_candidate=True)


@login_required
@require_http_methods(["GET", "POST"])
def candidate_edit(request, slug: str, idea_id: int):
    campaign = campaign_for_edit(request, slug)
    idea = _candidate_or_404(campaign, idea_id)
    has_image = bool(idea.image)
    if request.method == "GET":
        form = candidate_edit_form(
            has_image=has_image, initial={"title": idea.title, "description": idea.body}
        )
        return _render_candidates(request, campaign, edit_form=form, editing=idea)
    form = candidate_edit_form(request.POST, request.FILES, has_image=has_image)
    if form.is_valid():
        try:
            candidate_services.candidate_update(
                campaign=campaign, actor=request.user, idea_id=idea.pk,
                title=form.cleaned_data["title"], description=form.cleaned_data["description"],
                image=form.cleaned_data["image"],
                remove_image=form.cleaned_data.get("remove_image", False),
            )  # fmt: skip
        except ApplicationError as error:
            if error.status_code == 403:
                raise PermissionDenied(error.message) from None
            if error.field not in form.fields:
                return _render_candidates(
                    request, campaign, edit_form=form, editing=idea, error=error.message,
                    status=error.status_code,
                )  # fmt: skip
            apply_service_error(form, error)
        else:
            return _candidate_done(request, campaign, _("Candidate saved."))
    return _render_candidates(request, campaign, edit_form=form, editing=idea)


@login_required
@require_POST
def candidate_remove(request, slug: str, idea_id: int):
    campaign = campaign_for_edit(request, slug)
    idea = _candidate_or_404(campaign, idea_id)
    try:
        candidate_services.candidate_remove(campaign=campaign, actor=request.user, idea_id=idea.pk)
    except ApplicationError as error:
        if error.status_code == 403:
            raise PermissionDenied(error.message) from None
        return _render_candidates(request, campaign, error=error.message, status=error.status_code)
    return _candidate_done(request, campaign, _("Candidate removed."))
