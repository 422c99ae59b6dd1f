"""The Streams page in a real browser: make a stream, see the query checked live, see its mentions.

The demo world (30 days) goes through ``hubbub.listen.ingest``; the user is the demo
command's own owner (demo / demo). The query is checked by htmx as it is typed, so a
broken query shows its error and caret before anything is submitted; the new stream
is matched over the stored posts at once (the newest first; on a loaded machine the
older ones go on in the background, which the test waits for), so its mentions are
on the Mentions page right after. Screenshots: ``screenshots/stream-edit.png`` (the
form with a valid query and its preview) and ``screenshots/streams.png`` (the list
after saving). Skips where chromium or Playwright is absent.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import BROWSER, SHOTS, demo_store, serving, shot

pytestmark = BROWSER

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Python playwright is not installed"
)

NAME = "Cold brew"
QUERY = '"cold brew" -is:retweet'


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from hubbub.cli.commands import _demo_user

    home = tmp_path_factory.mktemp("e2e-streams")
    store, workspace, _ = demo_store(home)
    _demo_user(store, workspace.slug)
    try:
        with serving(store, home) as base:
            yield base
    finally:
        store.close()


def _total(page: Any) -> int:
    """The mentions count on the new stream's card of the Streams page."""
    card = page.locator(f'li.stream-card[data-stream="{NAME}"]')
    return int(card.locator(".counts strong").first.inner_text().replace(",", ""))


def _login(page: Any, base: str) -> None:
    page.goto(base + "/")
    page.get_by_label("Username").fill("demo")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/w/larkspur/")


def test_create_a_stream_and_see_its_mentions(served: str, browser: Any) -> None:
    expect = playwright_api.expect
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    try:
        _login(page, served)
        page.get_by_role("navigation", name="Workspace pages").get_by_role(
            "link", name="Streams"
        ).click()
        page.wait_for_url("**/w/larkspur/streams")
        assert page.title().startswith("Streams")
        cards = page.locator("#stream-list li.stream-card")
        assert cards.count() >= 4
        assert page.locator('li[data-origin="file"] .origin').first.inner_text() == (
            "defined in hubbub.toml"
        )

        page.get_by_role("link", name="New stream").click()
        page.wait_for_url("**/streams/new")
        page.get_by_label("Name").fill(NAME)
        page.get_by_label("Kind").select_option("campaign")
        query = page.get_by_label("Query")
        query.fill('("cold brew" -is:retweet')  # a parenthesis never closed
        check = page.locator("#query-check")
        expect(check.locator(".check-error")).to_be_visible()
        expect(check).to_contain_text("Not valid at column 1")
        expect(check).to_contain_text("never closed")
        assert check.locator("pre.caret mark").inner_text() == "("
        query.fill(QUERY)
        expect(check.locator(".check-ok")).to_be_visible()
        expect(check).to_contain_text('Looks for "cold brew"; leaves out is:retweet.')
        expect(check.locator("#preview-count")).to_contain_text("Would have matched")
        matched = int(check.locator("#preview-count strong").inner_text().replace(",", ""))
        assert matched > 0
        assert check.locator(".samples li").count() == 3
        shot(page, "stream-edit")

        page.get_by_role("button", name="Create stream").click()
        page.wait_for_url("**/w/larkspur/streams?done=**")
        notice = page.locator("#streams-notice")
        expect(notice).to_contain_text(f"Made stream '{NAME}'")
        card = page.locator(f'li.stream-card[data-stream="{NAME}"]')
        assert card.get_attribute("data-origin") == "web"
        assert card.get_attribute("data-state") == "active"
        total = _total(page)
        assert total > 0
        shot(page, "streams")
        if "in the background" in notice.inner_text():  # a loaded machine: wait for the rest
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                time.sleep(1)
                page.reload()
                now = _total(page)
                if now == total:
                    break
                total = now

        card.get_by_role("link", name="See its mentions").click()
        page.wait_for_url("**/w/larkspur/mentions?stream=**")
        count = int(page.locator("#mention-count").inner_text().split()[0].replace(",", ""))
        assert count == total
        rows = page.locator("#mention-list li.mention")
        assert rows.count() == min(50, total)
        for i in range(rows.count()):
            row = rows.nth(i)
            assert NAME in (row.get_attribute("data-streams") or "").split("|")
            assert "cold brew" in row.locator("p.text").inner_text().lower()
        assert page.get_by_label("Stream").locator("option:checked").inner_text() == NAME

        page.go_back()
        page.wait_for_url("**/w/larkspur/streams**")
        page.locator(f'li.stream-card[data-stream="{NAME}"]').get_by_role(
            "button", name="Pause"
        ).click()
        page.wait_for_url("**/w/larkspur/streams?done=**")
        expect(page.locator("#streams-notice")).to_contain_text(f"Paused stream '{NAME}'")
        card = page.locator(f'li.stream-card[data-stream="{NAME}"]')
        assert card.get_attribute("data-state") == "paused"
        expect(card.locator(".state")).to_have_text("Paused")
        assert problems == []
    finally:
        context.close()


def test_streams_on_a_phone(served: str, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page = context.new_page()
    try:
        _login(page, served)
        page.goto(served + "/w/larkspur/streams/new")
        page.get_by_label("Query").fill('"west asheville" (bakery OR #sourdough)')
        page.locator("#query-check .check-ok").wait_for()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the form scrolls sideways on a phone ({width} px)"
        page.goto(served + "/w/larkspur/streams")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the list scrolls sideways on a phone ({width} px)"
        page.screenshot(path=str(SHOTS / "streams-phone.png"))
    finally:
        context.close()
