"""The web UI in a real browser: Debian's chromium driven by Playwright.

One temporary SQLite store is filled once per module by the demo source (the
bakery, 30 days) through ``hubbub.listen.ingest``; uvicorn serves the app on a free
port of 127.0.0.1 in a thread. Each page is saved to ``screenshots/`` (gitignored)
for a person to look at. Skips where chromium or Playwright is absent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from hubbub.store import workspace_id
from hubbub.store.users import add_membership, create_user
from tests.e2e.conftest import BROWSER, demo_store, serving, shot

PASSWORD = "larkspur-demo-pass"

pytestmark = BROWSER

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Python playwright is not installed"
)


@dataclass(frozen=True)
class Served:
    base: str
    mentions_30: int


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    home = tmp_path_factory.mktemp("e2e-home")
    store, workspace, report = demo_store(home)
    assert report.mentions_new > 0
    with store.begin() as conn:
        ws_id = workspace_id(conn, workspace.slug)
        assert ws_id is not None
        user = create_user(conn, "maya", PASSWORD, name="Maya Ortiz")
        add_membership(conn, user, ws_id, "owner")
    try:
        with serving(store, home) as base:
            yield Served(base, report.mentions_new)
    finally:
        store.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    problems: list[str] = []
    opened.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    opened.on("pageerror", lambda exc: problems.append(str(exc)))
    opened.problems = problems
    try:
        yield opened
    finally:
        context.close()


def _log_in(page: Any, base: str, password: str = PASSWORD) -> None:
    page.goto(base + "/")
    page.get_by_label("Username").fill("maya")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("networkidle")


def _number(text: str) -> int:
    return int(text.strip().replace(",", ""))


def test_overview_shows_charts_and_latest_mentions(served: Served, page: Any) -> None:
    page.goto(served.base + "/")
    assert page.url.startswith(served.base + "/login")
    shot(page, "login")
    _log_in(page, served.base)
    assert page.url == served.base + "/w/larkspur/"
    assert page.title().startswith("Overview")

    total = _number(page.locator("#kpi-mentions").inner_text())
    assert 0 < total <= served.mentions_30

    lines = page.locator("figure.for-wide svg.chart-line g.series")
    assert lines.count() >= 3
    values = [
        sum(int(v) for v in (lines.nth(i).get_attribute("data-values") or "0").split(","))
        for i in range(lines.count())
    ]
    assert max(values) > 0
    assert page.locator("figure.for-wide svg.chart-line polyline").count() == lines.count()
    segments = page.locator("svg.chart-stacked rect.segment")
    assert segments.count() >= 2
    assert (
        sum(float(segments.nth(i).get_attribute("data-value")) for i in range(segments.count()))
        == total
    )
    bars = page.locator("svg.chart-bar g.bar")
    assert bars.count() == 3  # the bakery and its two competitors
    assert bars.first.get_attribute("data-label") == "Larkspur Bakery"

    mentions = page.locator("#latest-mentions li.mention")
    assert mentions.count() == 20
    assert page.locator("#latest-mentions a.entity").count() > 0
    assert page.locator("#table-authors tbody tr").count() > 0
    shot(page, "overview")

    # the period switch (htmx swaps the page body, the URL follows)
    page.get_by_role("link", name="7 days").click()
    page.wait_for_url("**/w/larkspur/?days=7")
    page.wait_for_load_state("networkidle")
    week = _number(page.locator("#kpi-mentions").inner_text())
    assert 0 < week < total
    assert (
        page.locator("figure.for-wide svg.chart-line g.series")
        .first.get_attribute("data-values")
        .count(",")
        == 6
    )
    shot(page, "overview-7days")
    assert page.problems == []  # no script errors, no CSP violations


def test_overview_on_a_phone(served: Served, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page = context.new_page()
    try:
        _log_in(page, served.base)
        assert page.url.endswith("/w/larkspur/")
        # nothing wider than the screen but the scrollable nav and tables
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
        shot(page, "overview-phone")
    finally:
        context.close()


def test_wrong_password_shows_the_error(served: Served, page: Any) -> None:
    _log_in(page, served.base, password="not-the-password")
    assert "/login" in page.url
    alert = page.get_by_role("alert")
    assert alert.inner_text().strip() == "Wrong username or password"
    assert page.get_by_label("Username").input_value() == "maya"
    shot(page, "login-error")


def test_logout_returns_to_login(served: Served, page: Any) -> None:
    _log_in(page, served.base)
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")
    page.goto(served.base + "/w/larkspur/")
    assert "/login" in page.url


def test_a_post_without_the_csrf_token_is_refused_in_the_browser(served: Served, page: Any) -> None:
    """From a logged-in page, a fetch and a plain form that leave the token out are
    answered 403; the same fetch with the page's token gets past the check (to a 404:
    no such alert), so it is the token that was refused, not the request."""
    _log_in(page, served.base)
    page.wait_for_url("**/w/larkspur/")
    url = "/w/larkspur/alerts/999999/dismiss"
    status = """async ([url, token]) => {
        const body = new URLSearchParams(token ? {csrf_token: token} : {});
        const r = await fetch(url, {method: "POST", body, redirect: "manual"});
        return r.status;
    }"""
    assert page.evaluate(status, [url, ""]) == 403
    token = page.locator('input[name="csrf_token"]').first.get_attribute("value")
    assert token
    assert page.evaluate(status, [url, token]) == 404
    # a form made on the page and submitted as a user would, without the token
    with page.expect_navigation() as navigation:
        page.evaluate(
            """url => {
                const form = document.createElement("form");
                form.method = "post";
                form.action = url;
                document.body.append(form);
                form.submit();
            }""",
            url,
        )
    response = navigation.value
    assert response is not None and response.status == 403
    shot(page, "csrf-refused")
    # still logged in: the refusal changed nothing
    page.goto(served.base + "/w/larkspur/")
    assert "/login" not in page.url
    assert [p for p in page.problems if "status of 403" not in p and "404" not in p] == []
