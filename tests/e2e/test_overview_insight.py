"""The Overview's alert banner and listening summary in a real browser (desktop and phone)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hubbub.insight.spikes import Spike
from hubbub.store import workspace_id
from hubbub.store.alerts import record_alerts
from hubbub.store.users import add_membership, create_user
from tests.e2e.conftest import BROWSER, demo_store, serving, shot

PASSWORD = "larkspur-demo-pass"

pytestmark = BROWSER

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Python playwright is not installed"
)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("e2e-insight")
    store, workspace, _ = demo_store(home, days=14)
    now = datetime.now(UTC)
    spike = Spike(
        "Larkspur Bakery",
        "negative",
        now - timedelta(hours=23),
        now + timedelta(hours=1),
        0.42,
        0.08,
        0.04,
        0.2,
        31,
        13,
    )
    with store.begin() as conn:
        ws_id = workspace_id(conn, workspace.slug)
        assert ws_id is not None
        user = create_user(conn, "maya", PASSWORD, name="Maya Ortiz")
        add_membership(conn, user, ws_id, "owner")
        record_alerts(conn, ws_id, [spike], now)
    try:
        with serving(store, home) as url:
            yield url
    finally:
        store.close()


def _log_in(page: Any, base: str) -> None:
    page.goto(base + "/")
    page.get_by_label("Username").fill("maya")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize(
    ("name", "width"), [("overview-insight", 1280), ("overview-insight-phone", 390)]
)
def test_banner_and_summary_then_dismiss(browser: Any, base: str, name: str, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        _log_in(page, base)
        banner = page.locator("#alerts .alert")
        assert banner.count() == 1
        assert "42% negative in the last 24 h (13 of 31)" in banner.inner_text()
        rows = page.locator("#table-summary tbody tr")
        assert rows.count() >= 2
        brand = page.locator('#table-summary tr[data-summary-stream="Larkspur Bakery"]')
        assert "mentions" in brand.inner_text()
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width + 1, "the page scrolls sideways"
        shot(page, name)
        if width < 500:  # dismiss once, on the phone
            page.get_by_role("button", name="Dismiss").click()
            page.wait_for_load_state("networkidle")
            assert page.locator("#alerts").count() == 0
    finally:
        context.close()
