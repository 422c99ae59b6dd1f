"""The Overview shows the figures of the stored mentions (computed here from SPECS)."""

from __future__ import annotations

import html
import re
from collections import Counter
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from hubbub.store.users import add_membership, authenticate
from tests.web.conftest import (
    AUTHORS,
    BRAND,
    FLOUR,
    NOW,
    PASSWORD,
    SPECS,
    STREAMS,
    TZ,
    Populated,
    Spec,
)

NY = ZoneInfo(TZ)


def _window(days: int) -> tuple[datetime, datetime, list[date]]:
    today = NOW.astimezone(NY).date()
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, time(0), NY)
    until = datetime.combine(today + timedelta(days=1), time(0), NY)
    return since, until, [first + timedelta(days=i) for i in range(days)]


def _in(days: int) -> list[Spec]:
    since, until, _ = _window(days)
    return [s for s in SPECS if since <= s.created < until]


def _text(page: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>([^<]*)<', page)
    assert found is not None, f"#{element_id} not on the page"
    return html.unescape(found.group(1)).strip()


def _pct(part: int, whole: int) -> str:
    value = 100 * part / whole if whole else 0.0
    return f"{value:.1f}%" if 0 < value < 10 else f"{value:.0f}%"


@pytest.mark.parametrize("days", [7, 30, 90])
def test_key_figures_and_sentiment_match_the_stored_mentions(
    logged_in: TestClient, days: int
) -> None:
    page = logged_in.get(f"/w/larkspur/?days={days}").text
    found = _in(days)
    assert len(found) not in (0, len(SPECS))  # the window really cuts the data
    assert _text(page, "kpi-mentions") == f"{len(found):,}"
    labels = Counter(s.sentiment for s in found)
    for label in ("positive", "neutral", "negative"):
        row = re.search(
            rf'data-sentiment="{label}">.*?class="num count">([^<]+)<.*?class="num share">([^<]+)<',
            page,
            re.S,
        )
        assert row is not None
        assert row.group(1) == str(labels[label])
        assert row.group(2) == _pct(labels[label], len(found))
    assert _text(page, "kpi-positive") == _pct(labels["positive"], len(found))


def test_share_of_voice_counts_brand_and_each_competitor(logged_in: TestClient) -> None:
    page = logged_in.get("/w/larkspur/?days=30").text
    found = _in(30)
    kinds = {s.name: s.kind for s in STREAMS}
    counts = Counter(name for s in found for name in s.streams if kinds[name] != "locale")
    total = sum(counts.values())
    for stream in (s.name for s in STREAMS if s.kind in ("brand", "competitor")):
        row = re.search(
            rf'data-stream="{re.escape(stream)}"[^>]*>.*?class="num count">([^<]+)<'
            r'.*?class="num share">([^<]+)<',
            page,
            re.S,
        )
        assert row is not None, stream
        assert row.group(1) == str(counts[stream])
        assert row.group(2) == _pct(counts[stream], total)
    assert _text(page, "kpi-voice") == _pct(counts[BRAND], total)
    # the locale stream is not a voice
    assert 'data-stream="AVL"' not in page


def test_mentions_over_time_are_per_local_day(logged_in: TestClient) -> None:
    page = logged_in.get("/w/larkspur/?days=7").text
    _, _, days = _window(7)
    for stream in (BRAND, FLOUR):
        expected = [
            sum(1 for s in _in(7) if stream in s.streams and s.created.astimezone(NY).date() == d)
            for d in days
        ]
        found = re.search(rf'data-series="{re.escape(stream)}" data-values="([^"]+)"', page)
        assert found is not None, stream
        assert [int(v) for v in found.group(1).split(",")] == expected
    # the 23:30 EST mention of Mar 7 is on Mar 7, not on Mar 8 (its UTC date)
    flour = re.search(rf'data-series="{FLOUR}" data-values="([^"]+)"', page)
    assert flour is not None
    assert flour.group(1).split(",")[days.index(date(2026, 3, 7))] == "1"
    # chart is accessible and has a data table fallback with the same numbers
    assert 'role="img"' in page and '<title id="over-time-title">' in page
    assert 'id="table-over-time"' in page


def test_top_authors_by_mentions_with_reach(logged_in: TestClient) -> None:
    page = logged_in.get("/w/larkspur/?days=90").text
    found = _in(90)
    counts = Counter(s.author for s in found)
    rows = re.findall(
        r'data-handle="([^"]+)">.*?class="num mentions">([^<]+)<.*?class="num reach">([^<]+)<',
        page,
        re.S,
    )
    by_handle = {AUTHORS[k].handle: k for k in AUTHORS}
    assert len(rows) == len(counts)
    shown = [(by_handle[h], int(n), int(r.replace(",", ""))) for h, n, r in rows]
    assert [n for _, n, _ in shown] == sorted(counts.values(), reverse=True)
    for key, n, reach in shown:
        assert n == counts[key]
        assert reach == AUTHORS[key].followers


def test_latest_mentions_newest_first_with_linked_escaped_entities(logged_in: TestClient) -> None:
    page = logged_in.get("/w/larkspur/?days=30").text
    found = sorted(_in(30), key=lambda s: s.created, reverse=True)
    items = re.findall(
        r'<li class="mention" data-network="([^"]+)" data-sentiment="([^"]+)">', page
    )
    assert [sentiment for _, sentiment in items] == [s.sentiment for s in found]
    assert [network for network, _ in items] == [AUTHORS[s.author].network for s in found]
    assert '<a class="entity hashtag" href="https://x.com/hashtag/larkspurbakery"' in page
    assert '<a class="entity mention" href="https://x.com/larkspurbakes"' in page
    assert '<a class="entity url" href="https://larkspurbakery.com/menu"' in page
    assert "&amp; " in page and "&lt;3" in page  # the text is escaped around the links
    assert "Ann &lt;Baker&gt;" in page and "Ann <Baker>" not in page
    # times in the workspace's zone: 12:00 UTC on Mar 10 is 08:00 EDT
    assert "Tue Mar 10, 08:00 EDT" in page
    # every stream of a mention is listed
    first_two = page.split('<li class="mention"')[2]
    assert '<span class="stream">Larkspur Bakery</span>' in first_two
    assert '<span class="stream">AVL</span>' in first_two


def test_other_workspaces_mentions_never_count(logged_in: TestClient) -> None:
    page = logged_in.get("/w/larkspur/?days=7").text
    assert _text(page, "kpi-mentions") == str(len(_in(7)))
    assert "o1 about" not in page


def test_bad_days_fall_back_to_30(logged_in: TestClient) -> None:
    page = logged_in.get("/w/larkspur/?days=abc").text
    assert _text(page, "kpi-mentions") == str(len(_in(30)))
    assert 'href="?days=30" aria-current="true"' in page
    assert logged_in.get("/w/larkspur/?days=3650").status_code == 200


def test_nav_lists_future_pages_disabled(logged_in: TestClient) -> None:
    page = logged_in.get("/w/larkspur/").text
    assert '<a href="/w/larkspur/" aria-current="page">Overview</a>' in page
    from hubbub.web.pages import NAV

    for label, path in NAV[1:]:  # pages not built yet are disabled, built ones are links
        if path is None:
            assert f'aria-disabled="true" title="Coming soon">{label}</span>' in page
        else:
            assert f'<a href="/w/larkspur/{path}">{label}</a>' in page


def test_workspace_switcher_lists_only_the_users_workspaces(
    logged_in: TestClient, populated: Populated
) -> None:
    assert 'class="switch"' not in logged_in.get("/w/larkspur/").text  # one workspace only
    with populated.store.begin() as conn:
        alice = authenticate(conn, "alice", PASSWORD)
        assert alice is not None
        add_membership(conn, alice.id, populated.other_id, "staff")
    page = logged_in.get("/w/other/")
    assert page.status_code == 200  # a member now
    switch = page.text.split('<details class="switch">')[1].split("</details>")[0]
    links = re.findall(r'<li><a href="(/w/[^"]+/)"( aria-current="page")?>', switch)
    assert links == [("/w/larkspur/", ""), ("/w/other/", ' aria-current="page"')]
