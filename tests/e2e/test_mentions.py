"""The Mentions page in a real browser: filter the demo workspace's mentions in place.

The demo world (30 days) goes through ``hubbub.listen.ingest``; the user is the demo
command's own (demo / demo). The filters are applied by htmx without a page load, so
the test also checks that the URL follows and that no script error or CSP violation
occurred. The page is saved to ``screenshots/mentions.png``. Skips where chromium or
Playwright is absent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.e2e.conftest import BROWSER, SHOTS, demo_store, serving, shot

pytestmark = BROWSER

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Python playwright is not installed"
)


@dataclass(frozen=True)
class Served:
    base: str
    brand: str  # the name of the workspace's brand stream
    mentions: int


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    from hubbub.cli.commands import _demo_user

    home = tmp_path_factory.mktemp("e2e-mentions")
    store, workspace, report = demo_store(home)
    brand = next(s.name for s in workspace.streams if s.kind == "brand")
    assert report.mentions_new > 50
    _demo_user(store, workspace.slug)
    try:
        with serving(store, home) as base:
            yield Served(base, brand, report.mentions_new)
    finally:
        store.close()


def _count(page: Any) -> int:
    return int(page.locator("#mention-count").inner_text().split()[0].replace(",", ""))


def test_filter_negative_brand_mentions_in_place(served: Served, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    try:
        page.goto(served.base + "/")
        page.get_by_label("Username").fill("demo")
        page.get_by_label("Password").fill("demo")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/w/larkspur/")
        page.get_by_role("navigation", name="Workspace pages").get_by_role(
            "link", name="Mentions"
        ).click()
        page.wait_for_url("**/w/larkspur/mentions")
        assert page.title().startswith("Mentions")
        everything = _count(page)
        assert 50 < everything <= served.mentions
        assert page.locator("#mention-list li.mention").count() == 50
        times = [
            t
            for t in page.locator("#mention-list time").evaluate_all(
                "els => els.map(e => e.getAttribute('datetime'))"
            )
        ]
        assert times == sorted(times, reverse=True)  # newest first

        # each change is applied in place by htmx: the form stays, the URL follows
        page.evaluate("window.__same_page = true")
        page.get_by_label("Sentiment").select_option("negative")
        page.wait_for_url("**sentiment=negative**")
        page.get_by_label("Stream").select_option(label=served.brand)
        page.wait_for_url("**stream=**")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__same_page") is True  # no full page load happened

        filtered = _count(page)
        assert 0 < filtered < everything
        rows = page.locator("#mention-list li.mention")
        assert rows.count() == min(50, filtered)
        for i in range(rows.count()):
            row = rows.nth(i)
            assert row.get_attribute("data-sentiment") == "negative"
            assert served.brand in (row.get_attribute("data-streams") or "").split("|")
            assert row.locator(".sentiment.negative").inner_text() == "negative"
        marks = page.locator("#mention-list mark")
        assert marks.count() > 0
        assert all(t.strip() for t in marks.all_inner_texts())
        assert page.get_by_label("Sentiment").input_value() == "negative"
        shot(page, "mentions")

        # a search word narrows further and is highlighted too
        word = marks.first.inner_text().strip().split()[0].lstrip("#@$")
        page.get_by_label("Search").fill(word)
        page.wait_for_url("**q=**")
        page.wait_for_load_state("networkidle")
        # the swap can land after the URL changed on a loaded machine: wait for the
        # list to be the searched one (it times out, and fails, if it never is)
        page.wait_for_function(
            """w => [...document.querySelectorAll('#mention-list li.mention p.text')]
                     .every(p => p.innerText.toLowerCase().includes(w))""",
            arg=word.lower(),
            timeout=15_000,
        )
        searched = _count(page)
        assert 0 < searched <= filtered
        texts = page.locator("#mention-list li.mention p.text").all_inner_texts()
        assert texts and all(word.lower() in t.lower() for t in texts)
        assert problems == []
    finally:
        context.close()


def test_mentions_on_a_phone(served: Served, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page = context.new_page()
    try:
        page.goto(served.base + "/login?next=%2Fw%2Flarkspur%2Fmentions%3Fsentiment%3Dnegative")
        page.get_by_label("Username").fill("demo")
        page.get_by_label("Password").fill("demo")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/w/larkspur/mentions?sentiment=negative")
        assert page.get_by_label("Sentiment").input_value() == "negative"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways on a phone ({width} px)"
        assert page.locator("#mention-list li.mention").first.is_visible()
        page.screenshot(path=str(SHOTS / "mentions-phone.png"))  # the first screen only
    finally:
        context.close()
