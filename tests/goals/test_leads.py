"""Leads: which mentions are leads, their status through to won or lost, counted by hand."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select

from hubbub.goals.leads import contact_time, measured, set_status, status_of
from hubbub.model import Account
from hubbub.store import Store
from hubbub.store.goals import GoalStoreError, lead_of_item, lead_rows
from hubbub.store.inbox import audit_entries
from hubbub.store.tables import inbox_items, leads
from tests.goals.world import END, START, World, at, person, workspace


def test_leads(store: Store) -> None:
    with store.begin() as conn:
        w = World.make(conn)
        buy, rec = ("purchase_intent",), ("recommendation_request",)
        l1 = w.post("want to order a cake from larkspur", person(1), at(1), intents=buy)
        l2 = w.post("any good bakery in avl?", person(2), at(2), intents=rec,
                    streams=("Industry", "Asheville"))  # fmt: skip
        n1 = w.post("where to eat in avl?", person(3), at(2), intents=rec, streams=("Asheville",))
        w.post("buying sourdough flour", person(4), at(3), intents=buy, streams=("Industry",))
        w.post("order at larkspur", person(8), at(3), intents=buy, relationship="competitor")
        w.post("RT order at larkspur", person(9), at(3), intents=buy, repost_of="x")
        w.post("buy now larkspur", person(10), at(3), intents=(*buy, "spam_promo"))
        l3 = w.post("need a cake, larkspur or?", person(5), at(4), intents=(*buy, *rec))
        l4 = w.post("recommend larkspur pastries?", person(6), at(5), intents=rec)
        l5 = w.post("ordering from larkspur", person(7), at(6), intents=buy)
        w.post("old lead larkspur", person(11), at(-1), intents=buy)
        w.post("my cake order at larkspur was wrong", person(12), at(3),
               intents=(*buy, "complaint"))  # fmt: skip
        news = Account("rss", "feed", "https://news.example.com", "News")
        w.post("Where to order cakes: larkspur", news, at(3), intents=buy)
        ids = w.save()
        conn.execute(
            insert(inbox_items).values(
                workspace_id=w.ws_id, mention_id=ids[l4], state="replied", priority=1.0,
                reason="recommendation_request", created=at(5), triaged=at(5),
                first_response=at(5, 2), updated=at(5),
            )
        )  # fmt: skip
        item = conn.execute(select(inbox_items.c.id)).scalar_one()
        assert lead_of_item(conn, w.ws_id, item) == ids[l4]
        assert set_status(conn, w.ws_id, ids[l1], "contacted", None, now=at(1, 3)) == "open"
        assert set_status(conn, w.ws_id, ids[l1], "won", None, now=at(2)) == "contacted"
        set_status(conn, w.ws_id, ids[l2], "lost", None, now=at(3))
        set_status(conn, w.ws_id, ids[l5], "won", None, now=at(7))
        set_status(conn, w.ws_id, ids[l5], "won", None, now=at(8))  # no change, not audited
        with pytest.raises(GoalStoreError, match="not a lead"):
            set_status(conn, w.ws_id, ids[n1], "won", None)
        with pytest.raises(GoalStoreError, match="must be one of"):
            set_status(conn, w.ws_id, ids[l3], "maybe", None)
        other = World.make(conn, workspace("other"))
        with pytest.raises(GoalStoreError, match="not a lead"):
            set_status(conn, other.ws_id, ids[l3], "won", None)
        stored = {
            r.mention_id: (r.status, r.contacted, r.closed) for r in conn.execute(select(leads))
        }
    assert stored == {
        ids[l1]: ("won", at(1, 3), at(2)),
        ids[l2]: ("lost", None, at(3)),
        ids[l5]: ("won", None, at(7)),
    }
    with store.connect() as conn:
        found = measured(conn, w.ws_id, START, END)
        log = audit_entries(conn, w.ws_id)
    assert found.goal.figures == {
        "new_leads": 5.0,
        "purchase_intent": 3.0,  # l1, l3, l5
        "recommendation_requests": 3.0,  # l2, l3, l4
        "open": 1.0,  # l3
        "contacted": 1.0,  # l4: answered in the inbox
        "won": 2.0,
        "lost": 1.0,
        "reached": 2.0,  # l1 after 3 h, l4 after 2 h
        "conversion_rate": 2 / 5,
        "median_hours_to_contact": 2.5,
    }
    rows = {r.mention_id: r for r in found.details["leads"]}
    assert [status_of(rows[ids[x]]) for x in (l1, l2, l3, l4, l5)] == [
        "won", "lost", "open", "contacted", "won"
    ]  # fmt: skip
    assert contact_time(rows[ids[l4]]) == at(5, 2) and rows[ids[l4]].inbox_item_id == item
    assert [(e.action, e.subject, e.detail) for e in reversed(log)] == [
        ("lead.status", f"lead:{ids[l1]}", {"from": "open", "to": "contacted"}),
        ("lead.status", f"lead:{ids[l1]}", {"from": "contacted", "to": "won"}),
        ("lead.status", f"lead:{ids[l2]}", {"from": "open", "to": "lost"}),
        ("lead.status", f"lead:{ids[l5]}", {"from": "open", "to": "won"}),
    ]
    # back to contacted: no longer closed, contacted from then on
    with store.begin() as conn:
        set_status(conn, w.ws_id, ids[l5], "contacted", None, now=at(9))
        (row,) = lead_rows(conn, w.ws_id, mention_id=ids[l5])
    assert (row.status, row.contacted, row.closed) == ("contacted", at(9), None)
