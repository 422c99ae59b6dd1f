"""Promotions: declared codes found in own posts and mentions, and redemptions, counted by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hubbub.goals.promotions import codes_in, measured, promotions
from hubbub.model import Published
from hubbub.store import Store
from hubbub.store import publish as publish_queries
from hubbub.store.goals import (
    GoalStoreError,
    add_promo_code,
    delete_promo_code,
    insert_redemptions,
    promo_codes_of,
)
from hubbub.store.inbox import audit_entries
from tests.goals.world import BUSINESS, END, START, World, at, person, workspace


def test_codes_are_whole_words_without_case() -> None:
    codes = ["SOURDOUGH10", "FALL-20"]
    assert codes_in("used sourdough10 today", codes) == {"SOURDOUGH10"}
    assert codes_in("#Sourdough10!", codes) == {"SOURDOUGH10"}
    assert codes_in("(SOURDOUGH10), fall-20.", codes) == {"SOURDOUGH10", "FALL-20"}
    assert codes_in("SOURDOUGH100 xSOURDOUGH10 SOURDOUGH10-x pre-SOURDOUGH10", codes) == set()
    assert codes_in("nothing here", []) == set()


def _redemption(code: str, days: float, amount: float | None, ref: str) -> dict[str, object]:
    return {
        "code": code,
        "redeemed": at(days),
        "amount": amount,
        "ref": ref,
        "source": "till.csv",
        "line": 2,
        "imported": START,
    }


def test_promotions(store: Store) -> None:
    with store.begin() as conn:
        w = World.make(conn)
        add_promo_code(conn, w.ws_id, "Sourdough10", "10% off a loaf", now=START)
        add_promo_code(
            conn, w.ws_id, "OLD5", "", START - timedelta(days=30), START - timedelta(days=1)
        )
        add_promo_code(conn, w.ws_id, "fall20", "autumn", at(10), at(40), user_id=None)
        # the business's own posts (no stream matched them): one with a code in the window
        w.post("Use code SOURDOUGH10 today", BUSINESS, at(1), streams=())
        w.post("Fresh bread, no code", BUSINESS, at(2), streams=())
        w.post("Last call for OLD5", BUSINESS, at(-2), streams=())
        read_back = w.post("SOURDOUGH10 again", BUSINESS, at(4), streams=())
        # people's mentions
        w.post("just used sourdough10 at larkspur!", person(1), at(1))
        w.post("is #Sourdough10 still on?", person(2), at(2))
        w.post("SOURDOUGH100 is not a code", person(3), at(2))
        w.post("FALL20 and SOURDOUGH10 both?", person(1), at(3))
        w.post("our code SOURDOUGH10", BUSINESS, at(3), relationship="business")
        w.post("RT: sourdough10", person(4), at(4), repost_of="p5")
        w.post("sourdough10 later", person(5), at(20))
        w.post("pre-SOURDOUGH10-x", person(6), at(5))
        w.save()
        # hubbub's published posts: one not read back, one read back as `read_back`
        sp1 = publish_queries.create_post(
            conn,
            w.ws_id,
            text="FALL20 starts soon",
            state="published",
            scheduled_for=at(3),
            now=START,
        )
        sp2 = publish_queries.create_post(
            conn, w.ws_id, text="x", thread=["SOURDOUGH10 again"], state="published",
            scheduled_for=at(4), now=START,
        )  # fmt: skip
        publish_queries.create_post(
            conn,
            w.ws_id,
            text="SOURDOUGH10 soon",
            state="scheduled",
            scheduled_for=at(5),
            now=START,
        )
        publish_queries.record_delivery(conn, sp2, 0, Published("x", read_back), START)
        assert sp1
        new = insert_redemptions(
            conn,
            w.ws_id,
            [
                _redemption("SOURDOUGH10", 1, 12.5, "o1"),
                _redemption("sourdough10", 2, 8.0, "o2"),
                _redemption("FALL20", 11, None, "o3"),
                _redemption("OLD5", -3, 5.0, "o4"),
                _redemption("MYSTERY", 6, 4.0, "o5"),
            ],
        )
        assert new == 5
        assert insert_redemptions(conn, w.ws_id, [_redemption("FALL20", 11, None, "o3")]) == 0
    with store.connect() as conn:
        found = measured(conn, w.ws_id, START, END)
        assert promotions(conn, w.ws_id, START, END) == found.goal
    assert found.goal.figures == {
        "codes": 3.0,
        "codes_active": 2.0,  # OLD5 ended before the window
        # at(1), the business's own mention at(3), hubbub's post not read back, and the
        # one read back, once
        "posted": 4.0,
        "mentioned": 3.0,
        "mentioned_people": 2.0,
        "redeemed": 4.0,
        "redeemed_amount": 24.5,
        "redeemed_per_mention": 4 / 3,
    }
    rows = {r.code: r for r in found.details["codes"]}
    assert [(r.posted, r.mentioned, r.redeemed, r.amount) for r in rows.values()] == [
        (1, 1, 1, None),  # FALL20
        (0, 0, 0, None),  # OLD5
        (3, 3, 2, 20.5),  # SOURDOUGH10
        (0, 0, 1, 4.0),  # MYSTERY: redeemed, never declared
    ]
    assert rows["MYSTERY"].declared is None and rows["SOURDOUGH10"].active
    assert sorted(found.points) == [(at(1), 1.0), (at(2), 1.0), (at(6), 1.0), (at(11), 1.0)]


def test_codes_are_checked_unique_and_audited(store: Store) -> None:
    with store.begin() as conn:
        w = World.make(conn)
        code_id = add_promo_code(conn, w.ws_id, " bread-5 ", "five off", now=START)
        for bad in ("x", "no spaces", "-dash", "é-accent"):
            with pytest.raises(GoalStoreError, match="use 3 to 32"):
                add_promo_code(conn, w.ws_id, bad)
        with pytest.raises(GoalStoreError, match="already declared"):
            add_promo_code(conn, w.ws_id, "BREAD-5")
        with pytest.raises(GoalStoreError, match="end must be after"):
            add_promo_code(conn, w.ws_id, "LATE1", "", at(2), at(1))
        other = World.make(conn, workspace("other"))
        assert delete_promo_code(conn, other.ws_id, code_id) is None  # not theirs
        assert [c.code for c in promo_codes_of(conn, w.ws_id)] == ["BREAD-5"]
        assert delete_promo_code(conn, w.ws_id, code_id, now=at(1)) == "BREAD-5"
        assert promo_codes_of(conn, w.ws_id) == []
        log = audit_entries(conn, w.ws_id)
    assert [(e.action, e.detail["code"]) for e in log] == [
        ("promo.delete", "BREAD-5"),
        ("promo.add", "BREAD-5"),
    ]
