"""The Publish page in a real browser: compose, watch the counters, schedule, see it
on the calendar. Screenshots ``publish`` and ``calendar`` go to ``screenshots/``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from hubbub.store import Store
from hubbub.store import media as media_rows
from hubbub.store import publish as queries
from tests.e2e.conftest import BROWSER, demo_store, serving, shot
from tests.images import jpeg, padded

pytestmark = BROWSER

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Python playwright is not installed"
)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Store, str]]:
    from hubbub.cli.commands import _demo_user

    home = tmp_path_factory.mktemp("e2e-publish")
    store, workspace, _ = demo_store(home, days=14)
    _demo_user(store, workspace.slug)
    try:
        with serving(store, home) as base:
            yield base, store, workspace.timezone
    finally:
        store.close()


def test_compose_count_schedule_and_see_it_on_the_calendar(
    served: tuple[str, Store, str], browser: Any
) -> None:
    base, store, tz = served
    expect = playwright_api.expect
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    try:
        page.goto(base + "/")
        page.get_by_label("Username").fill("demo")
        page.get_by_label("Password").fill("demo")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/w/larkspur/")
        nav = page.get_by_role("navigation", name="Workspace pages")
        nav.get_by_role("link", name="Publish").click()
        page.wait_for_url("**/w/larkspur/publish")

        text = page.get_by_label("Post text", exact=True)
        text.fill("Rye " * 80)  # 320 characters: over X and Bluesky, fine on Mastodon
        expect(page.locator('.count[data-network="bluesky"]')).to_have_class("count over")
        expect(page.locator('.count[data-network="mastodon"]')).to_contain_text("319/500")
        expect(page.locator(".counters .problems")).to_contain_text("Bluesky's 300 limit")

        message = "Our spring rye is back on Saturday! https://larkspurbakery.com/menu"
        text.fill(message)
        expect(page.locator('.count[data-network="x"]')).to_have_class("count fits")
        expect(page.locator(".counters .problems")).to_have_count(0)
        preview = page.locator('#preview .preview-net[data-network="bluesky"]')
        expect(preview).to_contain_text("Our spring rye is back")  # swapped in by htmx

        local = datetime.now(UTC).astimezone(ZoneInfo(tz)) + timedelta(days=1)
        when = local.replace(hour=9, minute=30)
        page.get_by_label(f"When ({tz})").fill(when.strftime("%Y-%m-%dT%H:%M"))
        page.get_by_label("Kind").select_option("self_promotion")
        page.get_by_label("Campaign").fill("spring-rye")
        page.get_by_role("button", name="Schedule").click()
        expect(page.locator("#publish-notice")).to_have_text("Scheduled.")
        day = page.locator(f'.cal-day[data-day="{when.date().isoformat()}"]')
        expect(day.locator(".cal-post")).to_contain_text("Our spring rye is back")
        expect(day.locator(".cal-post time")).to_contain_text("09:30")
        expect(page.locator("#balance")).to_contain_text("100% self-promotion")
        shot(page, "publish")

        page.get_by_role("link", name="Month").click()
        expect(page.locator(".cal-month")).to_be_visible()
        expect(day.locator(".cal-post")).to_contain_text("Our spring rye is back")
        shot(page, "calendar")

        page.set_viewport_size({"width": 390, "height": 844})  # a phone
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
        shot(page, "publish-phone")
        assert problems == []
    finally:
        context.close()
    with store.connect() as conn:
        [post] = [p for p in queries.list_posts(conn, 1) if p.campaign == "spring-rye"]
    assert post.state == "scheduled" and post.kind == "self_promotion"
    assert post.scheduled_for == when.replace(second=0, microsecond=0).astimezone(UTC)


def test_attach_images_with_alt_text_and_see_them_in_the_previews(
    served: tuple[str, Store, str], browser: Any, tmp_path: Path
) -> None:
    base, store, _ = served
    expect = playwright_api.expect
    photo = tmp_path / "rye.jpg"
    photo.write_bytes(jpeg(1200, 800, quality=85))
    big = tmp_path / "spelt-large.jpg"
    big.write_bytes(padded(1_300_000))  # fine on X and Mastodon, too big for Bluesky
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    try:
        page.goto(base + "/login")
        page.get_by_label("Username").fill("demo")
        page.get_by_label("Password").fill("demo")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/w/larkspur/")
        page.goto(base + "/w/larkspur/publish")
        page.get_by_label("Post text", exact=True).fill("Fresh rye and spelt this Saturday.")
        # choosing a file attaches it at once (htmx), the text and choices stay
        page.get_by_label("Image 1", exact=True).set_input_files(str(photo))
        slot = page.locator("#media-slot-1")
        expect(slot.locator("img.thumb")).to_be_visible()
        expect(slot).to_contain_text("rye.jpg")
        expect(slot).to_contain_text("JPEG, 1200 × 800")
        expect(page.get_by_label("Post text", exact=True)).to_have_value(
            "Fresh rye and spelt this Saturday."
        )
        warnings = page.locator(".counters .warnings")
        expect(warnings).to_contain_text("image 1 (rye.jpg) has no alt text")
        previews = page.locator("#preview .preview-media img")
        expect(previews).to_have_count(3)  # one per network
        page.get_by_label("Alt text for image 1").fill("Six rye loaves cooling on a rack")
        expect(warnings).to_have_count(0)
        expect(
            page.locator('#preview .preview-media img[alt="Six rye loaves cooling on a rack"]')
        ).to_have_count(3)

        page.get_by_label("Image 2", exact=True).set_input_files(str(big))
        expect(page.locator("#media-slot-2 img.thumb")).to_be_visible()
        problems_box = page.locator(".counters .problems")
        expect(problems_box).to_contain_text(
            "is 1,300,000 bytes; Bluesky takes at most 1,000,000 bytes per image"
        )
        expect(page.get_by_label("Alt text for image 1")).to_have_value(
            "Six rye loaves cooling on a rack"
        )
        page.get_by_label("Alt text for image 2").fill("Spelt loaves on the counter")
        expect(warnings).to_have_count(0)  # the counters caught up with the alt text
        shot(page, "publish-media")
        page.get_by_role("button", name="Remove image 2").click()
        expect(page.locator("#media-slot-2 img.thumb")).to_have_count(0)
        expect(problems_box).to_have_count(0)
        page.get_by_role("button", name="Save draft").click()
        expect(page.locator("#publish-notice")).to_have_text("Saved as a draft.")
        assert problems == []
    finally:
        context.close()
    with store.connect() as conn:
        [post] = [
            p for p in queries.list_posts(conn, 1) if p.text.startswith("Fresh rye and spelt")
        ]
        images = media_rows.post_images(conn, post.id)
    assert [(i.media.name, i.alt) for i in images] == [
        ("rye.jpg", "Six rye loaves cooling on a rack")
    ]
