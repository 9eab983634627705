"""The builder's step pages: a new draft, each step (shown, saved, continued), the
format presets, the markdown preview and the launch."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from brands import rules as brand_rules
from builder import format_step, services
from builder import steps as builder_steps
from builder.editing import brand_zone
from builder.forms import MARKDOWN_MAX, BasicsForm, PresetForm
from builder.presets import PRESETS
from builder.views.access import campaign_for_edit, is_step_swap, step_url
from builder.views.step_forms import PREVIEW_SOURCES, step_context, step_form, step_save
from campaigns import rules as campaign_rules
from campaigns.lifecycle import campaign_launch
from campaigns.models import Campaign
from core.errors import ApplicationError
from core.forms import apply_service_error
from core.markdown import render_markdown


def render_step(
    request,
    campaign: Campaign,
    key: str,
    form,
    *,
    saved: str = "",
    error: str = "",
    status: int = 200,
    extra: dict | None = None,
):
    """The step page (a full page, or its body and the nav for an htmx swap), rendered
    in the brand's time zone."""
    zone = brand_zone(campaign.brand)
    with timezone.override(zone):
        steps, problems = builder_steps.builder_status(campaign)
        context = {
            "campaign": campaign,
            "steps": steps,
            "problems": problems,
            "step": key,
            "step_label": next(step.label for step in steps if step.key == key),
            "step_applies": builder_steps.step_applies(campaign, key),
            "step_url": step_url(campaign, key),
            "form": form,
            "zone": zone.key,
            "saved": saved,
            "error": error,
            "step_template": f"builder/steps/{key}.html",
            **step_context(request, campaign, key),
            **(extra or {}),
        }
        template = "builder/_swap.html" if is_step_swap(request) else "builder/page.html"
        return render(request, template, context, status=status)


def _continue(request, campaign: Campaign, key: str):
    """After a step is saved: the next step (swapped in, or by redirect)."""
    following = builder_steps.next_step(campaign, key)
    label = next(step.label for step in builder_steps.STEPS if step.key == key)
    url = step_url(campaign, following)
    if is_step_swap(request):
        response = render_step(
            request, campaign, following, step_form(request, campaign, following),
            saved=_("Saved: %(step)s.") % {"step": label},
        )  # fmt: skip
        response["HX-Push-Url"] = url
        return response
    messages.success(request, _("Saved: %(step)s.") % {"step": label})
    return redirect(url)


@login_required
@require_http_methods(["GET", "POST"])
def draft_new(request):
    """Step 1 for a new campaign: brand, title, cover; creates the draft. Also lists the
    user's drafts and scheduled campaigns."""
    if not brand_rules.can_create_any_campaign(request.user):
        raise PermissionDenied(_("Only verified brand owners and managers can create campaigns."))
    brands = builder_steps.brands_for_builder(user=request.user)
    brand_list = list(brands)
    initial = {"brand": brand_list[0].pk} if len(brand_list) == 1 else {}
    form = BasicsForm(request.POST or None, request.FILES or None, brands=brands, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.draft_create(
                actor=request.user, brand=form.cleaned_data["brand"],
                title=form.cleaned_data["title"], cover_image=form.cleaned_data.get("cover_image"),
            )  # fmt: skip
        except ApplicationError as error:
            apply_service_error(form, error)
        else:
            return _continue(request, campaign, "basics")
    steps, _problems = builder_steps.builder_status(None)
    context = {
        "form": form,
        "steps": steps,
        "step": "basics",
        "drafts": list(builder_steps.builder_drafts(user=request.user)),
        "step_template": "builder/steps/new.html",
    }
    template = "builder/_swap.html" if is_step_swap(request) else "builder/start.html"
    return render(request, template, context)


@login_required
@require_safe
def build(request, slug: str):
    """The builder's entry for a campaign: its first step that needs work."""
    campaign = campaign_for_edit(request, slug)
    steps, _problems = builder_steps.builder_status(campaign)
    for step in steps:
        if step.applies and not step.is_complete:
            return redirect(step_url(campaign, step.key))
    return redirect(step_url(campaign, "preview"))


@login_required
@require_http_methods(["GET", "POST"])
def build_step(request, slug: str, step: str):
    if step not in builder_steps.STEP_KEYS:
        raise Http404
    campaign = campaign_for_edit(request, slug)
    if request.method == "GET":
        return render_step(request, campaign, step, step_form(request, campaign, step))
    if step == "preview":
        return _launch(request, campaign)
    if step == "format" and "preset" in request.POST:
        return _apply_preset(request, campaign)
    zone = brand_zone(campaign.brand)
    with timezone.override(zone):  # dates typed in the brand's time zone
        form = step_form(request, campaign, step, request.POST, request.FILES)
        if form.is_valid():
            try:
                saved = step_save(request, campaign, step, form)
            except ApplicationError as error:
                if error.status_code == 403:
                    raise PermissionDenied(error.message) from None
                apply_service_error(form, error)
            else:
                return _continue(request, saved, step)
    return render_step(request, campaign, step, form)


def _apply_preset(request, campaign: Campaign):
    chooser = PresetForm(request.POST)
    if chooser.is_valid():
        try:
            campaign = format_step.campaign_preset_apply(
                campaign=campaign, actor=request.user, preset=chooser.cleaned_data["preset"]
            )
        except ApplicationError as error:
            if error.status_code == 403:
                raise PermissionDenied(error.message) from None
            return render_step(
                request, campaign, "format", step_form(request, campaign, "format"),
                error=error.message, status=error.status_code,
            )  # fmt: skip
        preset = PRESETS[chooser.cleaned_data["preset"]]
        return render_step(
            request, campaign, "format", step_form(request, campaign, "format"),
            saved=_("Format applied: %(preset)s. Adjust the settings below, then save.")
            % {"preset": preset.label},
        )  # fmt: skip
    return render_step(
        request, campaign, "format", step_form(request, campaign, "format"),
        error=_("Choose one of the formats."), status=400,
    )  # fmt: skip


def _launch(request, campaign: Campaign):
    """The preview's Launch button. The service re-checks everything; its refusal is
    shown on the preview."""
    if not campaign_rules.can_launch_campaign(request.user, campaign):
        return render_step(
            request, campaign, "preview", None,
            error=_("This campaign has already been launched."), status=409,
        )  # fmt: skip
    try:
        campaign = campaign_launch(campaign=campaign, actor=request.user)
    except ApplicationError as error:
        if error.status_code == 403:
            raise PermissionDenied(error.message) from None
        return render_step(
            request, campaign, "preview", None, error=error.message, status=error.status_code
        )
    messages.success(request, _launched_message(campaign))
    if request.htmx:
        return HttpResponseClientRedirect(campaign.get_absolute_url())
    return redirect(campaign)


def _launched_message(campaign: Campaign) -> str:
    def when(moment) -> str:
        zone = brand_zone(campaign.brand)
        local = timezone.localtime(moment, zone)
        return f"{formats.date_format(local, 'j F Y, H:i')} ({zone.key})"

    if campaign.state == Campaign.State.SCHEDULED:
        if campaign.accepts_ideas:
            return _("Scheduled: opens for ideas on %(when)s.") % {
                "when": when(campaign.submission_opens_at)
            }
        return _("Scheduled: voting opens on %(when)s.") % {"when": when(campaign.voting_opens_at)}
    return _("Launched: the campaign is open now.")


@login_required
@require_POST
def markdown_preview(request, slug: str):
    """What a markdown field will look like (htmx, as the brand types)."""
    campaign = campaign_for_edit(request, slug)
    source = request.GET.get("source", "")
    if source not in PREVIEW_SOURCES:
        return HttpResponseBadRequest(_("Unknown field."))
    del campaign
    html = render_markdown(request.POST.get(source, "")[:MARKDOWN_MAX])
    if not html:
        html = '<p class="muted">{}</p>'.format(_("Nothing to preview yet."))
    return HttpResponse(html)
