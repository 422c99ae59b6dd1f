"""Inbox read queries: filters, current priority order, overdue, threads, workspace bounds."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from hubbub import inbox
from hubbub.store import Store, upsert_workspace
from hubbub.store import inbox as q
from hubbub.store.tables import inbox_items
from hubbub.store.users import add_membership, create_user
from tests.test_inbox import SPECS, T0, WS, Spec, answer, fill


@pytest.fixture
def filled(store: Store) -> tuple[int, int]:
    """The test workspace triaged at T0, plus a reply thread; returns (ws id, sam's id)."""
    specs = (
        *SPECS,
        # an old question (a day before T0) in a conversation with earlier posts
        Spec("old", "larkspur still open?", minutes=-24 * 60, conversation="root"),
        Spec("root", "larkspur ideas for a party?", ("praise",), minutes=-25 * 60),
    )
    ws_id = fill(store, specs, [answer("a-root", "root", -24 * 60 - 30, conversation="root")])
    with store.begin() as conn:
        inbox.triage(conn, ws_id, now=T0)
        sam = create_user(conn, "sam", "pw", name="Sam")
        add_membership(conn, sam, ws_id, "staff")
    return ws_id, sam


def _list(store: Store, ws_id: int, now_hours: float = 1.0, **kw: object) -> q.ItemPage:
    now = T0 + timedelta(hours=now_hours)
    with store.connect() as conn:
        return q.list_items(
            conn,
            ws_id,
            age_steps=inbox.age_steps(now, 4.0),
            deadline=inbox.response_deadline(now, 4.0),
            **kw,  # type: ignore[arg-type]
        )


def test_items_come_highest_current_priority_first(store: Store, filled: tuple[int, int]) -> None:
    ws_id, _ = filled
    page = _list(store, ws_id)
    assert page.total == 6  # q1, q2, c1, praise, lead, old
    prios = [i.priority for i in page.items]
    assert prios == sorted(prios, reverse=True)
    by_id = {i.native_id: i for i in page.items}
    # "old" has waited 25 h (overdue: +20); the rest 1 h (+0)
    assert by_id["old"].overdue and not by_id["q1"].overdue
    with store.connect() as conn:
        stored = dict(conn.execute(select(inbox_items.c.id, inbox_items.c.priority)).all())
    assert by_id["old"].priority == pytest.approx(stored[by_id["old"].id] + 20, abs=0.1)
    assert by_id["q1"].priority == pytest.approx(stored[by_id["q1"].id], abs=0.1)
    # 3 hours later the fresh ones are past half the target (+10)
    later = {i.native_id: i.priority for i in _list(store, ws_id, now_hours=3).items}
    assert later["q1"] == pytest.approx(by_id["q1"].priority + 10, abs=0.1)


def test_filters(store: Store, filled: tuple[int, int]) -> None:
    ws_id, sam = filled
    ids = {i.native_id: i.id for i in _list(store, ws_id).items}
    with store.begin() as conn:
        inbox.assign(conn, ws_id, ids["q1"], sam, None)
        inbox.set_state(conn, ws_id, ids["praise"], "ignored", None)

    def names(page: q.ItemPage) -> list[str]:
        return sorted(i.native_id for i in page.items)

    assert names(_list(store, ws_id, assignee=sam)) == ["q1"]
    assert names(_list(store, ws_id, unassigned=True, states=["new"])) == [
        "c1",
        "lead",
        "old",
        "q2",
    ]
    assert names(_list(store, ws_id, states=["ignored"])) == ["praise"]
    assert names(_list(store, ws_id, intent="complaint")) == ["c1"]
    assert names(_list(store, ws_id, intent="question")) == ["old", "q1", "q2"]
    assert names(_list(store, ws_id, intent="mention")) == ["praise"]
    assert names(_list(store, ws_id, overdue=True)) == ["old"]
    page = _list(store, ws_id, limit=2, offset=2)
    assert page.total == 6 and len(page.items) == 2
    with store.connect() as conn:
        counts = q.state_counts(conn, ws_id, inbox.response_deadline(T0, 4.0))
    assert counts == {"new": 4, "assigned": 1, "ignored": 1, "overdue": 1}


def test_item_detail_thread_and_workspace_bounds(store: Store, filled: tuple[int, int]) -> None:
    ws_id, _ = filled
    ids = {i.native_id: i.id for i in _list(store, ws_id).items}
    now = T0
    with store.begin() as conn:
        other = upsert_workspace(conn, replace(WS, slug="other", streams=()))
    with store.connect() as conn:
        steps, deadline = inbox.age_steps(now, 4.0), inbox.response_deadline(now, 4.0)
        detail = q.item_detail(conn, ws_id, ids["old"], age_steps=steps, deadline=deadline)
        assert q.item_detail(conn, other, ids["old"], age_steps=steps, deadline=deadline) is None
        assert q.item_network(conn, other, ids["old"]) is None
        assert q.item_network(conn, ws_id, ids["old"]) == "x"
        assert detail is not None
        posts = q.thread(conn, "x", detail.item.native_id, detail.conversation_id, detail.reply_to)
    assert [p.native_id for p in posts] == ["root", "a-root", "old"]  # oldest first
    assert [p.is_item for p in posts] == [False, False, True]
    assert detail.insight["why"]["intents"] == ["question"]
