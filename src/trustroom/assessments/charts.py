"""Server-rendered SVG charts (no JavaScript): stacked bars, a burn-down area and percentage bars.

Each chart is an `<svg role="img">` named by its `<title>` and described by its `<desc>`; the page
puts the same figures in a table next to it. Every label is escaped here; values are numbers we
format ourselves. With nothing to draw, a chart says so instead of drawing empty axes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
HEIGHT = 280
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 64
PLOT_WIDTH = WIDTH - LEFT - RIGHT
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM
BASELINE = TOP + PLOT_HEIGHT

# Colour-blind friendly sequence (Okabe-Ito), darkest for the oldest or most severe.
PALETTE = ("#56b4e9", "#e69f00", "#d55e00", "#7a1f5c", "#999999")
LINE_COLOUR = "#0072b2"


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[int]


def nice_ceiling(value: float) -> int:
    """The axis top: 1, 2, 2.5 or 5 times a power of ten, at least `value` (at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return math.ceil(step * power)
    return math.ceil(10 * power)  # pragma: no cover - the loop always returns


def _fmt(number: float) -> str:
    return f"{number:.2f}".rstrip("0").rstrip(".")


def _open(chart_id: str, title: str, desc: str) -> list[str]:
    cid = escape(chart_id)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" class="chart" aria-labelledby="{cid}-title {cid}-desc" id="{cid}">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(desc)}</desc>',
    ]


def _empty(chart_id: str, title: str, message: str) -> SafeString:
    parts = _open(chart_id, title, message)
    parts.append(
        f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" class="chart-empty" '
        f'font-size="16">{escape(message)}</text>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated label above is escaped


def tick_count(top: int) -> int:
    """How many steps divide the axis into whole numbers (5, 4 or 2 when they can, else 1)."""
    return next((n for n in (5, 4, 2) if top % n == 0 and top >= n), 1)


def _y_axis(top: int, *, suffix: str = "") -> list[str]:
    parts = [
        f'<line x1="{LEFT}" y1="{BASELINE}" x2="{WIDTH - RIGHT}" y2="{BASELINE}" stroke="#333"/>',
    ]
    steps = tick_count(top)
    for i in range(steps + 1):
        value = top * i / steps
        y = BASELINE - PLOT_HEIGHT * i / steps
        parts.append(
            f'<line x1="{LEFT}" y1="{_fmt(y)}" x2="{WIDTH - RIGHT}" y2="{_fmt(y)}" stroke="#ddd"/>'
            f'<text x="{LEFT - 6}" y="{_fmt(y + 4)}" text-anchor="end" font-size="11">'
            f"{_fmt(value)}{escape(suffix)}</text>"
        )
    return parts


def _height(value: float, top: float) -> float:
    return PLOT_HEIGHT * value / top if top else 0.0


def _x_label(x: float, label: str, *, anchor: str = "middle") -> str:
    position = f'x="{_fmt(x)}" y="{BASELINE + 16}" text-anchor="{anchor}"'
    return f'<text {position} font-size="11">{escape(label)}</text>'


def _legend(names: Sequence[str]) -> list[str]:
    parts = []
    x = LEFT
    for i, name in enumerate(names):
        colour = PALETTE[i % len(PALETTE)]
        parts.append(
            f'<rect x="{x}" y="{HEIGHT - 22}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{x + 16}" y="{HEIGHT - 12}" font-size="11">{escape(name)}</text>'
        )
        x += 24 + 7 * len(name)
    return parts


def stacked_bar_chart(
    *, chart_id: str, title: str, desc: str, categories: Sequence[str], series: Sequence[Series], empty: str
) -> SafeString:
    """One bar per category, one segment per series stacked from the baseline in series order."""
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    if not categories or not any(totals):
        return _empty(chart_id, title, empty)
    top = nice_ceiling(max(totals))
    slot = PLOT_WIDTH / len(categories)
    bar_width = slot * 0.6
    parts = [*_open(chart_id, title, desc), *_y_axis(top)]
    for i, category in enumerate(categories):
        x = LEFT + slot * i + (slot - bar_width) / 2
        y = float(BASELINE)
        for j, s in enumerate(series):
            value = s.values[i]
            if not value:
                continue
            height = _height(value, top)
            y -= height
            parts.append(
                f'<rect class="bar" x="{_fmt(x)}" y="{_fmt(y)}" width="{_fmt(bar_width)}" '
                f'height="{_fmt(height)}" fill="{PALETTE[j % len(PALETTE)]}" data-value="{value}">'
                f"<title>{escape(category)}, {escape(s.name)}: {value}</title></rect>"
            )
        parts.append(_x_label(x + bar_width / 2, category))
    parts.extend(_legend([s.name for s in series]))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated label above is escaped


def area_chart(
    *, chart_id: str, title: str, desc: str, labels: Sequence[str], values: Sequence[int], empty: str
) -> SafeString:
    """A line over a shaded area, one point per label (the burn-down)."""
    if not values or not any(values):
        return _empty(chart_id, title, empty)
    top = nice_ceiling(max(values))
    step = PLOT_WIDTH / max(len(values) - 1, 1)
    points = [(LEFT + step * i, BASELINE - _height(v, top)) for i, v in enumerate(values)]
    line = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in points)
    area = f"{_fmt(points[0][0])},{BASELINE} {line} {_fmt(points[-1][0])},{BASELINE}"
    parts = [*_open(chart_id, title, desc), *_y_axis(top)]
    parts.append(f'<polygon class="area" points="{area}" fill="{LINE_COLOUR}" fill-opacity="0.15"/>')
    parts.append(
        f'<polyline class="line" points="{line}" fill="none" stroke="{LINE_COLOUR}" stroke-width="2"/>'
    )
    for (x, y), label, value in zip(points, labels, values, strict=True):
        parts.append(
            f'<circle class="point" cx="{_fmt(x)}" cy="{_fmt(y)}" r="3" fill="{LINE_COLOUR}" '
            f'data-value="{value}"><title>{escape(label)}: {value}</title></circle>'
        )
    every = max(1, math.ceil(len(labels) / 6))  # keep the axis readable
    for i, label in enumerate(labels):
        last = i == len(labels) - 1
        if last or (i % every == 0 and len(labels) - 1 - i >= every):  # no two labels overlap
            parts.append(_x_label(points[i][0], label, anchor="end" if last and i else "middle"))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated label above is escaped


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
        return _empty(chart_id, title, empty)
    slot = PLOT_WIDTH / len(labels)
    bar_width = slot * 0.5
    parts = [*_open(chart_id, title, desc), *_y_axis(100, suffix="%")]
    for i, (label, percent) in enumerate(zip(labels, percents, strict=True)):
        x = LEFT + slot * i + (slot - bar_width) / 2
        centre = x + bar_width / 2
        if percent is None:
            parts.append(
                f'<text x="{_fmt(centre)}" y="{BASELINE - 6}" text-anchor="middle" font-size="11">'
                "no deadlines</text>"
            )
        else:
            height = _height(percent, 100)
            y = BASELINE - height
            parts.append(
                f'<rect class="bar" x="{_fmt(x)}" y="{_fmt(y)}" width="{_fmt(bar_width)}" '
                f'height="{_fmt(height)}" fill="{PALETTE[0]}" data-value="{_fmt(percent)}">'
                f"<title>{escape(label)}: {_fmt(percent)}%</title></rect>"
                f'<text x="{_fmt(centre)}" y="{_fmt(y - 4)}" text-anchor="middle" font-size="11">'
                f"{_fmt(percent)}%</text>"
            )
        parts.append(_x_label(centre, label))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated label above is escaped
