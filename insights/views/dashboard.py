"""The brand's dashboard of a campaign: figures derived by a worker (campaigns/stats.py),
the moderation queue, the ideas waiting for an answer. A fixed number of queries, whatever
the campaign's size: the page never counts votes."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from campaigns import rules as campaign_rules
from campaigns.models import Campaign
from core.errors import ApplicationError
from ideas import services as idea_services
from ideas.models import Idea
from ideas.selectors import idea_moderation_queue
from insights import selectors as insight_selectors
from insights import stats as campaign_stats
from insights.charts import chart_data
from insights.models import CampaignStats

PENDING_SHOWN = 20
# Figures older than this are refreshed when the page is read (the beat refreshes running
# campaigns every minute; this catches the others).
STALE_AFTER_SECONDS = 3600


def _dashboard_campaign(request, slug: str) -> Campaign:
    """The campaign if the user may read its dashboard; 404 if they may not even see the
    campaign, 403 otherwise."""
    campaign = get_object_or_404(Campaign.objects.select_related("brand"), slug=slug)
    if not campaign_rules.can_view_dashboard(request.user, campaign):
        if not campaign_rules.can_view_campaign(request.user, campaign):
            raise Http404
        raise PermissionDenied(_("Only the brand's team can see this campaign's dashboard."))
    return campaign


# -- the page ------------------------------------------------------------------------------


def _funnel(figures: dict) -> list[dict]:
    labels = {
        "visitors": _("Visitors of the campaign page"),
        "signups": _("Sign-ups from the campaign"),
        "voters": _("Voters"),
        "contributors": _("Contributors (idea authors)"),
    }
    steps = [(name, int(value)) for name, value in figures.get("funnel", [])]
    widest = max((value for _name, value in steps), default=0) or 1
    return [
        {
            "name": name,
            "label": labels.get(name, name),
            "count": value,
            "percent": round(100 * value / widest, 1),
        }
        for name, value in steps
    ]


def _exports_url(campaign: Campaign) -> str:
    return reverse("insights:exports", kwargs={"slug": campaign.slug})


def _render_dashboard(request, campaign: Campaign, *, action_error=None, status: int = 200):
    stats = CampaignStats.objects.filter(campaign=campaign).first()
    is_computing = False
    if stats is None:
        is_computing = True
        campaign_stats.campaign_stats_enqueue(campaign_id=campaign.pk)
    elif (timezone.now() - stats.computed_at).total_seconds() > STALE_AFTER_SECONDS:
        campaign_stats.campaign_stats_enqueue(campaign_id=campaign.pk)
    figures = stats.figures if stats else {}
    pending = list(idea_moderation_queue(campaign=campaign)[: PENDING_SHOWN + 1])
    unit_labels = {
        "votes": _("votes"),
        "ballots": _("ballots"),
        "answers": _("pairwise answers"),
    }
    unit = unit_labels.get(figures.get("vote_unit"), _("votes"))
    charts = []
    if stats:
        charts = [
            chart_data(
                figures.get("ideas_per_day", []),
                kind="bar",
                title=_("Ideas submitted per day"),
                unit=_("ideas"),
                chart_id="chart-ideas",
            ),
            chart_data(
                figures.get("votes_per_day", []),
                kind="line",
                title=_("%(unit)s per day") % {"unit": unit.capitalize()},
                unit=unit,
                chart_id="chart-votes",
            ),
            chart_data(
                figures.get("visitors_per_day", []),
                kind="line",
                title=_("Visitors per day"),
                unit=_("visitors"),
                chart_id="chart-visitors",
            ),
        ]
    can_export = campaign_rules.can_export_campaign(request.user, campaign)
    return render(
        request,
        "insights/dashboard/dashboard.html",
        {
            "campaign": campaign,
            "stats": stats,
            "figures": figures,
            "ideas_figures": figures.get("ideas", {}),
            "vote_unit": unit,
            "is_computing": is_computing,
            "funnel": _funnel(figures),
            "charts": charts,
            "top_ideas": insight_selectors.campaign_top_ideas(campaign=campaign, limit=10),
            "pending": pending[:PENDING_SHOWN],
            "has_more_pending": len(pending) > PENDING_SHOWN,
            "waiting": insight_selectors.campaign_ideas_waiting_for_answer(campaign=campaign),
            "can_moderate": campaign_rules.can_moderate_campaign(request.user, campaign),
            "can_export": can_export,
            "exports_url": _exports_url(campaign) if can_export else None,
            "action_error": action_error,
        },
        status=status,
    )


@require_GET
def campaign_dashboard(request, slug: str):
    campaign = _dashboard_campaign(request, slug)
    return _render_dashboard(request, campaign)


def _moderated_idea(request, slug: str, pk: int) -> tuple[Campaign, Idea]:
    campaign = _dashboard_campaign(request, slug)
    if not campaign_rules.can_moderate_campaign(request.user, campaign):
        raise PermissionDenied(_("Only the campaign's moderators can do this."))
    idea = get_object_or_404(Idea.objects.select_related("author"), pk=pk, campaign=campaign)
    idea.campaign = campaign
    return campaign, idea


@require_POST
def dashboard_idea_approve(request, slug: str, pk: int):
    campaign, idea = _moderated_idea(request, slug, pk)
    try:
        idea_services.idea_approve(idea=idea, moderator=request.user)
    except ApplicationError as error:
        return _render_dashboard(
            request,
            campaign,
            action_error={"idea_id": idea.pk, "message": error.message, "action": "approve"},
            status=error.status_code,
        )
    messages.success(request, _("“%(title)s” is published.") % {"title": idea.title})
    return redirect("insights:dashboard", slug=campaign.slug)


@require_POST
def dashboard_idea_hide(request, slug: str, pk: int):
    campaign, idea = _moderated_idea(request, slug, pk)
    try:
        idea_services.idea_hide(
            idea=idea, moderator=request.user, reason=request.POST.get("reason", "")[:2000]
        )
    except ApplicationError as error:
        return _render_dashboard(
            request,
            campaign,
            action_error={"idea_id": idea.pk, "message": error.message, "action": "hide"},
            status=error.status_code,
        )
    messages.success(request, _("“%(title)s” is hidden.") % {"title": idea.title})
    return redirect("insights:dashboard", slug=campaign.slug)


urlpatterns: list = [
    path("campaigns/<slug:slug>/dashboard/", campaign_dashboard, name="dashboard"),
    path(
        "campaigns/<slug:slug>/dashboard/ideas/<int:pk>/approve/",
        dashboard_idea_approve,
        name="dashboard_idea_approve",
    ),
    path(
        "campaigns/<slug:slug>/dashboard/ideas/<int:pk>/hide/",
        dashboard_idea_hide,
        name="dashboard_idea_hide",
    ),
]
