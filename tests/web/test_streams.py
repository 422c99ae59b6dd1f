"""The Streams page through FastAPI's TestClient: list, make, check, edit, pause; roles and CSRF.

The store is tests/web/conftest.py's: workspace larkspur (alice, owner) with the file
streams of ``STREAMS`` and the mentions of ``SPECS``; workspace other (bob, staff).
What a new stream should match is worked out by hand from those texts.
"""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from hubbub.store.streams import create_stream, list_streams
from hubbub.store.tables import mention_streams, mentions, posts, streams
from hubbub.store.users import add_membership, create_user
from tests.web.conftest import BRAND, FLOUR, PASSWORD, Populated, login

FLOUR_QUERY = '"Flour Child Bakehouse"'


def _csrf(client: TestClient, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found is not None, f"no CSRF field on {path}"
    return found.group(1)


def _linked(populated: Populated, name: str) -> set[str]:
    with populated.store.connect() as conn:
        rows = conn.execute(
            select(posts.c.native_id)
            .join(mentions, mentions.c.post_id == posts.c.id)
            .join(mention_streams, mention_streams.c.mention_id == mentions.c.id)
            .join(streams, streams.c.id == mention_streams.c.stream_id)
            .where(streams.c.name == name, streams.c.workspace_id == populated.larkspur_id)
        )
        return {r.native_id for r in rows}


def _stream_id(populated: Populated, name: str, ws_id: int | None = None) -> int:
    with populated.store.connect() as conn:
        rows = list_streams(conn, ws_id or populated.larkspur_id)
    return next(s.id for s in rows if s.name == name)


def _create(client: TestClient, **fields: str) -> object:
    data = {"name": "", "kind": "campaign", "query": "", "note": ""} | fields
    data["csrf_token"] = _csrf(client, "/w/larkspur/streams/new")
    return client.post("/w/larkspur/streams/new", data=data, follow_redirects=False)


def test_list_shows_file_streams_read_only_with_counts(
    logged_in: TestClient, populated: Populated
) -> None:
    page = logged_in.get("/w/larkspur/streams")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert text.count("defined in hubbub.toml") >= 4
    brand = _stream_id(populated, BRAND)
    assert f'href="/w/larkspur/mentions?stream={brand}"' in page.text
    assert f"/streams/{brand}/edit" not in page.text  # file streams: no edit link
    assert f"/streams/{brand}/pause" not in page.text
    # brand mentions in SPECS: m1, m2, m4, m6, m7, m8, m9; in the 7 days to Mar 10 17:00
    # (from Mar 3 17:00): m1, m2, m4, m6 (Mar 4 04:30)
    card = re.search(rf'id="stream-{brand}".*?</li>', page.text, re.S)
    assert card is not None
    assert re.search(r"<strong>7</strong> mentions", card.group(0))
    assert re.search(r"<strong>4</strong> in the last 7 days", card.group(0))
    assert 'id="new-stream"' in page.text  # alice is the owner


def test_create_a_stream_links_its_stored_mentions(
    logged_in: TestClient, populated: Populated
) -> None:
    response = _create(logged_in, name="Flour watch", kind="competitor", query=FLOUR_QUERY)
    assert response.status_code == 303  # type: ignore[attr-defined]
    target = response.headers["location"]  # type: ignore[attr-defined]
    page = logged_in.get(target)
    assert "Made stream 'Flour watch'" in html.unescape(page.text)
    # by hand: m3 and m5 name Flour Child Bakehouse, both within 30 days of Mar 10
    assert _linked(populated, "Flour watch") == {"larkspur-m3", "larkspur-m5"}
    assert "2 existing mentions linked" in html.unescape(page.text)
    sid = _stream_id(populated, "Flour watch")
    assert f"/w/larkspur/streams/{sid}/edit" in page.text
    assert 'data-origin="web"' in page.text
    mentions_page = logged_in.get(f"/w/larkspur/mentions?stream={sid}")
    assert mentions_page.status_code == 200
    assert "larkspur-m3" in mentions_page.text and "larkspur-m5" in mentions_page.text
    assert "larkspur-m1" not in mentions_page.text


def test_what_the_time_budget_leaves_goes_on_in_the_background(
    logged_in: TestClient, populated: Populated, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hubbub.web.routes import streams as page

    monkeypatch.setattr(page, "SYNC_SECONDS", 0.0)
    calls: list[dict[str, object]] = []
    real = page.rematch

    def spy(*args: object, **kwargs: object) -> object:
        calls.append(kwargs)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(page, "rematch", spy)
    response = _create(logged_in, name="Flour watch", query=FLOUR_QUERY)
    page_text = html.unescape(logged_in.get(response.headers["location"]).text)  # type: ignore[attr-defined]
    assert "being matched in the background" in page_text
    assert calls[0]["budget"] == 0.0 and calls[1]["before_id"] is not None  # the task ran
    assert _linked(populated, "Flour watch") == {"larkspur-m3", "larkspur-m5"}


def test_create_runs_the_pipeline_on_posts_that_were_not_mentions(
    logged_in: TestClient, populated: Populated
) -> None:
    # the store's posts are shared: "other-o1" was stored for workspace other only
    response = _create(logged_in, name="O one", query="o1")
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert _linked(populated, "O one") == {"other-o1"}
    page = logged_in.get(response.headers["location"])  # type: ignore[attr-defined]
    assert "1 new mentions" in html.unescape(page.text)


def test_bad_query_comes_back_with_the_caret_and_nothing_is_stored(
    logged_in: TestClient, populated: Populated
) -> None:
    response = _create(logged_in, name="Broken", query="bread OR (rye")
    assert response.status_code == 422  # type: ignore[attr-defined]
    text = html.unescape(response.text)  # type: ignore[attr-defined]
    assert "column 10" in text and "never closed" in text
    assert 'value="Broken"' in text  # the form keeps what was typed
    assert "bread OR (rye" in text
    taken = _create(logged_in, name=FLOUR, query="flour")
    assert taken.status_code == 422  # type: ignore[attr-defined]
    assert "taken by a stream defined in hubbub.toml" in html.unescape(taken.text)  # type: ignore[attr-defined]
    with populated.store.connect() as conn:
        names = {s.name for s in list_streams(conn, populated.larkspur_id)}
    assert "Broken" not in names and len(names) == 4


def test_check_answers_a_fragment(logged_in: TestClient) -> None:
    bad = logged_in.get("/w/larkspur/streams/check", params={"query": "a OR (b"})
    assert bad.status_code == 200
    assert 'id="query-check"' in bad.text and "<html" not in bad.text
    assert "column 6" in bad.text and "never closed" in html.unescape(bad.text)
    assert "<mark>(</mark>" in bad.text
    ok = logged_in.get("/w/larkspur/streams/check", params={"query": '"flour child" -rain'})
    text = html.unescape(ok.text)
    assert "Valid." in text and '<code>"flour child"</code>' in text and "rain" in text
    # 11 posts stored (9 larkspur, 2 other); m3 and m5 say Flour Child
    assert "Would have matched <strong>2</strong> of the last 11 stored posts" in text
    assert "19 characters" in text and "fits X's 512" in text
    empty = logged_in.get("/w/larkspur/streams/check", params={"query": ""})
    assert "Type a query" in empty.text


def test_edit_pause_resume_a_web_stream(logged_in: TestClient, populated: Populated) -> None:
    with populated.store.begin() as conn:
        sid = create_stream(conn, populated.larkspur_id, "Watch", "nothingmatchesthis")
    page = logged_in.get(f"/w/larkspur/streams/{sid}/edit")
    assert page.status_code == 200 and "nothingmatchesthis" in page.text
    token = _csrf(logged_in, f"/w/larkspur/streams/{sid}/edit")
    saved = logged_in.post(
        f"/w/larkspur/streams/{sid}/edit",
        data={"name": "Watch", "kind": "event", "query": FLOUR_QUERY, "csrf_token": token},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert _linked(populated, "Watch") == {"larkspur-m3", "larkspur-m5"}
    for action, state in (("pause", "paused"), ("resume", "active")):
        done = logged_in.post(
            f"/w/larkspur/streams/{sid}/{action}", data={"csrf_token": token}, follow_redirects=True
        )
        assert done.status_code == 200
        assert re.search(rf'id="stream-{sid}"[^>]*data-state="{state}"', done.text)


def test_file_streams_are_read_only(logged_in: TestClient, populated: Populated) -> None:
    brand = _stream_id(populated, BRAND)
    page = logged_in.get(f"/w/larkspur/streams/{brand}/edit")
    assert page.status_code == 200
    assert "<fieldset disabled>" in page.text and "defined in hubbub.toml" in page.text
    token = _csrf(logged_in, "/w/larkspur/streams")
    refused = logged_in.post(
        f"/w/larkspur/streams/{brand}/edit",
        data={"name": BRAND, "kind": "brand", "query": "changed", "csrf_token": token},
    )
    assert refused.status_code == 422
    paused = logged_in.post(f"/w/larkspur/streams/{brand}/pause", data={"csrf_token": token})
    assert "defined in hubbub.toml" in html.unescape(paused.text)
    with populated.store.connect() as conn:
        row = next(s for s in list_streams(conn, populated.larkspur_id) if s.id == brand)
    assert row.query != "changed" and not row.paused


def test_staff_may_look_but_not_change(client: TestClient, populated: Populated) -> None:
    with populated.store.begin() as conn:
        sam = create_user(conn, "sam", PASSWORD)
        add_membership(conn, sam, populated.larkspur_id, "staff")
        sid = create_stream(conn, populated.larkspur_id, "Watch", "watch")
    assert login(client, "sam").status_code == 303
    page = client.get("/w/larkspur/streams")
    assert page.status_code == 200 and 'id="new-stream"' not in page.text
    assert f"/streams/{sid}/pause" not in page.text
    token = _csrf(client, "/w/larkspur/streams")
    assert client.get("/w/larkspur/streams/new").status_code == 403
    assert client.get(f"/w/larkspur/streams/{sid}/edit").status_code == 403
    assert client.get("/w/larkspur/streams/check", params={"query": "x"}).status_code == 403
    created = client.post(
        "/w/larkspur/streams/new", data={"name": "Mine", "query": "mine", "csrf_token": token}
    )
    assert created.status_code == 403
    paused = client.post(f"/w/larkspur/streams/{sid}/pause", data={"csrf_token": token})
    assert paused.status_code == 403
    with populated.store.connect() as conn:
        rows = {s.name: s.paused for s in list_streams(conn, populated.larkspur_id)}
    assert "Mine" not in rows and rows["Watch"] is False


def test_another_workspace_is_404(logged_in: TestClient, populated: Populated) -> None:
    theirs = _stream_id(populated, BRAND, populated.other_id)
    token = _csrf(logged_in, "/w/larkspur/streams")
    assert logged_in.get("/w/other/streams").status_code == 404
    assert logged_in.get(f"/w/larkspur/streams/{theirs}/edit").status_code == 404
    assert (
        logged_in.post(
            f"/w/larkspur/streams/{theirs}/pause", data={"csrf_token": token}
        ).status_code
        == 404
    )
    assert logged_in.post("/w/other/streams/new", data={"csrf_token": token}).status_code == 404


@pytest.mark.parametrize("token", [None, "wrong"])
def test_changes_need_the_csrf_token(
    logged_in: TestClient, populated: Populated, token: str | None
) -> None:
    data = {"name": "Sneaky", "query": "sneaky"} | ({"csrf_token": token} if token else {})
    response = logged_in.post("/w/larkspur/streams/new", data=data)
    assert response.status_code == 403
    with populated.store.connect() as conn:
        assert all(s.name != "Sneaky" for s in list_streams(conn, populated.larkspur_id))


def test_login_is_required(client: TestClient) -> None:
    response = client.get("/w/larkspur/streams", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
