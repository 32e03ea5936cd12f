"""The scaffold of the server-rendered SVG charts (no JavaScript) every app draws on.

A chart is an `<svg role="img">` named by its `<title>` and described by its `<desc>`
(`aria-labelledby`); the page puts the same figures in a table next to it, the accessible fallback.
With nothing to draw, a chart says so instead of drawing empty axes. Every label is escaped here;
values are numbers formatted here. The apps' chart modules only place their marks on a `Frame`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Colour-blind friendly sequence (Okabe-Ito), darkest for the oldest or most severe.
PALETTE = ("#56b4e9", "#e69f00", "#d55e00", "#7a1f5c", "#999999")
LINE_COLOUR = "#0072b2"
AXIS_COLOUR, GRID_COLOUR = "#333", "#ddd"


def fmt(number: float) -> str:
    """A coordinate or value with at most two decimals and no trailing zeros."""
    return f"{number:.2f}".rstrip("0").rstrip(".")


def nice_ceiling(value: float) -> int:
    """The axis top: 1, 2, 2.5 or 5 times a power of ten, at least `value` (at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return math.ceil(step * power)
    return math.ceil(10 * power)  # pragma: no cover - the loop always returns


def tick_count(top: int) -> int:
    """How many steps divide the axis into whole numbers (5, 4 or 2 when they can, else 1)."""
    return next((n for n in (5, 4, 2) if top % n == 0 and top >= n), 1)


def close(parts: list[str]) -> SafeString:
    """The chart's markup, ended."""
    return mark_safe("".join([*parts, "</svg>"]))  # noqa: S308 - every part escapes its labels


def polyline(points: Sequence[tuple[float, float]], colour: str) -> str:
    joined = " ".join(f"{fmt(x)},{fmt(y)}" for x, y in points)
    return f'<polyline class="line" points="{joined}" fill="none" stroke="{colour}" stroke-width="2"/>'


def point(x: float, y: float, *, colour: str, value: object, tip: str, radius: int = 4) -> str:
    """A data point carrying its value, with a tooltip (`tip`, escaped here)."""
    return (
        f'<circle class="point" cx="{fmt(x)}" cy="{fmt(y)}" r="{radius}" fill="{colour}" '
        f'data-value="{value}"><title>{escape(tip)}</title></circle>'
    )


@dataclass(frozen=True)
class Frame:
    """A chart's canvas: its size and the margins around the plot (room for axis labels, legend)."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int

    @property
    def plot_width(self) -> int:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> int:
        return self.height - self.top - self.bottom

    @property
    def baseline(self) -> int:
        return self.top + self.plot_height

    def open(self, chart_id: str, title: str, desc: str) -> list[str]:
        """The `<svg>` element with its accessible name and description."""
        cid = escape(chart_id)
        return [
            f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {self.width} {self.height}" '
            f'width="100%" class="chart" aria-labelledby="{cid}-title {cid}-desc" id="{cid}">',
            f'<title id="{cid}-title">{escape(title)}</title>',
            f'<desc id="{cid}-desc">{escape(desc)}</desc>',
        ]

    def empty(self, chart_id: str, title: str, message: str, *, desc: str | None = None) -> SafeString:
        """A chart with nothing to draw: it says so (`desc` defaults to the message)."""
        parts = self.open(chart_id, title, message if desc is None else desc)
        parts.append(
            f'<text x="{self.width / 2}" y="{self.height / 2}" text-anchor="middle" class="chart-empty" '
            f'font-size="16">{escape(message)}</text>'
        )
        return close(parts)

    def bar_height(self, value: float, top: float) -> float:
        return self.plot_height * value / top if top else 0.0

    def y(self, value: float, top: float) -> float:
        """Where `value` sits on an axis from 0 to `top`."""
        return self.baseline - self.bar_height(value, top)

    def y_axis(self, top: int, *, suffix: str = "") -> list[str]:
        """The baseline and one labelled grid line per tick, from 0 to `top`."""
        end = self.width - self.right
        parts = [
            f'<line x1="{self.left}" y1="{self.baseline}" x2="{end}" y2="{self.baseline}" '
            f'stroke="{AXIS_COLOUR}"/>'
        ]
        steps = tick_count(top)
        for i in range(steps + 1):
            y = self.baseline - self.plot_height * i / steps
            parts.append(
                f'<line x1="{self.left}" y1="{fmt(y)}" x2="{end}" y2="{fmt(y)}" '
                f'stroke="{GRID_COLOUR}"/>'
                f'<text x="{self.left - 6}" y="{fmt(y + 4)}" text-anchor="end" font-size="11">'
                f"{fmt(top * i / steps)}{escape(suffix)}</text>"
            )
        return parts

    def spread(self, count: int) -> list[float]:
        """The x of `count` points spread over the plot, first and last at its edges; one is centred."""
        if count == 1:
            return [self.left + self.plot_width / 2]
        step = self.plot_width / max(count - 1, 1)
        return [self.left + step * i for i in range(count)]

    def x_label(self, x: float, label: str, *, anchor: str = "middle") -> str:
        position = f'x="{fmt(x)}" y="{self.baseline + 16}" text-anchor="{anchor}"'
        return f'<text {position} font-size="11">{escape(label)}</text>'
