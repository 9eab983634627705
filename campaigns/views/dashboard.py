"""The brand's dashboard of a campaign: figures derived by a worker (campaigns/stats.py),
the moderation queue, the ideas waiting for an answer. A fixed number of queries, whatever
the campaign's size: the page never counts votes."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from campaigns import rules as campaign_rules
from campaigns import stats as campaign_stats
from campaigns.models import Campaign, CampaignStats
from core.errors import ApplicationError
from ideas import services as idea_services
from ideas.models import Idea
from ideas.selectors import idea_moderation_queue

TOP_IDEAS = 10
WAITING_FOR_ANSWER = 10
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


# -- charts --------------------------------------------------------------------------------

CHART_WIDTH, CHART_HEIGHT = 640, 200
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 44, 8, 10, 26


def _nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 × 10^k at least `value` (the chart's top line)."""
    if value <= 1:
        return 1
    magnitude = 1
    while True:
        for step in (1, 2, 5):
            if step * magnitude >= value:
                return step * magnitude
        magnitude *= 10


def chart_data(series: list, *, kind: str, title: str, unit: str, chart_id: str) -> dict:
    """Coordinates for a server-rendered SVG chart of a daily series ([[ISO day, n], ...]),
    with an accessible title and description and the rows for the table fallback."""
    points = [(date.fromisoformat(day), int(count)) for day, count in series]
    count = len(points)
    top = _nice_ceiling(max((value for _day, value in points), default=0))
    plot_width = CHART_WIDTH - PLOT_LEFT - PLOT_RIGHT
    plot_height = CHART_HEIGHT - PLOT_TOP - PLOT_BOTTOM
    baseline = PLOT_TOP + plot_height
    slot = plot_width / max(count, 1)
    bars, line = [], []
    for index, (day, value) in enumerate(points):
        height = plot_height * value / top
        x = PLOT_LEFT + index * slot
        label = f"{formats.date_format(day, 'DATE_FORMAT')}: {value}"
        bars.append(
            {
                "x": round(x + slot * 0.1, 2),
                "y": round(baseline - height, 2),
                "width": round(max(slot * 0.8, 0.5), 2),
                "height": round(height, 2),
                "label": label,
            }
        )
        line.append(f"{x + slot / 2:.2f},{baseline - height:.2f}")
    total = sum(value for _day, value in points)
    if points:
        best_day, best = max(points, key=lambda point: (point[1], point[0]))
        description = _(
            "%(count)d days from %(first)s to %(last)s: %(total)d %(unit)s in all, "
            "at most %(best)d on %(best_day)s."
        ) % {
            "count": count,
            "first": formats.date_format(points[0][0], "DATE_FORMAT"),
            "last": formats.date_format(points[-1][0], "DATE_FORMAT"),
            "total": total,
            "unit": unit,
            "best": best,
            "best_day": formats.date_format(best_day, "DATE_FORMAT"),
        }
    else:
        description = _("No data yet.")
    x_labels = []
    for index in sorted({0, count // 2, count - 1}) if count else []:
        x_labels.append(
            {
                "x": round(PLOT_LEFT + index * slot + slot / 2, 2),
                "text": formats.date_format(points[index][0], "M j"),
            }
        )
    return {
        "id": chart_id,
        "kind": kind,
        "title": title,
        "description": description,
        "unit": unit,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": PLOT_LEFT,
        "right": CHART_WIDTH - PLOT_RIGHT,
        "baseline": baseline,
        "top_y": PLOT_TOP,
        "middle_y": round(PLOT_TOP + plot_height / 2, 2),
        "top": top,
        "middle": top / 2 if top % 2 else top // 2,
        "bars": bars,
        "line": " ".join(line),
        "x_labels": x_labels,
        "label_y": CHART_HEIGHT - 8,
        "rows": points,
        "total": total,
    }


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


def _top_ideas(campaign: Campaign) -> list[Idea]:
    """The ten best ideas in the campaign's tally order (one query); ballot campaigns
    follow their stored result's ranking (two queries)."""
    visible = campaign.ideas.filter(status=Idea.Status.PUBLISHED)
    if campaign.uses_ballots:
        from voting.models import CampaignResult

        ranking = (
            CampaignResult.objects.filter(campaign=campaign)
            .values_list("ranking", flat=True)
            .first()
        ) or []
        ranking = [pk for pk in ranking if isinstance(pk, int)][:TOP_IDEAS]
        found = visible.select_related("tally").in_bulk(ranking)
        return [found[pk] for pk in ranking if pk in found]
    from voting.orders import ORDERS, ORDERS_BY_METHOD

    order = ORDERS_BY_METHOD.get(campaign.voting_method, ["newest"])[0]
    return list(
        visible.filter(tally__campaign=campaign)
        .select_related("tally")
        .order_by(*ORDERS[order][1])[:TOP_IDEAS]
    )


def _waiting_for_answer(campaign: Campaign) -> list[Idea]:
    """Published ideas without an answer, most supported first: the tally's index of up
    votes serves it, so the ten rows are found without sorting 100,000 ideas."""
    return list(
        campaign.ideas.filter(status=Idea.Status.PUBLISHED, answer="", is_candidate=False)
        .filter(tally__campaign=campaign)
        .select_related("tally")
        .order_by("-tally__upvotes", "-tally__idea_id")[:WAITING_FOR_ANSWER]
    )


def _exports_url(campaign: Campaign) -> str:
    try:
        return reverse("campaigns:exports", kwargs={"slug": campaign.slug})
    except NoReverseMatch:
        return f"/campaigns/{campaign.slug}/exports/"


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
        "campaigns/dashboard/dashboard.html",
        {
            "campaign": campaign,
            "stats": stats,
            "figures": figures,
            "ideas_figures": figures.get("ideas", {}),
            "vote_unit": unit,
            "is_computing": is_computing,
            "funnel": _funnel(figures),
            "charts": charts,
            "top_ideas": _top_ideas(campaign),
            "pending": pending[:PENDING_SHOWN],
            "has_more_pending": len(pending) > PENDING_SHOWN,
            "waiting": _waiting_for_answer(campaign),
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
    return redirect("campaigns:dashboard", slug=campaign.slug)


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
    return redirect("campaigns:dashboard", slug=campaign.slug)


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
