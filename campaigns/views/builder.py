"""The step-by-step campaign builder.

/campaigns/new/ (public.campaign_create hands over to `draft_new`) asks for the basics and
creates a draft; then each step has its own page, /campaigns/<slug>/build/<step>/. "Save and
continue" posts the step's form (with htmx, the response is the next step's body, the side
nav swapped out of band and the address pushed; without JavaScript, a redirect), and the
last step, "preview", launches through lifecycle.campaign_launch.

Who may: `can_create_campaign_for_brand` for a new draft, `can_edit_campaign` for every step
(drafts and scheduled campaigns), `can_launch_campaign` to launch. Anyone else gets a 404
if they may not even see the campaign, a 403 otherwise, and nothing is saved. Schedules
are entered and shown in the brand's time zone."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from campaigns import builder as services
from campaigns import rules as campaign_rules
from campaigns.forms import (
    MARKDOWN_MAX,
    BasicsForm,
    BriefForm,
    CandidateForm,
    FormatForm,
    ModerationForm,
    PresetForm,
    RewardsForm,
    RulesForm,
    ScheduleForm,
    TermsForm,
)
from campaigns.lifecycle import campaign_launch
from campaigns.models import Campaign
from campaigns.presets import PRESETS, brand_enters_candidates
from core.errors import ApplicationError
from core.forms import apply_service_error
from core.markdown import render_markdown
from ideas.models import Idea

STEP_TARGET = "builder-step"
PREVIEW_SOURCES = ("brief", "rules", "ip_terms", "confidentiality")


# -- access --------------------------------------------------------------------------------


def _campaign_for_edit(request, slug: str) -> Campaign:
    campaign = get_object_or_404(Campaign.objects.select_related("brand"), slug=slug)
    if not campaign_rules.can_edit_campaign(request.user, campaign):
        if not campaign_rules.can_view_campaign(request.user, campaign):
            raise Http404
        raise PermissionDenied(_("Only the brand's owners and managers can edit this campaign."))
    return campaign


def _step_url(campaign: Campaign, key: str) -> str:
    return reverse("campaigns:build_step", kwargs={"slug": campaign.slug, "step": key})


def _is_step_swap(request) -> bool:
    return bool(request.htmx) and request.htmx.target == STEP_TARGET


# -- the steps' forms and saves ------------------------------------------------------------


def _candidates(campaign: Campaign) -> list[Idea]:
    return list(
        Idea.objects.filter(campaign=campaign, is_candidate=True).order_by("created_at", "id")
    )


def _live_preview(form, campaign: Campaign):
    """Markdown fields re-render their preview (htmx) as the brand types."""
    url = reverse("campaigns:build_markdown_preview", kwargs={"slug": campaign.slug})
    for name in PREVIEW_SOURCES:
        if name in form.fields:
            form.fields[name].widget.attrs.update(
                {
                    "hx-post": f"{url}?source={name}",
                    "hx-trigger": "input changed delay:400ms",
                    "hx-target": f"#preview-{name}",
                    "hx-swap": "innerHTML",
                }
            )
    return form


def _add_form(data=None, files=None) -> CandidateForm:
    return CandidateForm(data, files, auto_id="add-candidate-%s")


def _edit_form(data=None, files=None, **kwargs) -> CandidateForm:
    return CandidateForm(data, files, auto_id="edit-candidate-%s", **kwargs)


def _form(request, campaign: Campaign, key: str, data=None, files=None):
    """The step's form, bound to `data` if given."""
    if key in ("brief", "rules", "terms"):
        return _live_preview(_plain_form(request, campaign, key, data, files), campaign)
    return _plain_form(request, campaign, key, data, files)


def _plain_form(request, campaign: Campaign, key: str, data=None, files=None):
    if key == "basics":
        return BasicsForm(
            data, files, brands=services.brands_for_builder(user=request.user),
            has_cover=bool(campaign.cover_image),
            initial={"brand": campaign.brand_id, "title": campaign.title},
        )  # fmt: skip
    if key == "brief":
        return BriefForm(data, initial={"brief": campaign.brief})
    if key == "rules":
        return RulesForm(
            data,
            initial={
                "rules": campaign.rules,
                "minimum_account_age_days": campaign.minimum_account_age_days,
                "is_invitation_only": campaign.is_invitation_only,
                "invited_participants": campaign.invited_participants,
            },
        )
    if key == "terms":
        terms = services.terms_current(campaign=campaign)
        return TermsForm(
            data,
            initial={
                "ip_terms": terms.ip_terms if terms else "",
                "confidentiality": terms.confidentiality if terms else "",
                "is_private": campaign.is_private,
            },
        )
    if key == "schedule":
        return ScheduleForm(
            data,
            accepts_ideas=not brand_enters_candidates(campaign),
            initial={name: getattr(campaign, name) for name in services.SCHEDULE_FIELDS},
        )
    if key == "format":
        return FormatForm(data, initial=FormatForm.initial_for(campaign))
    if key == "moderation":
        return ModerationForm(data, initial={"moderation": campaign.moderation})
    if key == "rewards":
        prizes = [
            {"rank": prize.rank, "title": prize.title, "description": prize.description}
            for prize in campaign.prizes.order_by("rank")
        ]
        return RewardsForm(data, initial=RewardsForm.initial_for(campaign), prizes_initial=prizes)
    return forms.Form(data)  # candidates (saved one by one) and preview: nothing to post


def _save(request, campaign: Campaign, key: str, form) -> Campaign:
    """Hand the step's cleaned data to its service (which may refuse)."""
    data, actor = form.cleaned_data, request.user
    if key == "basics":
        return services.campaign_basics_update(
            campaign=campaign, actor=actor, brand=data["brand"], title=data["title"],
            cover_image=data.get("cover_image"),
            remove_cover_image=data.get("remove_cover_image", False),
        )  # fmt: skip
    if key == "brief":
        return services.campaign_brief_update(campaign=campaign, actor=actor, brief=data["brief"])
    if key == "rules":
        return services.campaign_rules_update(campaign=campaign, actor=actor, **data)
    if key == "terms":
        campaign, _terms, _created = services.campaign_terms_update(
            campaign=campaign, actor=actor, **data
        )
        return campaign
    if key == "schedule":
        return services.campaign_schedule_update(
            campaign=campaign, actor=actor,
            submission_opens_at=data.get("submission_opens_at"),
            submission_closes_at=data.get("submission_closes_at"),
            voting_opens_at=data["voting_opens_at"], voting_closes_at=data["voting_closes_at"],
            results_at=data.get("results_at"),
        )  # fmt: skip
    if key == "format":
        return services.campaign_format_update(
            campaign=campaign, actor=actor, voting_method=data["voting_method"],
            ranked_method=data["ranked_method"],
            max_votes_per_voter=data.get("max_votes_per_voter"),
            budget_amount=data.get("budget_amount"), support_stages=data["support_stages"],
            results_embargo=data["results_embargo"],
            candidates_from_brand=data["candidates_from"] == FormatForm.BRAND,
        )  # fmt: skip
    if key == "moderation":
        return services.campaign_moderation_update(
            campaign=campaign, actor=actor, moderation=data["moderation"]
        )
    if key == "rewards":
        return services.campaign_rewards_update(
            campaign=campaign, actor=actor, points=form.points(), prizes=form.prizes.rows()
        )
    return campaign


def _step_context(request, campaign: Campaign, key: str) -> dict:
    if key == "basics":
        return {"cover_image": campaign.cover_image}
    if key == "brief":
        return {"previews": {"brief": campaign.brief_html}}
    if key == "rules":
        return {"previews": {"rules": campaign.rules_html}}
    if key == "terms":
        terms = services.terms_current(campaign=campaign)
        previews = {
            "ip_terms": terms.ip_terms_html if terms else "",
            "confidentiality": terms.confidentiality_html if terms else "",
        }
        return {"terms": terms, "previews": previews}
    if key == "format":
        return {"presets": PRESETS.values()}
    if key == "candidates":
        return {"candidates": _candidates(campaign), "add_form": _add_form()}
    if key == "preview":
        return {
            "terms": services.terms_current(campaign=campaign),
            "prizes": list(campaign.prizes.order_by("rank")),
            "candidates": _candidates(campaign),
            "presets": PRESETS,
        }
    return {}


# -- rendering -----------------------------------------------------------------------------


def _render_step(
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
    zone = services.brand_zone(campaign.brand)
    with timezone.override(zone):
        steps, problems = services.builder_status(campaign)
        context = {
            "campaign": campaign,
            "steps": steps,
            "problems": problems,
            "step": key,
            "step_label": next(step.label for step in steps if step.key == key),
            "step_applies": services.step_applies(campaign, key),
            "step_url": _step_url(campaign, key),
            "form": form,
            "zone": zone.key,
            "saved": saved,
            "error": error,
            "step_template": f"campaigns/builder/steps/{key}.html",
            **_step_context(request, campaign, key),
            **(extra or {}),
        }
        template = (
            "campaigns/builder/_swap.html"
            if _is_step_swap(request)
            else "campaigns/builder/page.html"
        )
        return render(request, template, context, status=status)


def _continue(request, campaign: Campaign, key: str):
    """After a step is saved: the next step (swapped in, or by redirect)."""
    following = services.next_step(campaign, key)
    label = next(step.label for step in services.STEPS if step.key == key)
    url = _step_url(campaign, following)
    if _is_step_swap(request):
        response = _render_step(
            request, campaign, following, _form(request, campaign, following),
            saved=_("Saved: %(step)s.") % {"step": label},
        )  # fmt: skip
        response["HX-Push-Url"] = url
        return response
    messages.success(request, _("Saved: %(step)s.") % {"step": label})
    return redirect(url)


# -- views ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def draft_new(request):
    """Step 1 for a new campaign: brand, title, cover; creates the draft. Also lists the
    user's drafts and scheduled campaigns."""
    if not campaign_rules.can_create_any_campaign(request.user):
        raise PermissionDenied(_("Only verified brand owners and managers can create campaigns."))
    brands = services.brands_for_builder(user=request.user)
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
    steps, _problems = services.builder_status(None)
    context = {
        "form": form,
        "steps": steps,
        "step": "basics",
        "drafts": list(services.builder_drafts(user=request.user)),
        "step_template": "campaigns/builder/steps/new.html",
    }
    template = (
        "campaigns/builder/_swap.html" if _is_step_swap(request) else "campaigns/builder/start.html"
    )
    return render(request, template, context)


@login_required
@require_safe
def build(request, slug: str):
    """The builder's entry for a campaign: its first step that needs work."""
    campaign = _campaign_for_edit(request, slug)
    steps, _problems = services.builder_status(campaign)
    for step in steps:
        if step.applies and not step.is_complete:
            return redirect(_step_url(campaign, step.key))
    return redirect(_step_url(campaign, "preview"))


@login_required
@require_http_methods(["GET", "POST"])
def build_step(request, slug: str, step: str):
    if step not in services.STEP_KEYS:
        raise Http404
    campaign = _campaign_for_edit(request, slug)
    if request.method == "GET":
        return _render_step(request, campaign, step, _form(request, campaign, step))
    if step == "preview":
        return _launch(request, campaign)
    if step == "format" and "preset" in request.POST:
        return _apply_preset(request, campaign)
    zone = services.brand_zone(campaign.brand)
    with timezone.override(zone):  # dates typed in the brand's time zone
        form = _form(request, campaign, step, request.POST, request.FILES)
        if form.is_valid():
            try:
                saved = _save(request, campaign, step, form)
            except ApplicationError as error:
                if error.status_code == 403:
                    raise PermissionDenied(error.message) from None
                apply_service_error(form, error)
            else:
                return _continue(request, saved, step)
    return _render_step(request, campaign, step, form)


def _apply_preset(request, campaign: Campaign):
    chooser = PresetForm(request.POST)
    if chooser.is_valid():
        try:
            campaign = services.campaign_preset_apply(
                campaign=campaign, actor=request.user, preset=chooser.cleaned_data["preset"]
            )
        except ApplicationError as error:
            if error.status_code == 403:
                raise PermissionDenied(error.message) from None
            return _render_step(
                request, campaign, "format", _form(request, campaign, "format"),
                error=error.message, status=error.status_code,
            )  # fmt: skip
        preset = PRESETS[chooser.cleaned_data["preset"]]
        return _render_step(
            request, campaign, "format", _form(request, campaign, "format"),
            saved=_("Format applied: %(preset)s. Adjust the settings below, then save.")
            % {"preset": preset.label},
        )  # fmt: skip
    return _render_step(
        request, campaign, "format", _form(request, campaign, "format"),
        error=_("Choose one of the formats."), status=400,
    )  # fmt: skip


def _launch(request, campaign: Campaign):
    """The preview's Launch button. The service re-checks everything; its refusal is
    shown on the preview."""
    if not campaign_rules.can_launch_campaign(request.user, campaign):
        return _render_step(
            request, campaign, "preview", None,
            error=_("This campaign has already been launched."), status=409,
        )  # fmt: skip
    try:
        campaign = campaign_launch(campaign=campaign, actor=request.user)
    except ApplicationError as error:
        if error.status_code == 403:
            raise PermissionDenied(error.message) from None
        return _render_step(
            request, campaign, "preview", None, error=error.message, status=error.status_code
        )
    messages.success(request, _launched_message(campaign))
    if request.htmx:
        return HttpResponseClientRedirect(campaign.get_absolute_url())
    return redirect(campaign)


def _launched_message(campaign: Campaign) -> str:
    def when(moment) -> str:
        zone = services.brand_zone(campaign.brand)
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
    campaign = _campaign_for_edit(request, slug)
    source = request.GET.get("source", "")
    if source not in PREVIEW_SOURCES:
        return HttpResponseBadRequest(_("Unknown field."))
    del campaign
    html = render_markdown(request.POST.get(source, "")[:MARKDOWN_MAX])
    if not html:
        html = '<p class="muted">{}</p>'.format(_("Nothing to preview yet."))
    return HttpResponse(html)


# -- candidates ----------------------------------------------------------------------------


def _render_candidates(
    request, campaign, *, add_form=None, edit_form=None, editing=None, error="", status=200
):
    extra = {
        "add_form": add_form or _add_form(),
        "edit_form": edit_form,
        "editing": editing,
        "candidates_error": error,
    }
    if request.htmx and request.htmx.target == "candidates":
        context = {"campaign": campaign, "candidates": _candidates(campaign), **extra}
        return render(request, "campaigns/builder/_candidates.html", context, status=status)
    extra["candidates_error"] = ""  # shown once, as the step's error
    return _render_step(
        request, campaign, "candidates", _form(request, campaign, "candidates"),
        error=error, status=status, extra=extra,
    )  # fmt: skip


def _candidate_done(request, campaign, message: str):
    if request.htmx and request.htmx.target == "candidates":
        return _render_candidates(request, campaign)
    messages.success(request, message)
    return redirect(_step_url(campaign, "candidates"))


@login_required
@require_POST
def candidate_add(request, slug: str):
    campaign = _campaign_for_edit(request, slug)
    form = _add_form(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.candidate_add(
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
    campaign = _campaign_for_edit(request, slug)
    idea = _candidate_or_404(campaign, idea_id)
    has_image = bool(idea.image)
    if request.method == "GET":
        form = _edit_form(
            has_image=has_image, initial={"title": idea.title, "description": idea.body}
        )
        return _render_candidates(request, campaign, edit_form=form, editing=idea)
    form = _edit_form(request.POST, request.FILES, has_image=has_image)
    if form.is_valid():
        try:
            services.candidate_update(
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
    campaign = _campaign_for_edit(request, slug)
    idea = _candidate_or_404(campaign, idea_id)
    try:
        services.candidate_remove(campaign=campaign, actor=request.user, idea_id=idea.pk)
    except ApplicationError as error:
        if error.status_code == 403:
            raise PermissionDenied(error.message) from None
        return _render_candidates(request, campaign, error=error.message, status=error.status_code)
    return _candidate_done(request, campaign, _("Candidate removed."))


urlpatterns = [
    path("campaigns/<slug:slug>/build/", build, name="build"),
    path(
        "campaigns/<slug:slug>/build/markdown-preview/",
        markdown_preview,
        name="build_markdown_preview",
    ),
    path("campaigns/<slug:slug>/build/candidates/add/", candidate_add, name="build_candidate_add"),
    path(
        "campaigns/<slug:slug>/build/candidates/<int:idea_id>/edit/",
        candidate_edit,
        name="build_candidate_edit",
    ),
    path(
        "campaigns/<slug:slug>/build/candidates/<int:idea_id>/remove/",
        candidate_remove,
        name="build_candidate_remove",
    ),
    path("campaigns/<slug:slug>/build/<slug:step>/", build_step, name="build_step"),
]
