"""Server-rendered SVG charts of daily series (the dashboard's ideas, votes and visitors
per day): coordinates computed here, drawn by a template, with an accessible title,
description and the numbers for a table fallback. No JavaScript chart library."""

from __future__ import annotations

from datetime import date

from django.utils import formats
from django.utils.translation import gettext as _

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
