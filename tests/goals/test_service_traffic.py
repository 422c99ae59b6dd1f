"""Traffic and customer service, against counts made by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from hubbub.goals import customer_service, traffic
from hubbub.store import Store, upsert_workspace, write_batch
from hubbub.store import publish as queries
from hubbub.store.tables import inbox_items, mentions
from tests.goals.world import END as W_END
from tests.goals.world import START as W_START
from tests.goals.world import World, at, person
from tests.store.helpers import make_batch, make_workspace, match_streams

START = datetime(2026, 4, 1, tzinfo=UTC)
END = START + timedelta(days=7)


def test_traffic(store: Store) -> None:
    with store.begin() as conn:
        ws_id = upsert_workspace(conn, make_workspace())
        other = upsert_workspace(conn, make_workspace("other"))
        for when, state in ((START + timedelta(days=1), "published"), (END, "published")):
            queries.create_post(conn, ws_id, text="t", state=state, scheduled_for=when, now=START)
        queries.create_post(conn, ws_id, text="t", state="failed", scheduled_for=START, now=START)
        for code, ws in (("AAAAAAA", ws_id), ("BBBBBBB", other)):
            queries.add_link(
                conn, ws, code=code, url="https://a.com", target="https://a.com", now=START
            )
        clicks = [
            ("AAAAAAA", START, "x"),
            ("AAAAAAA", START + timedelta(hours=5), "x"),
            ("AAAAAAA", START + timedelta(days=2), "bluesky"),
            ("AAAAAAA", START + timedelta(days=3), None),
            ("AAAAAAA", END, "x"),  # the window is half-open
            ("AAAAAAA", START - timedelta(seconds=1), "x"),
            ("BBBBBBB", START + timedelta(days=1), "x"),  # another workspace's link
        ]
        for code, time, network in clicks:
            queries.record_click(
                conn, code, time=time, referrer="", network=network, agent="mobile"
            )
    with store.connect() as conn:
        goal = traffic(conn, ws_id, START, END)
    assert goal.name == "traffic"
    assert goal.figures == {
        "clicks": 4.0,
        "posts_published": 1.0,
        "clicks_per_post": 4.0,
        "clicks_bluesky": 1.0,
        "clicks_direct": 1.0,
        "clicks_x": 2.0,
    }


def test_response_and_resolution_times(store: Store) -> None:
    ws = make_workspace()
    with store.begin() as conn:
        ws_id = upsert_workspace(conn, ws)
        batch = make_batch(0, 6)
        write_batch(conn, ws_id, batch, match_streams(batch.posts, ws))
        ids = list(conn.execute(select(mentions.c.id).order_by(mentions.c.id)).scalars())
        # (created, answered after hours, done after hours): 1 h, 3 h, 6 h, unanswered,
        # and two outside the window
        specs = [
            (START + timedelta(hours=1), 1.0, 5.0),
            (START + timedelta(days=1), 3.0, None),
            (START + timedelta(days=2), 6.0, 8.0),
            (START + timedelta(days=3), None, None),
            (START - timedelta(days=1), 0.5, 1.0),
            (END, 0.5, 1.0),
        ]
        for mention_id, (created, after, done) in zip(ids, specs, strict=True):
            state = "done" if done is not None else ("replied" if after is not None else "new")
            conn.execute(
                insert(inbox_items).values(
                    workspace_id=ws_id,
                    mention_id=mention_id,
                    state=state,
                    priority=1.0,
                    reason="question",
                    created=created,
                    triaged=created,
                    first_response=None if after is None else created + timedelta(hours=after),
                    resolved=None if done is None else created + timedelta(hours=done),
                    updated=created,
                )
            )
    with store.connect() as conn:
        goal = customer_service(conn, ws_id, START, END, target_hours=4.0)
        empty = customer_service(conn, ws_id, END + timedelta(days=1), END + timedelta(days=2), 4.0)
    assert goal.figures == {
        "items": 4.0,
        "answered": 3.0,
        "answer_rate": 0.75,
        "median_first_response_hours": 3.0,
        "within_target": 2 / 3,
        "resolved": 2.0,
        "median_resolution_hours": 6.5,  # 5 h and 8 h
        "complaints": 0.0,  # make_batch's mentions are praise
        "complaints_answered": 0.0,
        "complaints_followed_up": 0.0,
    }
    assert empty.figures == {
        "items": 0.0,
        "answered": 0.0,
        "answer_rate": 0.0,
        "resolved": 0.0,
        "complaints": 0.0,
        "complaints_answered": 0.0,
        "complaints_followed_up": 0.0,
    }


def test_complaints_before_and_after_the_reply(store: Store) -> None:
    with store.begin() as conn:
        w = World.make(conn)
        bad = ("complaint",)
        c1 = w.post("stale bread at larkspur", person(1), at(1), intents=bad, score=-0.8)
        w.post("thanks, the new loaf is great", person(1), at(1, 5), sentiment="positive",
               score=0.6)  # fmt: skip
        w.post("all good now larkspur", person(1), at(3), score=0.2)
        c2 = w.post("rude staff at larkspur", person(2), at(2), intents=bad, score=-0.6)
        w.post("still annoyed at larkspur", person(2), at(2, 6), score=-0.7)
        c3 = w.post("cold coffee at larkspur", person(3), at(3), intents=bad, score=-0.5)
        w.post("nice larkspur", person(3), at(3, 1), score=0.5)  # before the reply
        w.post("much later larkspur", person(3), at(30), score=0.9)  # after 14 days
        c4 = w.post("wrong order larkspur", person(4), at(4), intents=bad, score=-0.3)
        ids = w.save()
        replies = {c1: at(1, 2), c2: at(2, 1), c3: at(3, 2), c4: None}
        for native, reply in replies.items():
            conn.execute(
                insert(inbox_items).values(
                    workspace_id=w.ws_id, mention_id=ids[native],
                    state="new" if reply is None else "replied", priority=1.0,
                    reason="complaint", created=w.posts[int(native[1:]) - 1].created,
                    triaged=at(0), first_response=reply, updated=at(0),
                )
            )  # fmt: skip
    with store.connect() as conn:
        goal = customer_service(conn, w.ws_id, W_START, W_END, target_hours=4.0)
    complaint_figures = {k: v for k, v in goal.figures.items() if "complaint" in k or "sent" in k}
    after1, after2 = (0.6 + 0.2) / 2, -0.7  # c3's author spoke only before and too late
    assert complaint_figures == pytest.approx(
        {
            "complaints": 4.0,
            "complaints_answered": 3.0,
            "complaints_followed_up": 2.0,
            "sentiment_before": (-0.8 - 0.6) / 2,
            "sentiment_after": (after1 + after2) / 2,
            "complaints_improved": 0.5,  # c1 rose, c2 fell
        }
    )
