"""The HTML report: self-contained (nothing loaded, no link out), printable, its figures
shown, goals rendered whatever their figures are called."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import replace
from html.parser import HTMLParser

import pytest

from hubbub import charts
from hubbub.goals.explain import GOAL_INFO, format_value
from hubbub.model import Goal
from hubbub.report import CSP, build_report, dates_window, render_html
from hubbub.report.model import GoalRow
from hubbub.report.render import goal_label, goal_title, goal_value
from hubbub.store import Store
from hubbub.web import charts as web_charts
from tests.report.helpers import FIRST, LAST, NOW, TZ, fill

WINDOW = dates_window(FIRST, LAST, TZ)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


@pytest.fixture
def html(store: Store) -> str:
    fill(store)
    with store.connect() as conn:
        report = build_report(conn, "larkspur", WINDOW, now=NOW)
    return render_html(report)


def test_the_report_loads_nothing_and_links_nowhere(html: str) -> None:
    parsed = _Tags()
    parsed.feed(html)
    names = {tag for tag, _ in parsed.tags}
    assert names.isdisjoint({"script", "link", "img", "iframe", "object", "embed", "base"})
    for tag, attrs in parsed.tags:
        for name in ("src", "srcset", "href", "xlink:href", "action", "poster", "data"):
            value = attrs.get(name)
            if value is None:
                continue
            # only anchors to the document's own sections
            assert name == "href" and tag == "a" and value.startswith("#"), (tag, name, value)
        style = attrs.get("style")
        assert style is None, (tag, style)  # the CSP allows the one style sheet only
    css = "".join(parsed.styles)
    assert "url(" not in css and "@import" not in css
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:|//|\.{0,2}/)""", html)
    # the web route's CSP names exactly this style sheet by its hash
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in CSP
    assert len(parsed.styles) == 1


def test_the_report_prints_each_section_on_its_own_pages(html: str) -> None:
    for section in ("summary", "insight", "listening", "goals", "audit", "attention"):
        assert f'<section class="part" id="{section}"' in html
    assert "@media print" in html
    assert "section.part + section.part { break-before: page; }" in html
    for chart in ("line", "stacked", "bar", "heatmap"):
        assert f'data-chart="{chart}"' in html, chart


def test_the_report_shows_its_figures(store: Store) -> None:
    fill(store)
    with store.connect() as conn:
        report = build_report(conn, "larkspur", WINDOW, now=NOW)
    html = render_html(report)
    mentions = report.figure["mentions"]
    shown = re.search(r'data-figure="mentions">.*?<span class="value">([^<]+)<', html)
    assert shown is not None and shown.group(1) == f"{int(mentions.value or 0):,}"
    assert "Nov 1 – Nov 7, 2026" in html
    assert "Post more." in html and "Answer." in html  # the newest audit's advice
    assert html.index("Answer.") < html.index("Post more.")  # act-now advice first
    for item in report.attention:
        assert f'data-item="{item.id}"' in html
    cells = re.findall(r'class="cell" data-count="(\d+)"', html)
    assert [int(c) for c in cells] == list(report.insight.hours)


def test_goal_figures_are_worded_as_the_goals_page_words_them() -> None:
    for goal, info in GOAL_INFO.items():
        for name, figure in info.figures.items():
            assert goal_label(goal, name) == figure.label
            assert goal_value(goal, name, 0.5) == format_value(figure.kind, 0.5)
    assert goal_title("traffic") == (GOAL_INFO["traffic"].title, GOAL_INFO["traffic"].what)
    assert goal_label("traffic", "clicks_bluesky") == "Clicks from Bluesky"
    assert goal_label("traffic", "clicks_direct") == "Clicks, no referrer"
    assert goal_value("customer_service", "answer_rate", 0.755) == "76%"
    assert goal_value("customer_service", "median_first_response_hours", 2.5) == "2.5 h"
    assert goal_value("customer_service", "median_first_response_hours", 0.5) == "30 min"
    assert goal_value("traffic", "clicks", 1204.0) == "1,204"
    assert goal_value("traffic", "clicks", None) == "–"
    assert goal_title("word_of_mouth") == ("Word of mouth", "")
    assert goal_label("word_of_mouth", "referrals_made") == "Referrals made"


def test_an_unknown_goal_is_shown_with_a_fallback_label(store: Store) -> None:
    fill(store)
    with store.connect() as conn:
        report = build_report(conn, "larkspur", WINDOW, now=NOW)
    extra = Goal("loyalty", {"returning_customers": 4.0, "repeat_share": 0.25})
    odd = GoalRow("word_of_mouth", {"referrals_made": 3.0}, {})
    rows = (*report.goals, GoalRow(extra.name, dict(extra.figures), {}), odd)
    html = render_html(replace(report, goals=rows))
    assert '<div class="goal" data-goal="loyalty">' in html and "<h3>Build loyalty</h3>" in html
    assert "Returning customers" in html and ">25%<" in html
    assert "<h3>Word of mouth</h3>" in html and "Referrals made" in html


def test_the_web_charts_are_the_shared_ones() -> None:
    assert web_charts.line_chart is charts.line_chart
    assert web_charts.bar_chart is charts.bar_chart


def test_heatmap_cells_carry_their_counts_and_shades() -> None:
    svg = str(
        charts.heatmap(
            ["Mon", "Tue"],
            ["00", "01", "02"],
            [[0, 5, 10], [1, 0, 2]],
            chart_id="h",
            title="Hours <test>",
            desc="d",
        )
    )
    counts = re.findall(r'data-count="(\d+)"', svg)
    fills = re.findall(r'data-count="\d+" [^>]*fill="(#[0-9a-f]+)"', svg)
    assert counts == ["0", "5", "10", "1", "0", "2"]
    assert fills[0] == charts.HEAT[0] and fills[2] == charts.HEAT[-1]  # none, the busiest
    assert fills[1] == charts.HEAT[3]  # half the peak: the middle shade
    assert "Hours &lt;test&gt;" in svg


def test_changes_read_as_people_say_them() -> None:
    from hubbub.report.model import Figure
    from hubbub.report.render import change_text

    assert change_text(Figure("reach", "Reach", 995.0, 1000.0, "count")) == (
        "-0.5% (-5) vs previous",
        "down bad",
    )
    assert change_text(Figure("mentions", "Mentions", 150.0, 100.0, "count"))[0].startswith(
        "+50% (+50)"
    )
    assert change_text(Figure("mentions", "Mentions", 4.0, 0.0, "count"))[0] == "+4 vs previous"
    # fewer negative mentions is good news; a share's change is in points
    assert change_text(Figure("negative", "Negative", 0.10, 0.14, "share")) == (
        "-4 pts vs previous",
        "down good",
    )
    assert change_text(Figure("voice", "Share of voice", None, 0.5, "share")) == ("", "flat")
    assert change_text(Figure("voice", "Share", 0.5, None, "share"))[0] == "nothing to compare with"
