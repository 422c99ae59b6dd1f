"""The Inbox in a real browser: a team of two works the demo workspace's inbox.

The demo world (30 days) goes through ``hubbub.listen.ingest``, which triages each
batch into the inbox; the users are the demo command's own (demo, and sam as staff).
Screenshots go to ``screenshots/``. Skips where chromium or Playwright is absent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from hubbub.store import Store
from tests.e2e.conftest import BROWSER, SHOTS, demo_store, serving, shot

pytestmark = BROWSER

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Python playwright is not installed"
)


@dataclass(frozen=True)
class Served:
    base: str
    store: Store
    items: int  # inbox items triage made for the demo


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    from sqlalchemy import func, select

    from hubbub.cli.commands import _demo_user
    from hubbub.store.tables import inbox_items

    home = tmp_path_factory.mktemp("e2e-inbox")
    store, workspace, _ = demo_store(home)
    assert "sam / demo" in _demo_user(store, workspace.slug)
    with store.connect() as conn:
        items = int(conn.execute(select(func.count()).select_from(inbox_items)).scalar_one())
    assert items > 0
    try:
        with serving(store, home) as base:
            yield Served(base, store, items)
    finally:
        store.close()


def _context(browser: Any, base: str, **kw: Any) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **kw)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    return context


def _log_in(page: Any, base: str, user: str) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto(base + "/")
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/w/larkspur/")
    return problems


def test_team_of_two_assigns_and_replies(served: Served, browser: Any) -> None:
    context = _context(browser, served.base)
    page = context.new_page()
    try:
        problems = _log_in(page, served.base, "demo")
        page.get_by_role("navigation", name="Workspace pages").get_by_role(
            "link", name="Inbox"
        ).click()
        page.wait_for_url("**/w/larkspur/inbox")
        assert page.title().startswith("Inbox")
        rows = page.locator("#inbox-items tbody tr")
        assert rows.count() == min(50, served.items)
        prios = [int(t) for t in page.locator("#inbox-items td.prio").all_inner_texts()]
        assert prios == sorted(prios, reverse=True)
        assert page.locator("#inbox-items .badge.overdue").count() > 0
        shot(page, "inbox")

        first = rows.first
        item_id = first.get_attribute("data-item")
        first.locator("a.item-link").click()
        page.wait_for_url(f"**/w/larkspur/inbox/{item_id}")
        assert page.locator("#item-state").text_content() == "new"
        assert page.locator("#thread li.this").count() == 1

        # assign to the other team member (htmx swaps the item in place)
        page.get_by_label("Assigned to").select_option(label="Sam")
        page.get_by_role("button", name="Assign", exact=True).click()
        page.wait_for_selector('#item[data-state="assigned"]')
        assert page.locator("#item-state").text_content() == "assigned"
        assert "Demo assigned to Sam" in page.locator("#history").inner_text()

        # write a reply: the count follows as the item's network counts it (on X and
        # Mastodon a URL is 23 characters, whatever its length)
        reply = page.locator("#reply")
        reply.fill("So sorry about that! Details: https://larkspurbakery.com/" + "x" * 60)
        playwright_api.expect(page.locator("#reply-count")).to_have_text(
            re.compile(r"^53 / (280|500) characters")
        )
        page.get_by_role("button", name="Copy reply and mark replied").click()
        page.wait_for_selector('#item[data-state="replied"]')
        assert page.locator("#item-state").text_content() == "replied"
        assert page.locator("#first-response").inner_text().startswith("First response")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.startswith("So sorry about that!")
        assert page.url.endswith(f"/inbox/{item_id}")  # swapped in place, no reload
        assert page.get_by_role("button", name="Copy reply", exact=True).is_visible()
        shot(page, "inbox-item")
        assert problems == []
    finally:
        context.close()

    # sam logs in and finds the item assigned to him, replied
    context = _context(browser, served.base)
    page = context.new_page()
    try:
        problems = _log_in(page, served.base, "sam")
        page.goto(served.base + "/w/larkspur/inbox?state=all&assignee=me")
        mine = page.locator("#inbox-items tbody tr")
        assert mine.count() == 1
        assert mine.first.get_attribute("data-item") == item_id
        assert mine.first.get_attribute("data-state") == "replied"
        # filters swap the list in place and keep the URL in step
        page.get_by_label("State").select_option("new")
        page.wait_for_url(re.compile(r".*state=new.*"))
        page.wait_for_load_state("networkidle")
        assert page.locator("#inbox-items tbody tr").count() == 0
        assert problems == []
    finally:
        context.close()


def test_bulk_ignore_and_phone_layout(served: Served, browser: Any) -> None:
    context = _context(browser, served.base)
    page = context.new_page()
    try:
        problems = _log_in(page, served.base, "demo")
        page.goto(served.base + "/w/larkspur/inbox")
        before = int(page.locator("#count-new").inner_text().split()[0].replace(",", ""))
        boxes = page.locator('#inbox-items input[name="ids"]')
        boxes.nth(0).check()
        boxes.nth(1).check()
        page.get_by_label("With the checked items").select_option("ignore")
        page.get_by_role("button", name="Apply").click()
        page.wait_for_selector("#inbox-notice")
        assert page.locator("#inbox-notice").inner_text() == "2 changed"
        after = int(page.locator("#count-new").inner_text().split()[0].replace(",", ""))
        assert after == before - 2
        assert problems == []
    finally:
        context.close()
    phone = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page = phone.new_page()
    try:
        _log_in(page, served.base, "demo")
        page.goto(served.base + "/w/larkspur/inbox")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / "inbox-phone.png"))  # the first screenful
        page.locator("#inbox-items a.item-link").first.click()
        page.wait_for_url("**/w/larkspur/inbox/*")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(SHOTS / "inbox-item-phone.png"))
    finally:
        phone.close()
