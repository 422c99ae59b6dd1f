"""The Inbox pages through FastAPI's TestClient: list, item, actions, CSRF and 404s."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from hubbub import inbox
from hubbub.settings import Settings
from hubbub.store import Store, upsert_workspace
from hubbub.store.tables import audit_log, inbox_items
from hubbub.store.users import add_membership, create_user
from hubbub.web import create_app
from tests.test_inbox import SPECS, T0, WS, Spec, fill
from tests.web.conftest import login

NOW = T0 + timedelta(hours=6)  # every item has waited 6 h: past the 4 h target


@dataclass
class Inbox:
    client: TestClient
    store: Store
    ws_id: int
    other_item: int
    alice: int
    bob: int
    items: dict[str, int]


def _ids(store: Store, ws_id: int) -> dict[str, int]:
    from hubbub.store.tables import mentions, posts

    with store.connect() as conn:
        rows = conn.execute(
            select(posts.c.native_id, inbox_items.c.id)
            .join(mentions, mentions.c.id == inbox_items.c.mention_id)
            .join(posts, posts.c.id == mentions.c.post_id)
            .where(inbox_items.c.workspace_id == ws_id)
        ).all()
    return {r.native_id: r.id for r in rows}


@pytest.fixture
def box(store: Store, app_settings: Settings) -> Iterator[Inbox]:
    ws_id = fill(store, SPECS)
    other_ws = replace(WS, slug="other", name="Other Bakery")
    with store.begin() as conn:
        inbox.triage(conn, ws_id, now=T0)
        other_id = upsert_workspace(conn, other_ws)
    from tests.test_inbox import make

    with store.begin() as conn:
        from hubbub.model import Batch
        from hubbub.store import write_batch

        m = make(Spec("o1", "larkspur where are you?"))
        m = replace(m, workspace="other")
        m.post.id = "o1"
        write_batch(conn, other_id, Batch("t", [m.post]), [m])
        inbox.triage(conn, other_id, now=T0)
        alice = create_user(conn, "alice", "correct horse battery staple", name="Alice")
        bob = create_user(conn, "bob", "pw-bob", name="Bob")
        add_membership(conn, alice, ws_id, "owner")
        add_membership(conn, bob, ws_id, "staff")
    other_item = next(iter(_ids(store, other_id).values()))
    app = create_app(store, app_settings, clock=lambda: NOW)
    with TestClient(app, base_url="http://testserver") as client:
        assert login(client).status_code == 303
        yield Inbox(client, store, ws_id, other_item, alice, bob, _ids(store, ws_id))


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def _row(store: Store, item: int) -> object:
    with store.connect() as conn:
        return conn.execute(select(inbox_items).where(inbox_items.c.id == item)).one()


def test_list_shows_open_items_by_priority_with_overdue_badges(box: Inbox) -> None:
    page = box.client.get("/w/larkspur/inbox")
    assert page.status_code == 200
    assert '<a href="/w/larkspur/inbox" aria-current="page">Inbox</a>' in page.text
    rows = re.findall(r'<tr data-item="(\d+)" data-state="(\w+)" class="is-overdue">', page.text)
    assert {int(i) for i, _ in rows} == set(box.items.values())  # all waited past 4 h
    prios = [int(p) for p in re.findall(r'<td class="num prio">(\d+)</td>', page.text)]
    assert prios == sorted(prios, reverse=True) and len(prios) == len(box.items)
    assert int(re.findall(r'<tr data-item="(\d+)"', page.text)[0]) == box.items["c1"]
    assert 'id="count-overdue" class="overdue-text">5 overdue' in page.text
    only = box.client.get("/w/larkspur/inbox", params={"intent": "complaint"}).text
    assert re.findall(r'<tr data-item="(\d+)"', only) == [str(box.items["c1"])]


def test_item_page_shows_post_thread_insight_and_count(box: Inbox) -> None:
    page = box.client.get(f"/w/larkspur/inbox/{box.items['c1']}")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "larkspur burnt my bread" in text
    assert 'id="overdue-badge"' in page.text
    assert "20,000 followers" in text and "complaint" in text
    assert "0 / 280 characters" in text
    count = box.client.get(
        f"/w/larkspur/inbox/{box.items['c1']}/count", params={"reply": "sorry 😞 https://x.co/a"}
    )
    assert "32 / 280 characters" in count.text  # 5 + 1 + emoji 2 + 1 + any URL 23


def test_assign_with_csrf_then_history(box: Inbox) -> None:
    item = box.items["q1"]
    page = box.client.get(f"/w/larkspur/inbox/{item}").text
    sent = box.client.post(
        f"/w/larkspur/inbox/{item}/assign",
        data={"assignee": str(box.bob), "csrf_token": _csrf(page)},
        follow_redirects=False,
    )
    assert sent.status_code == 303 and sent.headers["location"] == f"/w/larkspur/inbox/{item}"
    row = _row(box.store, item)
    assert (row.state, row.assignee_id) == ("assigned", box.bob)  # type: ignore[attr-defined]
    after = box.client.get(f"/w/larkspur/inbox/{item}").text
    assert re.search(rf'<option value="{box.bob}" selected>Bob</option>', after)
    assert re.search(r"Alice</span>\s*assigned to Bob", after)


def test_post_without_csrf_is_refused_and_changes_nothing(box: Inbox) -> None:
    item = box.items["q1"]
    sent = box.client.post(f"/w/larkspur/inbox/{item}/state", data={"state": "done"})
    assert sent.status_code == 403
    bad = box.client.post(
        f"/w/larkspur/inbox/{item}/state", data={"state": "done", "csrf_token": "forged"}
    )
    assert bad.status_code == 403
    assert _row(box.store, item).state == "new"  # type: ignore[attr-defined]


def test_another_workspaces_item_is_404(box: Inbox) -> None:
    page = box.client.get("/w/larkspur/inbox").text
    token = _csrf(page)
    assert box.client.get(f"/w/larkspur/inbox/{box.other_item}").status_code == 404
    assert box.client.get(f"/w/larkspur/inbox/{box.other_item}/count").status_code == 404
    sent = box.client.post(
        f"/w/larkspur/inbox/{box.other_item}/state", data={"state": "done", "csrf_token": token}
    )
    assert sent.status_code == 404
    assert box.client.get("/w/other/inbox").status_code == 404  # alice is not a member
    assert _row(box.store, box.other_item).state == "new"  # type: ignore[attr-defined]
    # bulk with a foreign id changes only the workspace's own
    box.client.post(
        "/w/larkspur/inbox/bulk",
        data={
            "ids": [str(box.other_item), str(box.items["q1"])],
            "action": "done",
            "csrf_token": token,
        },
    )
    assert _row(box.store, box.other_item).state == "new"  # type: ignore[attr-defined]
    assert _row(box.store, box.items["q1"]).state == "done"  # type: ignore[attr-defined]


def test_mark_replied_records_text_and_first_response(box: Inbox) -> None:
    item = box.items["c1"]
    token = _csrf(box.client.get(f"/w/larkspur/inbox/{item}").text)
    too_long = box.client.post(
        f"/w/larkspur/inbox/{item}/replied", data={"reply": "x" * 300, "csrf_token": token}
    )
    assert too_long.status_code == 422
    assert "300 characters, over x&#39;s limit of 280" in too_long.text
    assert _row(box.store, item).state == "new"  # type: ignore[attr-defined]
    done = box.client.post(
        f"/w/larkspur/inbox/{item}/replied",
        data={"reply": "So sorry, DM us please", "csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert done.status_code == 200 and 'data-state="replied"' in done.text  # redirect followed
    row = _row(box.store, item)
    assert row.state == "replied" and row.reply_text == "So sorry, DM us please"  # type: ignore[attr-defined]
    assert row.first_response == NOW and row.first_responder_id == box.alice  # type: ignore[attr-defined]
    assert "First response" in done.text and "after 6 h" in done.text
    assert "mark replied</button>" not in done.text  # a replied item only copies again


def test_htmx_header_token_and_bulk_assign(box: Inbox) -> None:
    token = _csrf(box.client.get("/w/larkspur/inbox").text)
    ids = [box.items["q1"], box.items["lead"]]
    sent = box.client.post(
        "/w/larkspur/inbox/bulk",
        data={"ids": [str(i) for i in ids], "action": "assign", "assignee": str(box.bob)},
        headers={"X-CSRF-Token": token},
        follow_redirects=False,
    )
    assert sent.status_code == 303 and "2+changed" in sent.headers["location"]
    assert all(_row(box.store, i).assignee_id == box.bob for i in ids)  # type: ignore[attr-defined]
    mine = box.client.get("/w/larkspur/inbox", params={"assignee": str(box.bob)}).text
    assert sorted(int(i) for i in re.findall(r'<tr data-item="(\d+)"', mine)) == sorted(ids)
    with box.store.connect() as conn:
        actions = conn.execute(select(audit_log.c.action, audit_log.c.user_id)).all()
    assert actions.count(("inbox.assign", box.alice)) == 2


def test_notes_and_canned_replies_from_the_pages(box: Inbox) -> None:
    item = box.items["q1"]
    token = _csrf(box.client.get(f"/w/larkspur/inbox/{item}").text)
    box.client.post(
        f"/w/larkspur/inbox/{item}/note", data={"text": "<b>call</b>", "csrf_token": token}
    )
    page = box.client.get(f"/w/larkspur/inbox/{item}").text
    assert "&lt;b&gt;call&lt;/b&gt;" in page  # escaped
    box.client.post(
        "/w/larkspur/inbox/canned", data={"title": "Hours", "text": "Open 7-3", "csrf_token": token}
    )
    page = box.client.get(f"/w/larkspur/inbox/{item}").text
    assert '<option value="Open 7-3">Hours</option>' in page


def test_logged_out_visitor_goes_to_login(box: Inbox) -> None:
    box.client.cookies.clear()
    sent = box.client.get("/w/larkspur/inbox", follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"].startswith("/login?next=")


def test_response_times_per_member_on_the_list(box: Inbox) -> None:
    item = box.items["q1"]
    token = _csrf(box.client.get(f"/w/larkspur/inbox/{item}").text)
    box.client.post(
        f"/w/larkspur/inbox/{item}/replied", data={"reply": "Yes, 8-2!", "csrf_token": token}
    )
    page = box.client.get("/w/larkspur/inbox").text
    table = page[page.index('id="table-times"') :]
    rows = re.findall(r'<th scope="row">(\w+)</th><td class="num">(\d+)</td>', table)
    assert rows == [("Everyone", "1"), ("Alice", "1")]
    assert "6.0 h" in table  # waited from T0 to NOW
    assert "0%" in table  # not within the 4 h target
