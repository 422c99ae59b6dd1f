"""The Insight page in a real browser over the demo store: every panel, on a desktop and
a phone (390 px must not scroll sideways), and a figure's link to the filtered Mentions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from hubbub.store import workspace_id
from hubbub.store.users import add_membership, create_user
from tests.e2e.conftest import BROWSER, demo_store, serving, shot

PASSWORD = "larkspur-demo-pass"
PANELS = ("who", "what", "when", "where", "why", "how", "extent")

pytestmark = BROWSER

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Python playwright is not installed"
)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    home = tmp_path_factory.mktemp("e2e-insight-page")
    store, workspace, _ = demo_store(home, days=30)
    with store.begin() as conn:
        ws_id = workspace_id(conn, workspace.slug)
        assert ws_id is not None
        user = create_user(conn, "maya", PASSWORD, name="Maya Ortiz")
        add_membership(conn, user, ws_id, "owner")
    try:
        with serving(store, home) as url:
            yield url, workspace.slug
    finally:
        store.close()


@pytest.mark.parametrize(("name", "width"), [("insight", 1280), ("insight-phone", 390)])
def test_insight_panels(browser: Any, base: tuple[str, str], name: str, width: int) -> None:
    url, slug = base
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{url}/w/{slug}/insight")
        page.get_by_label("Username").fill("maya")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state("networkidle")
        assert page.url.endswith(f"/w/{slug}/insight")
        for panel in PANELS:
            assert page.locator(f"#panel-{panel}").is_visible(), panel
        total = int(page.locator("#kpi-mentions").inner_text().replace(",", ""))
        assert total > 0
        assert page.locator("#table-heatmap tbody tr").count() == 24
        assert page.locator("#table-networks tbody tr").count() >= 1
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width + 1, "the page scrolls sideways"
        shot(page, name)
        if width > 500:  # follow one figure to the Mentions page it stands for
            link = page.locator("#table-networks tbody tr").first.locator("a")
            count = int(link.inner_text().replace(",", ""))
            link.click()
            page.wait_for_load_state("networkidle")
            assert "/mentions?" in page.url and "network=" in page.url
            assert page.locator("#mention-count").inner_text().startswith(f"{count:,} mention")
    finally:
        context.close()
