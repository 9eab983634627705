"""Each builder step's form (bound or not), its save through the step's service, and
what its template needs besides the form."""

from __future__ import annotations

from django import forms
from django.urls import reverse

from builder import format_step, services
from builder import steps as builder_steps
from builder.editing import SCHEDULE_FIELDS
from builder.forms import (
    BasicsForm,
    BriefForm,
    CandidateForm,
    FormatForm,
    ModerationForm,
    RewardsForm,
    RulesForm,
    ScheduleForm,
    TermsForm,
)
from builder.presets import PRESETS, brand_enters_candidates
from campaigns.models import Campaign
from ideas.models import Idea

PREVIEW_SOURCES = ("brief", "rules", "ip_terms", "confidentiality")


def candidate_list(campaign: Campaign) -> list[Idea]:
    return list(
        Idea.objects.filter(campaign=campaign, is_candidate=True).order_by("created_at", "id")
    )


def _live_preview(form, campaign: Campaign):
    """Markdown fields re-render their preview (htmx) as the brand types."""
    url = reverse("builder:build_markdown_preview", kwargs={"slug": campaign.slug})
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


def new_candidate_form(data=None, files=None) -> CandidateForm:
    return CandidateForm(data, files, auto_id="add-candidate-%s")


def candidate_edit_form(data=None, files=None, **kwargs) -> CandidateForm:
    return CandidateForm(data, files, auto_id="edit-candidate-%s", **kwargs)


def step_form(request, campaign: Campaign, key: str, data=None, files=None):
    """The step's form, bound to `data` if given."""
    if key in ("brief", "rules", "terms"):
        return _live_preview(_plain_form(request, campaign, key, data, files), campaign)
    return _plain_form(request, campaign, key, data, files)


def _plain_form(request, campaign: Campaign, key: str, data=None, files=None):
    if key == "basics":
        return BasicsForm(
            data, files, brands=builder_steps.brands_for_builder(user=request.user),
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
            initial={name: getattr(campaign, name) for name in SCHEDULE_FIELDS},
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


def step_save(request, campaign: Campaign, key: str, form) -> Campaign:
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
        return format_step.campaign_format_update(
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


def step_context(request, campaign: Campaign, key: str) -> dict:
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
        return {"candidates": candidate_list(campaign), "add_form": new_candidate_form()}
    if key == "preview":
        return {
            "terms": services.terms_current(campaign=campaign),
            "prizes": list(campaign.prizes.order_by("rank")),
            "candidates": candidate_list(campaign),
            "presets": PRESETS,
        }
    return {}
