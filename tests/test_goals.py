"""The traffic and customer-service figures, against counts made by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from hubbub.goals import customer_service, traffic
from hubbub.store import Store, upsert_workspace, write_batch
from hubbub.store import publish as queries
from hubbub.store.tables import inbox_items, mentions
from tests.store.helpers import make_batch, make_workspace, match_streams
from tests.store.helpers import pg_url as pg_url
from tests.store.helpers import store as store

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


def test_customer_service(store: Store) -> None:
    ws = make_workspace()
    with store.begin() as conn:
        ws_id = upsert_workspace(conn, ws)
        batch = make_batch(0, 6)
        write_batch(conn, ws_id, batch, match_streams(batch.posts, ws))
        ids = list(conn.execute(select(mentions.c.id).order_by(mentions.c.id)).scalars())
        # (created, answered after hours): 1 h, 3 h, 6 h, unanswered, and one before START
        specs = [
            (START + timedelta(hours=1), 1.0),
            (START + timedelta(days=1), 3.0),
            (START + timedelta(days=2), 6.0),
            (START + timedelta(days=3), None),
            (START - timedelta(days=1), 0.5),
            (END, 0.5),
        ]
        for mention_id, (created, after) in zip(ids, specs, strict=True):
            conn.execute(
                insert(inbox_items).values(
                    workspace_id=ws_id,
                    mention_id=mention_id,
                    state="replied" if after is not None else "new",
                    priority=1.0,
                    reason="question",
                    created=created,
                    triaged=created,
                    first_response=None if after is None else created + timedelta(hours=after),
                    updated=created,
                )
            )
    with store.connect() as conn:
        goal = customer_service(conn, ws_id, START, END, target_hours=4.0)
    assert goal.figures == {
        "items": 4.0,
        "answered": 3.0,
        "answer_rate": 0.75,
        "median_first_response_hours": 3.0,
        "within_target": 2 / 3,
    }
    with store.connect() as conn:
        empty = customer_service(conn, ws_id, END + timedelta(days=1), END + timedelta(days=2), 4.0)
    assert empty.figures == {"items": 0.0, "answered": 0.0, "answer_rate": 0.0}
