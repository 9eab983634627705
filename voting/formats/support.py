"""Supporter thresholds (LEGO Ideas): each idea must gather supporters stage after stage,
each stage within its days; a support is +1 and the tally tracks the idea's stage."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns.models import default_support_stages
from voting.formats.base import PerIdeaFormat, count_up_and_down
from voting.formats.registry import register
from voting.milestones import support_events
from voting.support import SupportState, support_advance


def support_stages_problem(stages) -> str | None:
    """What is wrong with a campaign's [[supporters, days], ...] stages, or None."""
    if not stages:
        return _("A supporter-threshold campaign needs stages.")
    previous = 0
    for stage in stages:
        if not isinstance(stage, (list, tuple)) or len(stage) != 2 or not stage[1]:
            return _("Every supporter threshold needs a deadline (days to reach it).")
        supporters, days = stage
        if supporters <= 0 or days <= 0:
            return _("Supporters and days must be positive.")
        if supporters <= previous:
            return _("Each stage needs more supporters than the last.")
        previous = supporters
    return None


@register
class SupportFormat(PerIdeaFormat):
    key = "support"
    label = gettext_lazy("Supporter thresholds")
    vote_values = frozenset({1})
    vote_value_message = gettext_lazy("A support is 1.")
    has_support_stages = True
    tally_order = ("upvotes",)
    orders = ("supported", "exposure", "newest", "random")
    builder_fields = ("max_votes_per_voter", "support_stages", "results_embargo")
    preset_defaults = {"support_stages": default_support_stages()}
    idea_export_columns = (
        ("supporters", "tally__upvotes"),
        ("support_stage", "tally__support_stage"),
        ("support_status", "tally__support_status"),
    )
    templates = {
        "vote_widget": "voting/formats/support/vote_widget.html",
        "vote_footer": "voting/_support_progress.html",
        "score": "voting/formats/support/score.html",
        "results": "",
    }

    def settings_problems(self, values):
        problem = support_stages_problem(values.get("support_stages"))
        return [("support_stages", problem)] if problem else []

    def apply_counts(self, tally, row, *, now):
        """Counts as up/down do, then moves the idea through its stages; a stage reached
        or missed notifies the author (once per event)."""
        count_up_and_down(tally, row)
        state = support_advance(
            stages=tally.campaign.support_stages or [],
            supporters=row["up"],
            state=SupportState(
                stage=tally.support_stage,
                status=tally.support_status,
                deadline=tally.support_deadline,
            ),
            published_at=tally.idea_created_at,
            now=now,
        )
        tally.support_stage, tally.support_status = state.stage, state.status
        tally.support_deadline = state.deadline
        tally.method_score = float(row["up"])
        if state.events:
            support_events(idea_id=tally.idea_id, events=state.events)

    def result_figures(self, *, details):
        return {key: value["upvotes"] for key, value in details.get("counts", {}).items()}

    def chart_caption(self, *, details):
        return _("supporters")

    def export_idea_values(self, extra):
        supporters, stage, status = extra
        return [supporters or 0, stage or 0, status or ""]
