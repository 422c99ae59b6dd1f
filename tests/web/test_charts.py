"""Server-side SVG charts: geometry follows the data, text is escaped, a11y is there."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET

import pytest

from hubbub.web.charts import Bar, Line, bar_chart, line_chart, nice_ticks, stacked_bar

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(
    ("peak", "top"),
    [(0, 1), (1, 1), (7, 8), (95, 100), (101, 125), (2190, 2500), (0.3, 0.3), (12, 15)],
)
def test_nice_ticks_cover_the_peak_with_round_steps(peak: float, top: float) -> None:
    ticks = nice_ticks(peak)
    assert ticks[0] == 0
    assert ticks[-1] == pytest.approx(top)
    steps = {round(b - a, 9) for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1
    assert len(ticks) <= 6


def test_line_chart_points_follow_values_and_escape_labels() -> None:
    svg = line_chart(
        ["d1", "d2", "d3"],
        [Line("A <&> B", [0, 5, 10], "#000")],
        chart_id="t",
        title="Title <x>",
        desc="Desc",
        width=200,
        height=100,
    )
    root = ET.fromstring(str(svg))  # well-formed XML, so the escaping held
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "t-title t-desc"
    assert root.find(f"{SVG}title").text == "Title <x>"  # type: ignore[union-attr]
    group = root.find(f".//{SVG}g[@class='series']")
    assert group is not None and group.get("data-series") == "A <&> B"
    assert group.get("data-values") == "0,5,10"
    line = group.find(f"{SVG}polyline")
    assert line is not None
    points = [tuple(map(float, p.split(","))) for p in (line.get("points") or "").split()]
    ys = [y for _, y in points]
    xs = [x for x, _ in points]
    assert ys[0] > ys[1] > ys[2]  # larger values are drawn higher
    assert ys[0] - ys[1] == pytest.approx(ys[1] - ys[2], abs=0.15)
    assert xs == sorted(xs) and len(set(xs)) == 3
    tips = [t.text for t in group.iter(f"{SVG}title")]
    assert tips == ["A <&> B, d1: 0", "A <&> B, d2: 5", "A <&> B, d3: 10"]


def test_bar_lengths_are_proportional() -> None:
    svg = bar_chart(
        [Bar("one", 10, "#111"), Bar("two", 5, "#222"), Bar("none", 0, "#333")],
        chart_id="b",
        title="t",
        desc="d",
    )
    root = ET.fromstring(str(svg))
    widths = [float(r.get("width") or 0) for r in root.iter(f"{SVG}rect")]
    assert widths[0] == pytest.approx(2 * widths[1], rel=0.01)
    assert widths[2] < 2  # a zero bar is a sliver, still visible as "there, but none"


def test_stacked_bar_segments_fill_the_width_in_proportion() -> None:
    svg = stacked_bar(
        [Bar("pos", 3, "#0a0"), Bar("neu", 0, "#999"), Bar("neg", 1, "#a00")],
        chart_id="s",
        title="t",
        desc="d",
        width=400,
    )
    root = ET.fromstring(str(svg))
    segments = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "segment"]
    assert [s.get("data-label") for s in segments] == ["pos", "neg"]
    widths = [float(s.get("width") or 0) for s in segments]
    assert widths == [pytest.approx(300), pytest.approx(100)]
    empty = stacked_bar([Bar("pos", 0, "#0a0")], chart_id="e", title="t", desc="d")
    assert not re.search(r'class="segment"', str(empty))


def test_partial_last_day_is_dashed_not_solid() -> None:
    svg = line_chart(
        ["a", "b", "c"],
        [Line("s", [4, 4, 1], "#000")],
        chart_id="p",
        title="t",
        desc="d",
        partial_last=True,
    )
    root = ET.fromstring(str(svg))
    line = root.find(f".//{SVG}polyline")
    assert line is not None and len((line.get("points") or "").split()) == 2
    dashed = root.find(f".//{SVG}line[@class='partial']")
    assert dashed is not None and dashed.get("stroke-dasharray")
    group = root.find(f".//{SVG}g[@class='series']")
    assert group is not None and group.get("data-values") == "4,4,1"  # the data is all there
