"""The assessments dashboard's charts: stacked bars, a burn-down area and percentage bars.

Drawn on the shared scaffold (`trustroom.web.charts`): an accessible `<svg role="img">` with the same
figures in a table on the page, every label escaped, an empty chart saying so instead of empty axes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString

from trustroom.web.charts import (
    LINE_COLOUR,
    PALETTE,
    Frame,
    close,
    fmt,
    nice_ceiling,
    point,
    polyline,
    tick_count,
)

FRAME = Frame(width=640, height=280, left=48, right=16, top=16, bottom=64)
PLOT_WIDTH, PLOT_HEIGHT, BASELINE = FRAME.plot_width, FRAME.plot_height, FRAME.baseline

__all__ = [
    "FRAME",
    "PLOT_HEIGHT",
    "Series",
    "area_chart",
    "nice_ceiling",
    "percent_bar_chart",
    "stacked_bar_chart",
    "tick_count",
]


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[int]


def _legend(names: Sequence[str]) -> list[str]:
    parts = []
    x = FRAME.left
    for i, name in enumerate(names):
        colour = PALETTE[i % len(PALETTE)]
        parts.append(
            f'<rect x="{x}" y="{FRAME.height - 22}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{x + 16}" y="{FRAME.height - 12}" font-size="11">{escape(name)}</text>'
        )
        x += 24 + 7 * len(name)
    return parts


def stacked_bar_chart(
    *, chart_id: str, title: str, desc: str, categories: Sequence[str], series: Sequence[Series], empty: str
) -> SafeString:
    """One bar per category, one segment per series stacked from the baseline in series order."""
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    if not categories or not any(totals):
        return FRAME.empty(chart_id, title, empty)
    top = nice_ceiling(max(totals))
    slot = PLOT_WIDTH / len(categories)
    bar_width = slot * 0.6
    parts = [*FRAME.open(chart_id, title, desc), *FRAME.y_axis(top)]
    for i, category in enumerate(categories):
        x = FRAME.left + slot * i + (slot - bar_width) / 2
        y = float(BASELINE)
        for j, s in enumerate(series):
            value = s.values[i]
            if not value:
                continue
            height = FRAME.bar_height(value, top)
            y -= height
            parts.append(
                f'<rect class="bar" x="{fmt(x)}" y="{fmt(y)}" width="{fmt(bar_width)}" '
                f'height="{fmt(height)}" fill="{PALETTE[j % len(PALETTE)]}" data-value="{value}">'
                f"<title>{escape(category)}, {escape(s.name)}: {value}</title></rect>"
            )
        parts.append(FRAME.x_label(x + bar_width / 2, category))
    parts.extend(_legend([s.name for s in series]))
    return close(parts)


def area_chart(
    *, chart_id: str, title: str, desc: str, labels: Sequence[str], values: Sequence[int], empty: str
) -> SafeString:
    """A line over a shaded area, one point per label (the burn-down)."""
    if not values or not any(values):
        return FRAME.empty(chart_id, title, empty)
    top = nice_ceiling(max(values))
    step = PLOT_WIDTH / max(len(values) - 1, 1)
    points = [(FRAME.left + step * i, FRAME.y(v, top)) for i, v in enumerate(values)]
    line = " ".join(f"{fmt(x)},{fmt(y)}" for x, y in points)
    area = f"{fmt(points[0][0])},{BASELINE} {line} {fmt(points[-1][0])},{BASELINE}"
    parts = [*FRAME.open(chart_id, title, desc), *FRAME.y_axis(top)]
    parts.append(f'<polygon class="area" points="{area}" fill="{LINE_COLOUR}" fill-opacity="0.15"/>')
    parts.append(polyline(points, LINE_COLOUR))
    for (x, y), label, value in zip(points, labels, values, strict=True):
        parts.append(point(x, y, colour=LINE_COLOUR, value=value, tip=f"{label}: {value}", radius=3))
    every = max(1, math.ceil(len(labels) / 6))  # keep the axis readable
    for i, label in enumerate(labels):
        last = i == len(labels) - 1
        if last or (i % every == 0 and len(labels) - 1 - i >= every):  # no two labels overlap
            parts.append(FRAME.x_label(points[i][0], label, anchor="end" if last and i else "middle"))
    return close(parts)


def percent_bar_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    percents: Sequence[float | None],
    empty: str,
) -> SafeString:
    """Bars on a 0-100 % scale; a missing percentage (nothing to judge) is labelled, not drawn."""
    if not labels or all(p is None for p in percents):
        return FRAME.empty(chart_id, title, empty)
    slot = PLOT_WIDTH / len(labels)
    bar_width = slot * 0.5
    parts = [*FRAME.open(chart_id, title, desc), *FRAME.y_axis(100, suffix="%")]
    for i, (label, percent) in enumerate(zip(labels, percents, strict=True)):
        x = FRAME.left + slot * i + (slot - bar_width) / 2
        centre = x + bar_width / 2
        if percent is None:
            parts.append(
                f'<text x="{fmt(centre)}" y="{BASELINE - 6}" text-anchor="middle" font-size="11">'
                "no deadlines</text>"
            )
        else:
            height = FRAME.bar_height(percent, 100)
            y = BASELINE - height
            parts.append(
                f'<rect class="bar" x="{fmt(x)}" y="{fmt(y)}" width="{fmt(bar_width)}" '
                f'height="{fmt(height)}" fill="{PALETTE[0]}" data-value="{fmt(percent)}">'
                f"<title>{escape(label)}: {fmt(percent)}%</title></rect>"
                f'<text x="{fmt(centre)}" y="{fmt(y - 4)}" text-anchor="middle" font-size="11">'
                f"{fmt(percent)}%</text>"
            )
        parts.append(FRAME.x_label(centre, label))
    return close(parts)
