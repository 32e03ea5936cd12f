"""The monthly median MTTA and MTTR of incidents as server-side SVG: an `<svg role="img">` named by its
`<title>` and described by its `<desc>`, every label escaped here; the page shows the same figures in a
table next to it (the accessible fallback)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from trustroom.assessments.charts import LINE_COLOUR, PALETTE, nice_ceiling, tick_count
from trustroom.monitoring.incident_reports import MonthPoint

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 64, 40, 16, 64
PLOT_WIDTH, PLOT_HEIGHT = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
BASELINE = TOP + PLOT_HEIGHT
SERIES = (("MTTA", LINE_COLOUR), ("MTTR", PALETTE[2]))


def _fmt(number: float) -> str:
    return f"{number:.2f}".rstrip("0").rstrip(".")


def trend_chart(*, chart_id: str, months: Sequence[MonthPoint]) -> SafeString:
    """Two lines (median MTTA, median MTTR, minutes) over the months; months without a value are gaps."""
    cid = escape(chart_id)
    title = "Median time to acknowledge (MTTA) and to resolve (MTTR) incidents, per month"
    series = [[m.mtta.median for m in months], [m.mttr.median for m in months]]
    values = [v for line in series for v in line if v is not None]
    if values:
        desc = (
            f"{len(months)} month(s) from {months[0].label} to {months[-1].label}, in minutes. "
            + "; ".join(
                f"{m.label}: MTTA {_fmt(m.mtta.median) if m.mtta.median is not None else 'none'}, "
                f"MTTR {_fmt(m.mttr.median) if m.mttr.median is not None else 'none'}"
                for m in months
            )
        )
    else:
        desc = "No acknowledged or resolved incidents in this period."
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'class="chart" aria-labelledby="{cid}-title {cid}-desc" id="{cid}">',
        f'<title id="{cid}-title">{escape(title)}</title><desc id="{cid}-desc">{escape(desc)}</desc>',
    ]
    if not values:
        parts.append(
            f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" font-size="16" class="chart-empty">'
            "No incident times in this period</text></svg>"
        )
        return mark_safe("".join(parts))  # noqa: S308 - the labels above are escaped
    top = nice_ceiling(max(values) * 1.1)
    steps = tick_count(top)
    parts.append(f'<line x1="{LEFT}" y1="{BASELINE}" x2="{WIDTH - RIGHT}" y2="{BASELINE}" stroke="#333"/>')
    for i in range(steps + 1):
        y = BASELINE - PLOT_HEIGHT * i / steps
        parts.append(
            f'<line x1="{LEFT}" y1="{_fmt(y)}" x2="{WIDTH - RIGHT}" y2="{_fmt(y)}" stroke="#ddd"/>'
            f'<text x="{LEFT - 6}" y="{_fmt(y + 4)}" text-anchor="end" font-size="11">'
            f"{_fmt(top * i / steps)} min</text>"
        )
    step = PLOT_WIDTH / max(len(months) - 1, 1)

    def x_of(i: int) -> float:
        return LEFT + (step * i if len(months) > 1 else PLOT_WIDTH / 2)

    for i, month in enumerate(months):
        parts.append(
            f'<text x="{_fmt(x_of(i))}" y="{BASELINE + 16}" text-anchor="middle" font-size="11">'
            f"{escape(month.label)}</text>"
        )
    for (name, colour), line in zip(SERIES, series, strict=True):
        points = [(x_of(i), BASELINE - PLOT_HEIGHT * v / top, v) for i, v in enumerate(line) if v is not None]
        if len(points) > 1:
            joined = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y, _v in points)
            parts.append(
                f'<polyline class="line" points="{joined}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
        for x, y, v in points:
            parts.append(
                f'<circle class="point" cx="{_fmt(x)}" cy="{_fmt(y)}" r="4" fill="{colour}" data-value="{v}">'
                f"<title>{name}: {_fmt(v)} min</title></circle>"
            )
    for i, (name, colour) in enumerate(SERIES):
        x = LEFT + i * 120
        parts.append(
            f'<rect x="{x}" y="{HEIGHT - 20}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{x + 18}" y="{HEIGHT - 10}" font-size="12">{name} (median)</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated label above is escaped
