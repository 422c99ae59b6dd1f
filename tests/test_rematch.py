"""Streams made in the web: the runners match with them, and stored posts are matched again.

On SQLite and PostgreSQL. The posts a new stream should find are computed apart from
the code under test, with ``hubbub.query.parse`` and ``evaluate`` over each post's
view; the real pipeline makes the mentions, so new ones carry a real insight.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from hubbub.listen import ingest
from hubbub.model import Batch, Post
from hubbub.pipeline import fill_entities, process
from hubbub.query import PostView, evaluate, parse
from hubbub.rematch import RematchError, preview, rematch
from hubbub.store import Store, upsert_workspace, write_batch
from hubbub.store.streams import create_stream, get_stream, set_paused
from hubbub.store.tables import inbox_items, mention_streams, mentions, posts
from tests.store.helpers import T0, make_post, make_workspace
from tests.store.helpers import pg_url as pg_url
from tests.store.helpers import store as store

NOW = T0 + timedelta(days=40)
WS = make_workspace()
TEXTS = [
    "Sourdough at the farmers market in asheville this morning",  # Asheville, Industry
    "Is the farmers market open on Sunday?",  # no file stream
    "The market downtown was packed #avlmarket",  # none (#avlmarket is not #avl)
    "Loved the croissant from @larkspurbakes",  # brand, Industry
    "Rain all day, no market for me",  # excluded by -rain
    "farmers market haul: peaches and bread",  # no file stream
    "Nothing to do with anything",  # nothing
]
MARKET = "(market OR #avlmarket) -rain"


def _post(i: int, text: str, days_ago: float) -> Post:
    return replace(make_post(i, text), entities=None, created=NOW - timedelta(days=days_ago))


def _stored() -> list[Post]:
    recent = [_post(i, t, days_ago=1 + i) for i, t in enumerate(TEXTS)]
    old = [_post(100, "market day long ago", days_ago=35)]  # outside a 30-day window
    return recent + old


@pytest.fixture
def filled(store: Store) -> Iterator[tuple[Store, int, list[Post]]]:
    stored = _stored()
    with store.begin() as conn:
        ws_id = upsert_workspace(conn, WS)
        write_batch(conn, ws_id, Batch("test", stored), process(stored, WS))
    yield store, ws_id, stored


def _expected(query: str, stored: list[Post], days: int = 30) -> set[str]:
    tree = parse(query)
    since = NOW - timedelta(days=days)
    return {
        p.id
        for p in stored
        if p.created >= since and evaluate(tree, PostView(fill_entities(replace(p))))
    }


def _linked(store: Store, stream_id: int) -> set[str]:
    with store.connect() as conn:
        rows = conn.execute(
            select(posts.c.native_id)
            .join(mentions, mentions.c.post_id == posts.c.id)
            .join(mention_streams, mention_streams.c.mention_id == mentions.c.id)
            .where(mention_streams.c.stream_id == stream_id)
        )
        return {r.native_id for r in rows}


def _mentioned(store: Store, ws_id: int) -> set[str]:
    with store.connect() as conn:
        rows = conn.execute(
            select(posts.c.native_id)
            .join(mentions, mentions.c.post_id == posts.c.id)
            .where(mentions.c.workspace_id == ws_id)
        )
        return {r.native_id for r in rows}


def test_rematch_links_old_mentions_and_makes_new_ones(
    filled: tuple[Store, int, list[Post]],
) -> None:
    store, ws_id, stored = filled
    before = _mentioned(store, ws_id)
    expected = _expected(MARKET, stored)
    # by hand: the posts with "market" or #avlmarket in the last 30 days, minus the rainy one
    assert expected == {"1000", "1001", "1002", "1005"}
    assert "1000" in before and not {"1001", "1002", "1005"} & before
    with store.begin() as conn:
        # a brand stream (the bakery's market stall), so the inbox takes its questions
        sid = create_stream(conn, ws_id, "Market", MARKET, "brand")
    report = rematch(store, WS.slug, ["Market"], now=NOW, batch_size=3)
    assert _linked(store, sid) == expected
    assert (report.posts_scanned, report.matched) == (len(TEXTS), len(expected))
    assert report.linked == len(expected & before)
    assert report.mentions_new == len(expected - before)
    assert _mentioned(store, ws_id) == before | expected
    with store.connect() as conn:  # the new mentions went through the real pipeline
        row = conn.execute(
            select(mentions.c.sentiment_label, mentions.c.insight)
            .join(posts, posts.c.id == mentions.c.post_id)
            .where(posts.c.native_id == "1001")
        ).one()
        assert row.sentiment_label in ("positive", "neutral", "negative")
        assert "question" in row.insight["why"]["intents"]  # "...open on Sunday?"
        # the inbox triaged the new question in the same run
        reason = conn.execute(
            select(inbox_items.c.reason)
            .join(mentions, mentions.c.id == inbox_items.c.mention_id)
            .join(posts, posts.c.id == mentions.c.post_id)
            .where(posts.c.native_id == "1001")
        ).scalar_one()
        assert reason == "question"
    again = rematch(store, WS.slug, ["Market"], now=NOW)
    assert (again.linked, again.mentions_new, again.matched) == (0, 0, len(expected))
    wider = rematch(store, WS.slug, ["Market"], now=NOW, days=60)
    assert wider.mentions_new == 1 and _linked(store, sid) == _expected(MARKET, stored, 60)
    assert "Matched 5 of 8 stored posts of the last 60 days" in wider.summary()


def test_a_time_budget_matches_the_newest_posts_first_and_says_where_to_go_on(
    filled: tuple[Store, int, list[Post]],
) -> None:
    store, ws_id, stored = filled
    with store.begin() as conn:
        sid = create_stream(conn, ws_id, "Market", MARKET, "event")
    first = rematch(store, WS.slug, ["Market"], now=NOW, batch_size=3, budget=0.0)
    # one batch, then the budget is spent: the 3 newest stored posts (ids 1006..1004)
    assert first.posts_scanned == 3 and first.resume_before is not None
    assert "of the newest 3 stored posts" in first.summary()
    assert _linked(store, sid) == _expected(MARKET, stored) & {"1004", "1005", "1006"}
    rest = rematch(store, WS.slug, ["Market"], now=NOW, batch_size=3, before_id=first.resume_before)
    assert rest.resume_before is None and rest.posts_scanned == len(TEXTS) - 3
    assert _linked(store, sid) == _expected(MARKET, stored)


def test_a_paused_stream_matches_nothing_and_unknown_names_are_refused(
    filled: tuple[Store, int, list[Post]],
) -> None:
    store, ws_id, _ = filled
    with store.begin() as conn:
        sid = create_stream(conn, ws_id, "Market", MARKET, "event")
        set_paused(conn, ws_id, sid, True)
    report = rematch(store, WS.slug, ["Market"], now=NOW)
    assert (report.matched, report.posts_scanned) == (0, 0)
    assert _linked(store, sid) == set()
    with pytest.raises(RematchError, match="no stream 'Nope'"):
        rematch(store, WS.slug, ["Nope"], now=NOW)
    with pytest.raises(RematchError, match="no workspace"):
        rematch(store, "nobody", ["Market"], now=NOW)
    with pytest.raises(RematchError, match="at least 1 day"):
        rematch(store, WS.slug, ["Market"], days=0)


def test_preview_counts_the_latest_posts(filled: tuple[Store, int, list[Post]]) -> None:
    store, _, stored = filled
    found = preview(store, MARKET, posts=5)
    newest = sorted(stored, key=lambda p: p.created, reverse=True)[:5]
    expected = [p.id for p in newest if p.id in _expected(MARKET, stored, days=365)]
    assert (found.scanned, found.matched) == (5, len(expected))
    assert [p.id for p in found.samples] == expected[:3]


def test_ingest_matches_a_stream_made_in_the_web(store: Store) -> None:
    with store.begin() as conn:
        ws_id = upsert_workspace(conn, WS)
        sid = create_stream(conn, ws_id, "Market", MARKET, "event")

    class OneBatch:
        name = "one"

        def batches(self, cursor: str | None = None) -> Iterator[Batch]:
            yield Batch("one", [_post(i, t, 1) for i, t in enumerate(TEXTS)], "done")

    report = ingest(store, WS, OneBatch())  # WS itself (hubbub.toml) knows no "Market"
    assert report.mentions_new > 0
    assert _linked(store, sid) == _expected(MARKET, [_post(i, t, 1) for i, t in enumerate(TEXTS)])
    with store.connect() as conn:  # and the file did not pause it
        got = get_stream(conn, ws_id, sid)
        assert got is not None and not got.paused
