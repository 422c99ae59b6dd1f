"""Visits: check-ins and in-locale mentions of being there, counted by hand."""

from __future__ import annotations

import pytest

from hubbub.goals.visits import business_names, checkin_venue, measured, names_business
from hubbub.model import Place
from hubbub.store import Store
from tests.goals.world import BUSINESS, END, START, World, at, person, workspace


@pytest.mark.parametrize(
    ("text", "venue"),
    [
        ("I'm at Larkspur Bakery in Asheville, NC https://swarmapp.com/c/1", "Larkspur Bakery"),
        ("I’m at Larkspur Bakery - @larkspurbakes in Asheville", "Larkspur Bakery"),
        ("Im at Larkspur Bakery (12 Lexington Ave)", "Larkspur Bakery"),
        ("I'm at Larkspur Bakery!", "Larkspur Bakery"),
        ("Coffee first (@ Larkspur Bakery in Asheville, NC) https://t.co/x", "Larkspur Bakery"),
        ("Morning (@ larkspurbakes)", "larkspurbakes"),
        ("I was at Larkspur Bakery", None),
        ("nothing to see", None),
    ],
)
def test_checkin_venue(text: str, venue: str | None) -> None:
    assert checkin_venue(text) == venue


def test_names_business() -> None:
    names = business_names(workspace())
    assert names == ("larkspur bakery", "larkspurbakes")  # not "larkspur": one word of it
    for yes in ("Larkspur Bakery", "LARKSPUR BAKERY & Cafe", "Larkspur", "@larkspurbakes"):
        assert names_business(yes, names), yes
    for no in ("Larkspur Lane Cafe", "Lark", "Flour Child Bakehouse", "", "Bakery"):
        assert not names_business(no, names), no


def test_visits(store: Store) -> None:
    local = {"in_locale": True}
    with store.begin() as conn:
        w = World.make(conn)
        # check-ins
        w.post(
            "I'm at Larkspur Bakery in Asheville, NC https://swarmapp.com/c/abc", person(1), at(1)
        )
        w.post(
            "Morning fuel (@ Larkspur Bakery - @larkspurbakes in Asheville, NC)", person(2), at(2)
        )
        w.post("Best morning", person(3), at(3), streams=("Asheville",),
               place=Place("Larkspur Bakery", "Larkspur Bakery, Asheville"))  # fmt: skip
        w.post("I'm at Larkspur in Asheville", person(4), at(3), streams=("Asheville",))
        w.post(
            "I'm at Flour Child Bakehouse in Asheville", person(5), at(4), streams=("Asheville",)
        )
        w.post("I'm at Larkspur Lane Cafe in Asheville", person(11), at(4), streams=("Asheville",))
        # visit mentions: about the business, from its locale, saying they were there
        w.post("Stopped by larkspur for a croissant", person(6), at(4), **local)
        w.post("grabbed a loaf at Larkspur Bakery", person(7), at(5), **local)
        w.post("popped  in to Larkspur again", person(6), at(8), **local)
        w.post("stopped by larkspur", person(8), at(5), in_locale=False)
        w.post("stopped by larkspur", person(12), at(5))  # locale unknown
        w.post("stopped by the market in avl", person(9), at(5), streams=("Asheville",), **local)
        w.post("love larkspur bread", person(10), at(6), **local)
        w.post("I'm at Larkspur Bakery", BUSINESS, at(6), relationship="business", **local)
        w.post("RT I'm at Larkspur Bakery", person(1), at(7), repost_of="p1", **local)
        w.post("stopped by larkspur", person(6), at(20), **local)  # after the window
        w.save()
    with store.connect() as conn:
        found = measured(conn, w.ws_id, START, END)
    assert found.goal.figures == {
        "checkins": 4.0,
        "visit_mentions": 3.0,
        "visits": 7.0,
        "visitors": 6.0,  # person6 came twice
        "visits_per_week": 3.5,
    }
    assert [t for t, _ in found.points] == [at(1), at(2), at(3), at(3), at(4), at(5), at(8)]
    recent = found.details["recent"]
    assert [(m.handle, checkin) for m, checkin in recent][:2] == [
        ("person6", False),
        ("person7", False),
    ]
