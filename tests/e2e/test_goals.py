"""The Goals page in a real browser over the demo with its goal data (``hubbub demo``'s
seeding): every panel shows figures, a lead's status changes in place, a manager adds
a promo code. Screenshots ``goals`` and ``goals-phone`` go to ``screenshots/``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hubbub.goals import demo as goals_demo
from hubbub.listen import ingest
from hubbub.model import GOALS
from hubbub.sources.demo import DemoSource, resolve_end
from hubbub.store import Store
from hubbub.store.goals import promo_codes_of
from hubbub.store.tables import leads
from hubbub.workspace import example_path, load_workspace
from tests.e2e.conftest import BROWSER, serving, shot

pytestmark = BROWSER

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Python playwright is not installed"
)


def goals_demo_store(home: Path, days: int = 30) -> Store:
    """The demo as ``hubbub demo`` stores it: the world, the login, the goals' data."""
    from hubbub.cli.commands import _demo_user

    store = Store.open(f"sqlite:///{home / 'hubbub.db'}")
    end = resolve_end(None)
    ws = goals_demo.prepare(store, load_workspace(example_path()), end)
    ingest(store, ws, DemoSource(ws, days=days, end=end))
    _demo_user(store, ws.slug)
    goals_demo.seed(store, ws, end, 7, days)
    return store


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Store]]:
    home = tmp_path_factory.mktemp("e2e-goals")
    store = goals_demo_store(home)
    try:
        with serving(store, home) as base:
            yield base, store
    finally:
        store.close()


def _login(page: Any, base: str) -> None:
    page.goto(base + "/")
    page.get_by_label("Username").fill("demo")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/w/larkspur/")


def test_goals_page_leads_and_codes(served: tuple[str, Store], browser: Any) -> None:
    base, store = served
    expect = playwright_api.expect
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    try:
        _login(page, base)
        page.get_by_role("navigation", name="Workspace pages").get_by_role(
            "link", name="Goals"
        ).click()
        page.wait_for_url("**/w/larkspur/goals")
        panels = page.locator("section.goal")
        expect(panels).to_have_count(len(GOALS))
        assert panels.evaluate_all("els => els.map(e => e.dataset.goal)") == list(GOALS)
        for goal in GOALS:  # every goal has data in the demo: no empty headline
            value = page.locator(f"#goal-{goal} [data-headline]").inner_text()
            assert re.search(r"[1-9]", value), (goal, value)
            expect(page.locator(f"#goal-{goal} svg.chart-column")).to_have_count(1)
        expect(page.locator("#table-events tr[data-event='Holiday market']")).to_have_count(1)
        expect(page.locator("#top-fans li").first).to_be_visible()

        # a lead's status, changed in place by htmx
        lead = page.locator("#lead-list li[data-status='open']").first
        lead_id = lead.get_attribute("data-lead")
        assert lead_id is not None
        row = page.locator(f"#lead-{lead_id}")
        row.get_by_label(re.compile("Status of the lead from")).select_option("won")
        row.get_by_role("button", name=re.compile("^Save")).click()
        expect(page.locator(f"#lead-{lead_id}")).to_have_attribute("data-status", "won")
        expect(page.locator(f"#lead-{lead_id} .saved")).to_have_text("Saved")
        with store.connect() as conn:
            stored = conn.execute(
                select(leads.c.status).where(leads.c.mention_id == int(lead_id))
            ).scalar_one()
        assert stored == "won"

        # a promo code, declared by the owner
        form = page.locator("#code-form")
        form.get_by_label("Code").fill("winter15")
        form.get_by_label(re.compile("What it gives")).fill("15% off pastries")
        form.get_by_label(re.compile("^From")).fill("2026-12-01")
        form.get_by_role("button", name="Add code").click()
        expect(page.locator("#goals-notice")).to_have_text("Declared code WINTER15.")
        expect(page.locator("#table-codes tr[data-code='WINTER15']")).to_contain_text(
            "15% off pastries"
        )
        with store.connect() as conn:
            codes = {c.code for c in promo_codes_of(conn, 1)}
        assert "WINTER15" in codes

        page.goto(base + "/w/larkspur/goals")
        shot(page, "goals")
        assert problems == [], problems
    finally:
        context.close()


def test_goals_page_on_a_phone(served: tuple[str, Store], browser: Any) -> None:
    base, _store = served
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    try:
        _login(page, base)
        page.goto(base + "/w/larkspur/goals?days=7")
        playwright_api.expect(page.locator("section.goal")).to_have_count(len(GOALS))
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= 390, f"the page scrolls sideways on a phone: {wide}px"
        shot(page, "goals-phone")
    finally:
        context.close()
