"""The SVG charts: well-formed, accessible, escaped, and drawn to scale."""

from __future__ import annotations

from xml.etree.ElementTree import Element

import pytest
from defusedxml.ElementTree import fromstring

from trustroom.assessments import charts
from trustroom.assessments.charts import PLOT_HEIGHT, Series, nice_ceiling

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script> & co'


def parse(svg: str) -> Element:
    root = fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and desc is not None
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    return root


def bars(root: Element) -> list[Element]:
    return [e for e in root.iter(f"{SVG}rect") if e.get("class") == "bar"]


@pytest.mark.parametrize(
    ("value", "top"), [(0, 1), (1, 1), (3, 5), (7, 10), (12, 20), (21, 25), (240, 250), (999, 1000)]
)
def test_nice_ceiling(value: int, top: int) -> None:
    assert nice_ceiling(value) == top


@pytest.mark.parametrize(
    ("top", "ticks"), [(1, 1), (2, 2), (5, 5), (20, 5), (25, 5), (50, 5), (100, 5), (8, 4)]
)
def test_axis_ticks_are_whole_numbers(top: int, ticks: int) -> None:
    assert charts.tick_count(top) == ticks
    assert top % ticks == 0


def test_stacked_bars_are_to_scale_and_stacked() -> None:
    svg = charts.stacked_bar_chart(
        chart_id="age",
        title="Open findings by severity and age",
        desc="Critical: 3 up to 7 days, 1 older.",
        categories=["Critical", "High", HOSTILE],
        series=[Series("0-7 days", [3, 0, 2]), Series("Over 7 days", [1, 5, 0])],
        empty="No open findings.",
    )
    root = parse(svg)
    drawn = bars(root)
    assert [int(b.get("data-value", "")) for b in drawn] == [3, 1, 5, 2]  # zero segments are not drawn
    top = nice_ceiling(5)
    for bar in drawn:
        assert float(bar.get("height", "")) == pytest.approx(
            PLOT_HEIGHT * int(bar.get("data-value", "")) / top, abs=0.01
        )
    first, second = drawn[0], drawn[1]  # the critical bar: the second segment sits on the first
    assert float(second.get("y", "")) + float(second.get("height", "")) == pytest.approx(
        float(first.get("y", "")), abs=0.02
    )
    assert "<script>" not in svg
    assert HOSTILE in "".join(root.itertext())  # escaped, so it reads back as text


def test_area_chart_points_follow_values() -> None:
    svg = charts.area_chart(
        chart_id="burn",
        title="Burn-down",
        desc="Unresolved findings at the end of each week.",
        labels=["w1", "w2", "w3", HOSTILE],
        values=[10, 8, 4, 0],
        empty="Nothing to show.",
    )
    root = parse(svg)
    points = [e for e in root.iter(f"{SVG}circle") if e.get("class") == "point"]
    ys = [float(p.get("cy", "")) for p in points]
    assert [int(p.get("data-value", "")) for p in points] == [10, 8, 4, 0]
    baseline = ys[-1]
    assert [baseline - y for y in ys] == pytest.approx(
        [PLOT_HEIGHT * v / 10 for v in (10, 8, 4, 0)], abs=0.02
    )
    assert root.find(f"{SVG}polyline") is not None and root.find(f"{SVG}polygon") is not None
    assert "<script>" not in svg


def test_percent_bars_and_missing_quarters() -> None:
    svg = charts.percent_bar_chart(
        chart_id="sla",
        title="SLA adherence",
        desc="Met within SLA, per quarter.",
        labels=["2026 Q1", "2026 Q2", "2026 Q3"],
        percents=[50.0, None, 100.0],
        empty="No deadlines fell due.",
    )
    root = parse(svg)
    drawn = bars(root)
    assert [b.get("data-value") for b in drawn] == ["50", "100"]
    assert float(drawn[0].get("height", "")) == pytest.approx(PLOT_HEIGHT / 2)
    assert float(drawn[1].get("height", "")) == pytest.approx(PLOT_HEIGHT)
    text = "".join(root.itertext())
    assert "no deadlines" in text and "50%" in text


@pytest.mark.parametrize(
    "svg",
    [
        charts.stacked_bar_chart(
            chart_id="a",
            title="T",
            desc="D",
            categories=["Critical"],
            series=[Series("x", [0])],
            empty=HOSTILE,
        ),
        charts.area_chart(chart_id="b", title="T", desc="D", labels=["w"], values=[0], empty=HOSTILE),
        charts.percent_bar_chart(
            chart_id="c", title="T", desc="D", labels=["q"], percents=[None], empty=HOSTILE
        ),
    ],
)
def test_empty_state_says_so(svg: str) -> None:
    root = parse(svg)
    assert bars(root) == []
    assert HOSTILE in "".join(root.itertext())
    assert root.find(f"{SVG}desc") is not None and root.find(f"{SVG}desc").text == HOSTILE  # type: ignore[union-attr]
