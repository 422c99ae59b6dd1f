"""Issue 6's whole loop in a real browser: plan a week of posts on the Publish page, see
each go out to the fake X at its time (not a minute before), follow a tracked link the
way a reader would and see the click counted, then open the report.

The week is simulated: the scheduler's pass (:func:`hubbub.publish.scheduler.run_due`,
what ``hubbub worker`` runs every 30 s) is called at each post's time and a minute
before it, against the fake X on 127.0.0.1. The reader's browser follows the short link
to the bakery's site, which this closed network cannot reach: the test checks the
redirect the browser followed.
Screenshot ``publish-week`` goes to ``screenshots/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import SecretStr

from hubbub.publish.scheduler import run_due
from hubbub.sources.x.client import XClient
from hubbub.sources.x.publish import XPublisher
from hubbub.store import Store
from hubbub.store import publish as queries
from tests.e2e.conftest import BROWSER, demo_store, serving, shot
from tests.fakes.x_api import USER_TOKEN, FakeX

pytestmark = BROWSER

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Python playwright is not installed"
)

CAMPAIGN = "week-plan"
SITE = "https://larkspurbakery.com"
PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Store, str]]:
    from hubbub.cli.commands import _demo_user

    home = tmp_path_factory.mktemp("e2e-publish-week")
    store, workspace, _ = demo_store(home, days=14)
    _demo_user(store, workspace.slug)
    try:
        with serving(store, home) as base:
            yield base, store, workspace.timezone
    finally:
        store.close()


@pytest.fixture
def fake_x() -> Iterator[FakeX]:
    fake = FakeX().start()
    yield fake
    fake.stop()


def _log_in(page: Any, base: str) -> None:
    page.goto(base + "/")
    page.get_by_label("Username").fill("demo")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/w/larkspur/")


def test_plan_a_week_see_it_go_out_on_time_count_a_click_and_open_the_report(
    served: tuple[str, Store, str], browser: Any, fake_x: FakeX
) -> None:
    base, store, tz = served
    expect = playwright_api.expect
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    start = datetime.now(UTC).astimezone(ZoneInfo(tz)).replace(second=0, microsecond=0)
    planned = [
        (start + timedelta(days=day)).replace(hour=9 + day, minute=15) for day in range(1, 8)
    ]
    try:
        _log_in(page, base)
        page.get_by_role("navigation", name="Workspace pages").get_by_role(
            "link", name="Publish"
        ).click()
        page.wait_for_url("**/w/larkspur/publish")
        for day, when in enumerate(planned, start=1):
            page.get_by_label("Post text", exact=True).fill(
                f"Day {day} of our bread week: see what's baking {SITE}/menu?day={day}"
            )
            for network in ("mastodon", "bluesky"):  # this week is for X
                page.locator(f"#c-net-{network}").uncheck()
            page.locator("#c-net-x").check()
            page.get_by_label(f"When ({tz})").fill(when.strftime("%Y-%m-%dT%H:%M"))
            page.get_by_label("Kind").select_option("conversation")
            page.get_by_label("Campaign").fill(CAMPAIGN)
            page.locator("#c-schedule").click()
            expect(page.locator("#publish-notice")).to_have_text("Scheduled.")
            cell = page.locator(f'.cal-day[data-day="{when.date().isoformat()}"]')
            expect(cell.locator(".cal-post")).to_contain_text(f"Day {day} of our bread week")
        shot(page, "publish-week")

        # the week goes by: each post goes out at its time, and not a minute before
        with store.connect() as conn:
            posts = sorted(
                (p for p in queries.list_posts(conn, 1) if p.campaign == CAMPAIGN),
                key=lambda p: p.scheduled_for,
            )
        assert [p.scheduled_for for p in posts] == [w.astimezone(UTC) for w in planned]
        publisher = XPublisher(XClient(SecretStr(USER_TOKEN), fake_x.url, timeout=5))
        try:
            for n, post in enumerate(posts, start=1):
                early = run_due(store, post.scheduled_for - timedelta(minutes=1), lambda _: None)
                assert post.id not in early.published and len(fake_x.posted) == n - 1
                on_time = run_due(
                    store,
                    post.scheduled_for,
                    lambda net: publisher if net == "x" else None,
                    base_url=base,
                )
                assert on_time.published == [post.id]
                assert len(fake_x.posted) == n
        finally:
            publisher.close()
        texts = [body["text"] for body in fake_x.posted]
        assert all(f"{base}/l/" in t and f"{SITE}/menu" not in t for t in texts), texts
        with store.connect() as conn:
            states = {p.id: p.state for p in queries.list_posts(conn, 1)}
        assert all(states[p.id] == "published" for p in posts)

        # a reader follows Wednesday's short link from X to the bakery's site
        short = next(w for w in texts[2].split() if w.startswith(f"{base}/l/"))
        landed: list[Any] = []
        # a reader on a phone: headless chromium's own agent is counted as a robot
        reader = browser.new_context(user_agent=PHONE)
        try:
            reader_page = reader.new_page()
            reader_page.on(
                "request", lambda r: landed.append(r) if r.url.startswith(SITE) else None
            )
            with pytest.raises(playwright_api.Error, match="ERR_NAME_NOT_RESOLVED"):
                reader_page.goto(short)  # the bakery's site is out of this closed network
        finally:
            reader.close()
        assert len(landed) == 1 and landed[0].redirected_from.url == short
        landed = [landed[0].url]
        assert len(landed) == 1 and "day=3" in landed[0] and "utm_campaign=week-plan" in landed[0]

        page.goto(base + "/w/larkspur/publish")
        code = short.rsplit("/", 1)[1]
        row = page.locator("#link-stats tr", has_text=f"/l/{code}")
        expect(row.locator("td.num")).to_have_text("1")
        expect(page.locator("#campaign-clicks")).to_contain_text(f"{CAMPAIGN} 1")

        # and the report of the last 7 days opens from the Overview
        page.goto(base + "/w/larkspur/")
        page.locator("#report-link").click()
        expect(page.locator("h1")).to_contain_text("Larkspur Bakery")
        expect(page.locator("#goals")).to_be_visible()
        assert problems == []
    finally:
        context.close()
