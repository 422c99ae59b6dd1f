"""The Publish page and the tracked-link redirect, through the app."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select

from hubbub.store import publish as queries
from hubbub.store.tables import link_clicks
from hubbub.store.users import add_membership, create_user
from tests.web.conftest import NOW, PASSWORD, Populated, login

URL = "/w/larkspur/publish"


def _csrf(client: TestClient) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(URL).text)
    assert found is not None
    return found.group(1)


def _form(token: str, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "csrf_token": token,
        "action": "schedule",
        "text": "Rye is back https://larkspurbakery.com/rye",
        "networks": ["x", "bluesky"],
        "when": "2026-03-12T08:30",
        "kind": "self_promotion",
        "campaign": "rye",
    }
    data.update(changes)
    return data


def test_page_needs_login_and_membership(client: TestClient) -> None:
    assert client.get(URL, follow_redirects=False).status_code == 303
    login(client, "bob")
    assert client.get(URL).status_code == 404  # bob is not in larkspur


def test_schedule_shows_on_the_calendar(logged_in: TestClient, populated: Populated) -> None:
    page = logged_in.get(URL)
    assert page.status_code == 200 and "Compose" in page.text and 'id="calendar"' in page.text
    response = logged_in.post(URL, data=_form(_csrf(logged_in)), follow_redirects=False)
    assert response.status_code == 303
    with populated.store.connect() as conn:
        [post] = queries.list_posts(conn, populated.larkspur_id)
    # 08:30 in New York on Mar 12 2026 (EDT, UTC-4) is 12:30 UTC
    assert post.scheduled_for == datetime(2026, 3, 12, 12, 30, tzinfo=UTC)
    assert (post.state, post.kind, post.campaign) == ("scheduled", "self_promotion", "rye")
    assert post.networks == ("x", "bluesky")
    week = logged_in.get(response.headers["location"]).text
    assert "Scheduled." in week and "Rye is back" in week
    assert 'data-day="2026-03-12"' in week
    # one self-promotion of one planned post: over the 20% ceiling
    assert "100% self-promotion" in week and "Too much about yourself" in week
    month = logged_in.get(URL + "?view=month&at=2026-03-01").text
    assert "March 2026" in month and "Rye is back" in month


def test_bad_schedule_is_refused_and_nothing_stored(
    logged_in: TestClient, populated: Populated
) -> None:
    token = _csrf(logged_in)
    past = logged_in.post(URL, data=_form(token, when="2026-03-01T08:00"))
    assert past.status_code == 422 and "the time is in the past" in past.text
    long = logged_in.post(URL, data=_form(token, text="b" * 301))
    assert long.status_code == 422 and "over X&#39;s 280 limit" in long.text
    assert "Rye" not in long.text or "b" * 301 in long.text  # the form keeps the text
    bad = logged_in.post(URL, data=_form(token, when="soon"))
    assert bad.status_code == 422
    with populated.store.connect() as conn:
        assert queries.list_posts(conn, populated.larkspur_id) == []


def test_counters_fragment(logged_in: TestClient) -> None:
    token = _csrf(logged_in)
    found = logged_in.post(
        URL + "/check",
        data={"text": "hello\n---\nworld", "networks": ["x", "mastodon"]},
        headers={"X-CSRF-Token": token},
    )
    assert found.status_code == 200
    assert 'data-network="x" data-part="1"' in found.text and "5/500" in found.text
    assert logged_in.post(URL + "/check", data={"text": "hi"}).status_code == 403  # no token


def test_staff_drafts_but_cannot_schedule(client: TestClient, populated: Populated) -> None:
    with populated.store.begin() as conn:
        uid = create_user(conn, "sam", PASSWORD)
        add_membership(conn, uid, populated.larkspur_id, "staff")
    login(client, "sam")
    token = _csrf(client)
    assert client.post(URL, data=_form(token)).status_code == 403
    draft = client.post(URL, data=_form(token, action="draft"), follow_redirects=False)
    assert draft.status_code == 303
    with populated.store.connect() as conn:
        [post] = queries.list_posts(conn, populated.larkspur_id)
    assert post.state == "draft" and post.created_by == uid


def test_split_suggestion_refills_the_form(logged_in: TestClient) -> None:
    text = " ".join(f"Sentence {i} about our rye and spelt loaves." for i in range(12))
    page = logged_in.post(URL, data=_form(_csrf(logged_in), action="split", text=text))
    assert page.status_code == 200 and "\n---\n" in page.text


def test_redirect_counts_people_not_robots(client: TestClient, populated: Populated) -> None:
    with populated.store.begin() as conn:
        post_id = queries.create_post(conn, populated.larkspur_id, text="x", now=NOW)
        queries.add_link(
            conn,
            populated.larkspur_id,
            code="Ab3dE9z",
            url="https://larkspurbakery.com/rye?utm_source=x",
            target="https://larkspurbakery.com/rye",
            campaign="rye",
            post_id=post_id,
            network="x",
            now=NOW,
        )
    phone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"
    hit = client.get(
        "/l/Ab3dE9z",
        headers={"referer": "https://t.co/abc", "user-agent": phone},
        follow_redirects=False,
    )
    assert hit.status_code == 302
    assert hit.headers["location"] == "https://larkspurbakery.com/rye?utm_source=x"
    bot = client.get("/l/Ab3dE9z", headers={"user-agent": "Twitterbot/1.0"}, follow_redirects=False)
    assert bot.status_code == 302
    assert client.get("/l/Zzzzzzz", follow_redirects=False).status_code == 404
    assert client.get("/l/no-such", follow_redirects=False).status_code == 404
    with populated.store.connect() as conn:
        rows = conn.execute(select(link_clicks)).all()
        [stat] = queries.link_stats(conn, populated.larkspur_id, post_id=post_id)
    assert len(rows) == 1 and (rows[0].network, rows[0].agent) == ("x", "mobile")
    assert rows[0].time == NOW and stat.clicks == 1
    login(client)
    page = client.get(URL).text
    assert "/l/Ab3dE9z" in page and '<span class="tag">rye 1</span>' in page


def test_unschedule_back_to_drafts(logged_in: TestClient, populated: Populated) -> None:
    token = _csrf(logged_in)
    assert logged_in.post(URL, data=_form(token), follow_redirects=False).status_code == 303
    with populated.store.connect() as conn:
        [post] = queries.list_posts(conn, populated.larkspur_id)
    page = logged_in.get(URL + "?at=2026-03-12").text
    assert f'action="{URL}/{post.id}/unschedule"' in page
    done = logged_in.post(f"{URL}/{post.id}/unschedule", data={"csrf_token": token})
    assert done.status_code == 200 and "Back in the drafts." in done.text
    with populated.store.connect() as conn:
        again = queries.get_post(conn, post.id)
    assert again is not None and again.state == "draft"
    assert logged_in.post(f"{URL}/99999/unschedule", data={"csrf_token": token}).status_code == 404
