"""The monthly median MTTA and MTTR of incidents as server-side SVG, drawn on the shared chart scaffold
(`trustroom.web.charts`); the page shows the same figures in a table next to it (the accessible
fallback)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.safestring import SafeString

from trustroom.monitoring.incident_reports import MonthPoint
from trustroom.web.charts import LINE_COLOUR, PALETTE, Frame, close, fmt, nice_ceiling, point, polyline

FRAME = Frame(width=640, height=280, left=64, right=40, top=16, bottom=64)
SERIES = (("MTTA", LINE_COLOUR), ("MTTR", PALETTE[2]))


def _minutes(value: float | None) -> str:
    return fmt(value) if value is not None else "none"


def trend_chart(*, chart_id: str, months: Sequence[MonthPoint]) -> SafeString:
    """Two lines (median MTTA, median MTTR, minutes) over the months; months without a value are gaps."""
    title = "Median time to acknowledge (MTTA) and to resolve (MTTR) incidents, per month"
    series = [[m.mtta.median for m in months], [m.mttr.median for m in months]]
    values = [v for line in series for v in line if v is not None]
    if not values:
        message = "No incident times in this period"
        return FRAME.empty(
            chart_id, title, message, desc="No acknowledged or resolved incidents in this period."
        )
    desc = f"{len(months)} month(s) from {months[0].label} to {months[-1].label}, in minutes. " + "; ".join(
        f"{m.label}: MTTA {_minutes(m.mtta.median)}, MTTR {_minutes(m.mttr.median)}" for m in months
    )
    top = nice_ceiling(max(values) * 1.1)
    parts = [*FRAME.open(chart_id, title, desc), *FRAME.y_axis(top, suffix=" min")]
    xs = FRAME.spread(len(months))
    parts.extend(FRAME.x_label(x, month.label) for x, month in zip(xs, months, strict=True))
    for (name, colour), line in zip(SERIES, series, strict=True):
        points = [(xs[i], FRAME.y(v, top), v) for i, v in enumerate(line) if v is not None]
        if len(points) > 1:
            parts.append(polyline([(x, y) for x, y, _v in points], colour))
        for x, y, v in points:
            parts.append(point(x, y, colour=colour, value=v, tip=f"{name}: {fmt(v)} min"))
    for i, (name, colour) in enumerate(SERIES):
        x = FRAME.left + i * 120
        parts.append(
            f'<rect x="{x}" y="{FRAME.height - 20}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{x + 18}" y="{FRAME.height - 10}" font-size="12">{name} (median)</text>'
        )
    return close(parts)
