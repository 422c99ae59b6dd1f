"""The Mentions page in a real browser: filter the demo workspace's mentions in place.

The demo world (30 days) goes through ``hubbub.listen.ingest``; the user is the demo
command's own (demo / demo). The filters are applied by htmx without a page load, so
the test also checks that the URL follows and that no script error or CSP violation
occurred. The page is saved to ``screenshots/mentions.png``. Skips where chromium or
Playwright is absent.
"""

from __future__ import annotations

from collections import Counter
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
    insights: list[tuple[str, dict[str, Any]]]  # (author handle, insight) of each mention


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    from hubbub.cli.commands import _demo_user

    home = tmp_path_factory.mktemp("e2e-mentions")
    store, workspace, report = demo_store(home)
    brand = next(s.name for s in workspace.streams if s.kind == "brand")
    assert report.mentions_new > 50
    _demo_user(store, workspace.slug)
    from sqlalchemy import select

    from hubbub.store.tables import accounts, mentions

    with store.connect() as conn:
        insights = [
            (str(handle), dict(insight))
            for handle, insight in conn.execute(
                select(accounts.c.handle, mentions.c.insight).join(
                    accounts, accounts.c.id == mentions.c.author_id
                )
            )
        ]
    try:
        with serving(store, home) as base:
            yield Served(base, brand, report.mentions_new, insights)
    finally:
        store.close()


def _log_in(page: Any, base: str) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto(base + "/")
    page.get_by_label("Username").fill("demo")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/w/larkspur/")
    return problems


def _commonest(served: Served, part: str, field: str, rank: int = 0) -> str:
    counts = Counter(
        str(ins[part][field]) for _, ins in served.insights if ins.get(part, {}).get(field)
    )
    return sorted(counts, key=lambda k: (-counts[k], k))[rank]


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


def test_filter_by_town_client_app_and_author(served: Served, browser: Any) -> None:
    """The insight fields only its JSON holds are filters too; each count is checked
    against one made here from the stored insights."""
    town = _commonest(served, "where", "town", rank=1)
    client = _commonest(served, "how", "client")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        problems = _log_in(page, served.base)
        page.goto(served.base + "/w/larkspur/mentions")
        page.evaluate("window.__same_page = true")
        page.locator("details.more-filters summary").click()
        page.get_by_label("Town", exact=True).fill(town)
        page.get_by_label("Town", exact=True).press("Enter")
        page.wait_for_url("**town=**")
        page.wait_for_load_state("networkidle")
        in_town = [i for _, i in served.insights if i["where"].get("town") == town]
        page.wait_for_function(
            "n => document.querySelector('#mention-count').innerText.startsWith(n + ' ')",
            arg=f"{len(in_town):,}",
            timeout=15_000,
        )
        assert 0 < _count(page) < served.mentions
        page.get_by_label("Client app").fill(client)
        page.get_by_label("Client app").press("Enter")
        page.wait_for_url("**client=**")
        both = [i for i in in_town if i["how"].get("client") == client]
        assert both, "the demo should have some"
        page.wait_for_function(
            "n => document.querySelector('#mention-count').innerText.startsWith(n + ' ')",
            arg=f"{len(both):,}",
            timeout=15_000,
        )
        assert page.locator("#mention-list li.mention").count() == min(50, len(both))
        assert page.evaluate("window.__same_page") is True
        shot(page, "mentions-town-client")

        # an author's handle lists that author's mentions
        handle = page.locator("#mention-list a.handle").first
        shown = handle.inner_text().strip()
        handle.click()
        page.wait_for_url("**author=**")
        by_author = [h for h, _ in served.insights if "@" + h.lstrip("@") == shown or h == shown]
        assert _count(page) == len(by_author)
        handles = page.locator("#mention-list a.handle").all_inner_texts()
        assert handles and {h.strip() for h in handles} == {shown}
        assert problems == []
    finally:
        context.close()


def test_insight_figures_open_the_matching_mentions(served: Served, browser: Any) -> None:
    """A hashtag's and a town's count on the Insight page link to the Mentions page
    filtered on them, which lists as many; both equal a count made here."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        problems = _log_in(page, served.base)
        for table, part, field, key in (
            ("table-towns", "where", "town", "town"),
            ("table-hashtags", "what", "hashtags", "hashtag"),
        ):
            page.goto(served.base + "/w/larkspur/insight?days=90")
            row = page.locator(f"#{table} tbody tr").first
            label = row.get_attribute("data-value") or ""
            shown = int(row.locator("td.count").inner_text().replace(",", ""))
            if key == "hashtag":
                expected = sum(
                    label in {"#" + t.lower() for t in i["what"]["hashtags"]}
                    for _, i in served.insights
                )
            else:
                expected = sum(i[part].get(field) == label for _, i in served.insights)
            assert shown == expected > 0, label
            row.locator("td.count a").click()
            page.wait_for_url(f"**{key}=**")
            assert _count(page) == expected, label
        assert problems == []
    finally:
        context.close()
