"""The Overview's insight panels: the alerts banner (with dismiss) and the listening summary."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient

from hubbub.insight.spikes import Spike
from hubbub.store.alerts import record_alerts
from tests.web.conftest import BRAND, NOW, SPECS, Populated


def _alert(populated: Populated, ws_id: int, stream: str = BRAND) -> int:
    spike = Spike(
        stream,
        "negative",
        NOW - timedelta(hours=23),
        NOW + timedelta(hours=1),
        0.6,
        0.1,
        0.05,
        0.25,
        20,
        12,
    )
    with populated.store.begin() as conn:
        (row,) = record_alerts(conn, ws_id, [spike], NOW)
    return row.id


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def test_banner_shows_and_dismiss_needs_csrf_and_the_workspace(
    logged_in: TestClient, populated: Populated
) -> None:
    assert 'id="alerts"' not in logged_in.get("/w/larkspur/").text
    mine = _alert(populated, populated.larkspur_id)
    theirs = _alert(populated, populated.other_id)
    page = logged_in.get("/w/larkspur/").text
    assert 'id="alerts"' in page and f'data-alert="{mine}"' in page
    assert f'data-alert="{theirs}"' not in page
    assert "60% negative in the last 24 h (12 of 20)" in page
    url = f"/w/larkspur/alerts/{mine}/dismiss"
    refused = logged_in.post(url, data={}, follow_redirects=False)
    assert refused.status_code == 403
    assert f'data-alert="{mine}"' in logged_in.get("/w/larkspur/").text
    other = logged_in.post(
        f"/w/larkspur/alerts/{theirs}/dismiss",
        data={"csrf_token": _csrf(page)},
        follow_redirects=False,
    )
    assert other.status_code == 404
    done = logged_in.post(url, data={"csrf_token": _csrf(page)}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/w/larkspur/"
    assert 'id="alerts"' not in logged_in.get("/w/larkspur/").text
    # a workspace alice is not in: 404, not a hint that it exists
    assert (
        logged_in.post(
            f"/w/other/alerts/{theirs}/dismiss",
            data={"csrf_token": _csrf(page)},
            follow_redirects=False,
        ).status_code
        == 404
    )


def test_summary_panel_figures(logged_in: TestClient) -> None:
    page = logged_in.get("/w/larkspur/").text
    week = [s for s in SPECS if NOW - timedelta(days=7) <= s.created < NOW and BRAND in s.streams]
    recent = [s for s in week if s.created >= NOW - timedelta(hours=24)]
    authors = {s.author for s in week}
    pos = sum(s.sentiment == "positive" for s in week)
    neg = sum(s.sentiment == "negative" for s in week)
    row = re.search(rf'<tr data-summary-stream="{BRAND}">(.*?)</tr>', page, re.S)
    assert row is not None
    cells = row.group(1)
    assert f"{len(week)} mentions" in cells
    strength = re.search(r'class="num strength">([^<]+)<', cells)
    assert strength is not None and strength.group(1) == f"{100 * len(recent) / len(week):.0f}%"
    ratio = re.search(r'class="num sentiment-ratio">([^<]+)<', cells)
    assert ratio is not None and ratio.group(1) == f"{pos / neg:.1f}:1"
    repeat = sum(1 for a in authors if sum(s.author == a for s in week) > 1)
    passion = re.search(r'class="num passion">([^<]+)<', cells)
    assert passion is not None and passion.group(1) == f"{100 * repeat / len(authors):.0f}%"
    reach = re.search(r'class="num reach">([^<]+)<', cells)
    assert reach is not None and reach.group(1) == f"{100 * len(authors) / len(week):.0f}%"
