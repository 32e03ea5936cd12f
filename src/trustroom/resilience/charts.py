"""The measured recovery time of each drill over time against the plan's target, as server-side SVG.

Drawn on the shared chart scaffold (`trustroom.web.charts`): an accessible `<svg role="img">`, and the
page puts the same figures in a table next to it.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.safestring import SafeString

from trustroom.web.charts import LINE_COLOUR, PALETTE, Frame, close, fmt, nice_ceiling, point, polyline

FRAME = Frame(width=640, height=260, left=56, right=40, top=16, bottom=48)  # right: half the last date
TARGET_COLOUR = PALETTE[2]


def rto_chart(
    *, chart_id: str, service: str, labels: Sequence[str], values: Sequence[int], target: int
) -> SafeString:
    """One point per drill (oldest first) joined by a line; the RTO target as a dashed line."""
    title = f"Measured recovery time of {service} per failover drill"
    if not values:
        return FRAME.empty(chart_id, title, "No drills recorded yet", desc="No drills recorded yet.")
    desc = (
        f"{len(values)} drill(s); target {target} minutes; "
        f"{sum(1 for v in values if v <= target)} within the target."
    )
    top = nice_ceiling(max([*values, target]) * 1.1)
    parts = [*FRAME.open(chart_id, title, desc), *FRAME.y_axis(top, suffix=" min")]
    target_y, end = fmt(FRAME.y(target, top)), FRAME.width - FRAME.right
    parts.append(
        f'<line class="target" x1="{FRAME.left}" y1="{target_y}" x2="{end}" y2="{target_y}" '
        f'stroke="{TARGET_COLOUR}" stroke-width="2" stroke-dasharray="6 4"/>'
        f'<text x="{end}" y="{fmt(FRAME.y(target, top) - 4)}" text-anchor="end" font-size="11" '
        f'fill="{TARGET_COLOUR}">Target {target} min</text>'
    )
    points = [(x, FRAME.y(v, top)) for x, v in zip(FRAME.spread(len(values)), values, strict=True)]
    if len(points) > 1:
        parts.append(polyline(points, LINE_COLOUR))
    for (x, y), label, value in zip(points, labels, values, strict=True):
        colour = LINE_COLOUR if value <= target else TARGET_COLOUR
        parts.append(point(x, y, colour=colour, value=value, tip=f"{label}: {value} min"))
        parts.append(FRAME.x_label(x, label))
    return close(parts)
