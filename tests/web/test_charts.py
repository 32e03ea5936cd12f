"""The shared SVG chart scaffold: accessible name and description, escaped labels, scales and ticks."""

from __future__ import annotations

import pytest

from trustroom.web import charts

FRAME = charts.Frame(width=200, height=100, left=20, right=10, top=10, bottom=20)


def test_geometry_follows_the_margins() -> None:
    assert (FRAME.plot_width, FRAME.plot_height, FRAME.baseline) == (170, 70, 80)
    assert FRAME.y(0, 10) == 80 and FRAME.y(10, 10) == 10 and FRAME.y(5, 10) == 45
    assert FRAME.bar_height(3, 0) == 0.0  # no scale: nothing drawn


def test_open_names_and_describes_the_chart_with_escaped_text() -> None:
    svg = "".join(FRAME.open('x"<', "A & B", "<desc>"))
    assert 'role="img"' in svg and 'viewBox="0 0 200 100"' in svg
    assert 'aria-labelledby="x&quot;&lt;-title x&quot;&lt;-desc"' in svg
    assert '<title id="x&quot;&lt;-title">A &amp; B</title>' in svg
    assert "&lt;desc&gt;</desc>" in svg


def test_an_empty_chart_says_so_and_draws_no_axes() -> None:
    svg = str(FRAME.empty("e", "Title", "Nothing <yet>", desc="Nothing recorded."))
    assert svg.endswith("</svg>") and "<line" not in svg
    assert '<desc id="e-desc">Nothing recorded.</desc>' in svg and ">Nothing &lt;yet&gt;</text>" in svg
    assert '<desc id="e-desc">Same</desc>' in str(FRAME.empty("e", "Title", "Same"))


def test_y_axis_has_one_labelled_grid_line_per_tick() -> None:
    axis = "".join(FRAME.y_axis(20, suffix=" min"))
    assert axis.count('stroke="#ddd"') == 6  # 0, 4, ... 20
    assert ">0 min</text>" in axis and ">20 min</text>" in axis and ">8 min</text>" in axis


def test_points_spread_over_the_plot_and_one_is_centred() -> None:
    assert FRAME.spread(1) == [105.0]
    assert FRAME.spread(3) == [20.0, 105.0, 190.0]


def test_marks_escape_their_labels() -> None:
    mark = charts.point(1.234, 5, colour="#000", value=7, tip="<b>: 7")
    assert 'cx="1.23"' in mark and 'data-value="7"' in mark and "<title>&lt;b&gt;: 7</title>" in mark
    assert charts.polyline([(0, 1.5), (2.25, 3)], "#111").startswith(
        '<polyline class="line" points="0,1.5 2.25,3"'
    )
    assert ">&lt;x&gt;</text>" in FRAME.x_label(5, "<x>")
    assert str(charts.close(["<svg>"])) == "<svg></svg>"


@pytest.mark.parametrize(("value", "top"), [(0, 1), (1, 1), (7, 10), (11, 20), (21, 25), (26, 50), (51, 100)])
def test_nice_ceiling(value: float, top: int) -> None:
    assert charts.nice_ceiling(value) == top


@pytest.mark.parametrize(("top", "ticks"), [(1, 1), (2, 2), (20, 5), (8, 4), (3, 1)])
def test_tick_count(top: int, ticks: int) -> None:
    assert charts.tick_count(top) == ticks
