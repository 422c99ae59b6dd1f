"""The HTML report in a real browser over the demo store: every section shows, nothing is
fetched but the file itself, print media starts each section on a new page, a phone does
not scroll sideways; the screenshot goes to screenshots/report.png."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from hubbub.report import build_report, last_days, render_html
from tests.e2e.conftest import BROWSER, demo_store, shot

pytestmark = BROWSER

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Python playwright is not installed"
)

SECTIONS = ("summary", "insight", "listening", "goals", "audit", "attention")


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, int]]:
    home = tmp_path_factory.mktemp("e2e-report")
    store, workspace, _ = demo_store(home, days=30)
    now = datetime.now(UTC)
    try:
        with store.connect() as conn:
            report = build_report(
                conn, workspace.slug, last_days(now, 7, workspace.timezone), now=now
            )
    finally:
        store.close()
    path = home / "report.html"
    path.write_text(render_html(report), encoding="utf-8")
    yield path, report.totals.mentions


@pytest.mark.parametrize(("name", "width"), [("report", 1100), ("report-phone", 390)])
def test_the_report_reads_in_a_browser(
    browser: Any, report_file: tuple[Path, int], name: str, width: int
) -> None:
    path, mentions = report_file
    assert mentions > 0
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    try:
        page.goto(path.as_uri())
        page.wait_for_load_state("networkidle")
        assert requested == [path.as_uri()], requested  # nothing else was fetched
        assert page.title().startswith("Larkspur Bakery: social listening report")
        for section in SECTIONS:
            assert page.locator(f"section#{section}").is_visible(), section
        shown = page.locator('[data-figure="mentions"] .value').inner_text()
        assert int(shown.replace(",", "")) == mentions
        assert page.locator("svg.chart-heatmap rect.cell").count() == 168
        assert page.locator("svg.chart-line polyline").count() >= 1
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width + 1, "the report scrolls sideways"
        shot(page, name)
        if width > 500:
            page.emulate_media(media="print")
            breaks = page.evaluate(
                "[...document.querySelectorAll('section.part')]"
                ".map(s => getComputedStyle(s).breakBefore)"
            )
            assert breaks == ["auto"] + ["page"] * (len(SECTIONS) - 1)
    finally:
        context.close()
