"""Voting's figures in templates: a supporter-threshold progress bar and a cell of a
Schulze pairwise matrix.

    {% load voting_figures %}
    {% support_progress idea tally as progress %}
    {% pairwise_cell result.details.pairwise row.idea_id column.idea_id %}
"""

from django import template
from django.utils import timezone

from voting.support import support_remaining

register = template.Library()


@register.simple_tag
def support_progress(idea, tally):
    """Figures for a supporter-threshold progress bar ("900 more supporters in 20 days").
    Under a results embargo only the idea's status, with `hidden` set: no count, nor what
    gives one away (remaining supporters, percentage, stage, its deadline)."""
    if not idea.campaign.are_counts_visible():
        return {"hidden": True, "status": getattr(tally, "support_status", "active")}
    stages = idea.campaign.support_stages or []
    supporters = getattr(tally, "upvotes", 0) or 0
    stage = getattr(tally, "support_stage", 0) or 0
    target = stages[stage][0] if stage < len(stages) else None
    deadline = getattr(tally, "support_deadline", None)
    seconds_left = (deadline - timezone.now()).total_seconds() if deadline else 0
    return {
        "status": getattr(tally, "support_status", "active"),
        "supporters": supporters,
        "target": target,
        "remaining": support_remaining(stages=stages, supporters=supporters, stage=stage),
        "days_left": max(0, int(seconds_left // 86400)),
        "percent": int(100 * supporters / target) if target else 100,
        "stage_number": stage + 1,
        "stage_total": len(stages),
    }


@register.simple_tag
def pairwise_cell(matrix, row_id, column_id):
    """d[row][column] of a Schulze pairwise matrix stored with string keys."""
    return (matrix or {}).get(str(row_id), {}).get(str(column_id), 0)
