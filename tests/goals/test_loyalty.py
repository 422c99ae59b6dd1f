"""Loyalty: repeat people, fans, returning customers and top fans, counted by hand."""

from __future__ import annotations

import pytest

from hubbub.goals.loyalty import measured
from hubbub.model import Account
from hubbub.store import Store
from tests.goals.world import BUSINESS, END, START, World, at, person


def test_loyalty(store: Store) -> None:
    pos = {"sentiment": "positive", "score": 0.7}
    with store.begin() as conn:
        w = World.make(conn)
        w.post("love larkspur", person(1), at(1), engagement=3, **pos)
        w.post("larkspur again", person(1), at(2), **pos)
        w.post("larkspur is open", person(1), at(3), relationship="fan")
        w.post("larkspur!", person(2), at(1), **pos)
        w.post("larkspur was slow", person(2), at(4), sentiment="negative", score=-0.5)
        w.post("bought at larkspur before", person(3), at(-5), relationship="customer")
        w.post("larkspur loaf", person(3), at(5), relationship="customer", **pos)
        w.post("larkspur today", person(4), at(6), relationship="customer")
        w.post("RT larkspur", person(5), at(2), repost_of="p1", **pos)
        w.post("RT larkspur", person(5), at(3), repost_of="p2", **pos)
        w.post("asheville sun", person(6), at(2), streams=("Asheville",), **pos)
        w.post("asheville rain", person(6), at(3), streams=("Asheville",), **pos)
        w.post("our larkspur news", BUSINESS, at(2), relationship="business", **pos)
        w.post("larkspur vs us", person(7), at(2), relationship="competitor", **pos)
        w.post("larkspur later", person(1), at(20), **pos)
        news = Account("rss", "feed", "https://news.example.com", "News")
        w.post("larkspur opens a second shop", news, at(2), **pos)
        w.post("larkspur wins an award", news, at(3), **pos)
        w.save()
    with store.connect() as conn:
        found = measured(conn, w.ws_id, START, END)
    assert found.goal.figures == pytest.approx(
        {
            "engagers": 5.0,  # person1 to person5: person6 spoke of the town, the news is news
            "repeat_people": 3.0,  # 1, 2 and 5
            "repeat_positive_engagers": 2.0,  # 1 and 5
            "repeat_share": 7 / 9,
            "fans": 1.0,
            "customers": 2.0,
            "returning_customers": 1.0,  # person3 was a customer before the window
        }
    )
    fans = found.details["top_fans"]
    assert [(f.handle, f.positive, f.mentions) for f in fans] == [
        ("person1", 2, 3),
        ("person5", 2, 2),
        ("person2", 1, 2),
        ("person3", 1, 1),
    ]
    assert fans[0].fan and fans[0].engagement == 3 and fans[3].customer
    assert sorted(v for _, v in found.points) == [0.0, 0.0] + [1.0] * 7
