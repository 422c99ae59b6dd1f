"""The Audit page in a real browser: run an audit, watch its state, read the report.

The demo world (30 days) goes through ``hubbub.listen.ingest``; the user is the demo
command's owner (demo / demo). The bakery's website is pointed at the fixture site
(tests/fixtures/site/, served on 127.0.0.1) and the app is given a client that never
leaves the machine, so "Also check the website and blog" crawls a real (small) site.
The first run skips the crawl, the second crawls, so the page has a trend and owned
content findings. Screenshots: ``screenshots/audit.png`` and ``audit-phone.png``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from hubbub.settings import Settings
from hubbub.store import upsert_workspace
from hubbub.web import create_app
from tests.audit.site_server import offline_client, serve_site
from tests.e2e.conftest import BROWSER, demo_store, free_port, shot

pytestmark = BROWSER

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Python playwright is not installed"
)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    from hubbub.cli.commands import _demo_user

    home = tmp_path_factory.mktemp("e2e-audit")
    store, workspace, _ = demo_store(home)
    _demo_user(store, workspace.slug)
    with serve_site() as site:
        with store.begin() as conn:
            upsert_workspace(
                conn,
                replace(workspace, website=site.base, blog_feed=site.base + "blog/feed.xml"),
            )
        app = create_app(store, Settings(home=home))
        app.state.audit_client = offline_client
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                pytest.fail("uvicorn did not start within 20 s")
            time.sleep(0.05)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            store.close()


def _login(page: Any, base: str) -> None:
    page.goto(base + "/")
    page.get_by_label("Username").fill("demo")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/w/larkspur/")


def _run(page: Any, crawl: bool) -> None:
    box = page.get_by_label("Also check the website and blog (slower)")
    box.set_checked(crawl)
    page.get_by_role("button", name="Run audit now").click()
    page.wait_for_url("**/w/larkspur/audit?done=*")
    # the page refreshes itself while the run goes on
    page.locator('#run-state[data-state="done"]').wait_for(timeout=90_000)


def test_run_an_audit_and_read_it(served: str, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    try:
        _login(page, served)
        page.get_by_role("navigation", name="Workspace pages").get_by_role(
            "link", name="Audit"
        ).click()
        page.wait_for_url("**/w/larkspur/audit")
        assert page.title().startswith("Audit")
        assert "No audit yet" in page.locator("main").inner_text()

        _run(page, crawl=False)
        followers = int(page.locator("#kpi-followers").inner_text().replace(",", ""))
        assert followers > 1000  # the demo's follower list
        authentic = int(page.locator("#followers-authentic").inner_text().replace(",", ""))
        questionable = int(page.locator("#followers-questionable").inner_text().replace(",", ""))
        assert authentic + questionable == followers and questionable > 0
        assert page.locator("#recommendations li").count() >= 5
        assert page.locator("#table-voice tbody tr").count() == 3
        assert "Trends appear from the second audit on." in page.locator("main").inner_text()

        _run(page, crawl=True)
        assert page.locator("svg#trend-shares, svg[aria-labelledby^='trend-shares']").count() == 1
        assert page.locator("#findings-broken_link li").count() == 2
        # delicous, recieve, and larkbun: not one of the demo bakery's products
        assert page.locator("#findings-spelling").inner_text().count("may be misspelt") == 3
        assert "Audit stored, 4 pages checked." in page.locator("#run-state").inner_text()
        shot(page, "audit")
        assert problems == []
    finally:
        context.close()


def test_audit_on_a_phone(served: str, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page = context.new_page()
    try:
        _login(page, served)
        page.goto(served + "/w/larkspur/audit")
        shot(page, "audit-phone")
        wide = page.evaluate(
            "[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right"
            " > 391 && !e.closest('.scroll')).map(e => e.tagName + '.' + e.className + '#' + e.id)"
            ".slice(0, 5)"
        )
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, wide
    finally:
        context.close()
