"""The measured recovery time of each drill over time against the plan's target, as server-side SVG.

Like the assessments charts: an `<svg role="img">` named by its `<title>` and described by its `<desc>`,
every label escaped here, and the page puts the same figures in a table next to it.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from trustroom.assessments.charts import LINE_COLOUR, PALETTE, nice_ceiling, tick_count

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 40, 16, 48  # RIGHT: room for half of the last date label
PLOT_WIDTH, PLOT_HEIGHT = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
BASELINE = TOP + PLOT_HEIGHT
TARGET_COLOUR = PALETTE[2]


def _fmt(number: float) -> str:
    return f"{number:.2f}".rstrip("0").rstrip(".")


def rto_chart(
    *, chart_id: str, service: str, labels: Sequence[str], values: Sequence[int], target: int
) -> SafeString:
    """One point per drill (oldest first) joined by a line; the RTO target as a dashed line."""
    cid = escape(chart_id)
    title = f"Measured recovery time of {service} per failover drill"
    if values:
        desc = (
            f"{len(values)} drill(s); target {target} minutes; "
            f"{sum(1 for v in values if v <= target)} within the target."
        )
    else:
        desc = "No drills recorded yet."
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'class="chart" aria-labelledby="{cid}-title {cid}-desc" id="{cid}">',
        f'<title id="{cid}-title">{escape(title)}</title><desc id="{cid}-desc">{escape(desc)}</desc>',
    ]
    if not values:
        parts.append(
            f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" font-size="16" class="chart-empty">'
            "No drills recorded yet</text></svg>"
        )
        return mark_safe("".join(parts))  # noqa: S308 - the labels above are escaped
    top = nice_ceiling(max([*values, target]) * 1.1)
    steps = tick_count(top)
    parts.append(f'<line x1="{LEFT}" y1="{BASELINE}" x2="{WIDTH - RIGHT}" y2="{BASELINE}" stroke="#333"/>')
    for i in range(steps + 1):
        y = BASELINE - PLOT_HEIGHT * i / steps
        parts.append(
            f'<line x1="{LEFT}" y1="{_fmt(y)}" x2="{WIDTH - RIGHT}" y2="{_fmt(y)}" stroke="#ddd"/>'
            f'<text x="{LEFT - 6}" y="{_fmt(y + 4)}" text-anchor="end" font-size="11">'
            f"{_fmt(top * i / steps)} min</text>"
        )
    target_y = BASELINE - PLOT_HEIGHT * target / top
    parts.append(
        f'<line class="target" x1="{LEFT}" y1="{_fmt(target_y)}" x2="{WIDTH - RIGHT}" y2="{_fmt(target_y)}" '
        f'stroke="{TARGET_COLOUR}" stroke-width="2" stroke-dasharray="6 4"/>'
        f'<text x="{WIDTH - RIGHT}" y="{_fmt(target_y - 4)}" text-anchor="end" font-size="11" '
        f'fill="{TARGET_COLOUR}">Target {target} min</text>'
    )
    step = PLOT_WIDTH / max(len(values) - 1, 1)
    points = [
        (LEFT + (step * i if len(values) > 1 else PLOT_WIDTH / 2), BASELINE - PLOT_HEIGHT * v / top)
        for i, v in enumerate(values)
    ]
    if len(points) > 1:
        line = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in points)
        parts.append(
            f'<polyline class="line" points="{line}" fill="none" stroke="{LINE_COLOUR}" stroke-width="2"/>'
        )
    for (x, y), label, value in zip(points, labels, values, strict=True):
        colour = LINE_COLOUR if value <= target else TARGET_COLOUR
        parts.append(
            f'<circle class="point" cx="{_fmt(x)}" cy="{_fmt(y)}" r="4" fill="{colour}" data-value="{value}">'
            f"<title>{escape(label)}: {value} min</title></circle>"
            f'<text x="{_fmt(x)}" y="{BASELINE + 16}" text-anchor="middle" font-size="11">'
            f"{escape(label)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated label above is escaped
