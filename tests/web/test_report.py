"""The Report link: the workspace's report as HTML behind the login, under its own CSP;
and the weekly digest's settings on the Settings page (owners change them)."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
from fastapi.testclient import TestClient

from hubbub.report import CSP
from hubbub.report.digest import digest_settings
from hubbub.settings import Settings
from hubbub.store.users import add_membership, create_user
from hubbub.web import create_app
from tests.web.conftest import NOW, PASSWORD, SPECS, TZ, Populated, login


def _count(days: int) -> int:
    """Mentions in the last ``days`` local days up to NOW, counted from the specs."""
    zone = ZoneInfo(TZ)
    today = NOW.astimezone(zone).date()
    since = datetime.combine(today - timedelta(days=days - 1), time(0), tzinfo=zone)
    until = datetime.combine(today + timedelta(days=1), time(0), tzinfo=zone)
    return sum(since <= s.created < until for s in SPECS)


def test_the_report_needs_a_login(client: TestClient) -> None:
    response = client.get("/w/larkspur/report?days=7", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


def test_the_report_of_the_overview_s_window(logged_in: TestClient) -> None:
    overview = logged_in.get("/w/larkspur/?days=7").text
    assert 'href="/w/larkspur/report?days=7"' in overview
    response = logged_in.get("/w/larkspur/report?days=7")
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == CSP
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "<title>Larkspur Bakery: social listening report, Mar 4 – Mar 10, 2026</title>" in page
    shown = re.search(r'data-figure="mentions">.*?<span class="value">([^<]+)<', page)
    assert shown is not None and shown.group(1) == f"{_count(7):,}"
    assert _count(7) != _count(30)  # the window matters
    month = logged_in.get("/w/larkspur/report?days=30").text
    shown = re.search(r'data-figure="mentions">.*?<span class="value">([^<]+)<', month)
    assert shown is not None and shown.group(1) == f"{_count(30):,}"


def test_a_window_of_dates_and_bad_dates(logged_in: TestClient) -> None:
    page = logged_in.get("/w/larkspur/report?from=2026-03-01&to=2026-03-05")
    assert page.status_code == 200 and "Mar 1 – Mar 5, 2026" in page.text
    assert logged_in.get("/w/larkspur/report?from=2026-03-40&to=2026-03-05").status_code == 400
    assert logged_in.get("/w/larkspur/report?from=2026-03-05&to=2026-03-01").status_code == 400
    assert logged_in.get("/w/larkspur/report?from=2026-03-05").status_code == 400


def test_another_workspace_s_report_is_not_found(logged_in: TestClient) -> None:
    assert logged_in.get("/w/other/report").status_code == 404
    assert logged_in.get("/w/nowhere/report").status_code == 404


def _csrf(client: TestClient) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/w/larkspur/settings").text)
    assert found is not None
    return found.group(1)


def _save(client: TestClient, **data: str) -> httpx.Response:
    response: httpx.Response = client.post(
        "/w/larkspur/settings/digest",
        data={**data, "csrf_token": _csrf(client)},
        follow_redirects=False,
    )
    return response


def test_owners_set_the_digest_and_staff_may_not(
    logged_in: TestClient, populated: Populated, app_settings: Settings
) -> None:
    page = logged_in.get("/w/larkspur/settings").text
    assert 'action="/w/larkspur/settings/digest"' in page
    saved = _save(
        logged_in, recipients="maya@larkspur.test, sam@larkspur.test", weekday="4", hour="17"
    )
    assert saved.status_code == 303 and "Saved+the+weekly+digest" in saved.headers["location"]
    with populated.store.connect() as conn:
        chosen = digest_settings(conn, populated.larkspur_id)
    assert chosen.recipients == ("maya@larkspur.test", "sam@larkspur.test")
    assert (chosen.weekday, chosen.hour) == (4, 17)
    page = logged_in.get("/w/larkspur/settings").text
    assert 'value="maya@larkspur.test, sam@larkspur.test"' in page
    assert '<option value="4" selected>Friday</option>' in page

    refused = _save(logged_in, recipients="not an address", weekday="0", hour="8")
    assert refused.status_code == 303 and "is+not+an+e-mail+address" in refused.headers["location"]
    with populated.store.connect() as conn:
        assert digest_settings(conn, populated.larkspur_id) == chosen  # nothing changed

    with populated.store.begin() as conn:
        kim = create_user(conn, "kim", PASSWORD)
        add_membership(conn, kim, populated.larkspur_id, "staff")
    staff = TestClient(create_app(populated.store, app_settings, clock=lambda: NOW))
    assert login(staff, "kim").status_code == 303
    shown = staff.get("/w/larkspur/settings").text
    assert 'action="/w/larkspur/settings/digest"' not in shown and 'id="digest-values"' in shown
    assert _save(staff, recipients="kim@larkspur.test", weekday="0", hour="8").status_code == 403
