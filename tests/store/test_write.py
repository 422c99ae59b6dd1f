"""write.py on SQLite and PostgreSQL: round-trips, idempotence, streams, cursors."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC

import pytest
from sqlalchemy import select

from hubbub import codec
from hubbub.model import Batch, Insight, Mention, Stream
from hubbub.store import (
    Store,
    WriteResult,
    get_cursor,
    load_workspace,
    set_cursor,
    upsert_workspace,
    workspace_id,
    write_batch,
)
from hubbub.store.tables import accounts, mention_streams, mentions, posts, streams
from hubbub.store.types import entities_from_json
from tests.store.helpers import (
    STREAMS,
    count,
    make_account,
    make_batch,
    make_post,
    make_workspace,
    match_streams,
)


def _write(store: Store, batch: Batch, ws_slug: str = "larkspur") -> WriteResult:
    ws = make_workspace(ws_slug)
    with store.begin() as conn:
        ws_id = upsert_workspace(conn, ws)
        return write_batch(conn, ws_id, batch, match_streams(batch.posts, ws))


def test_post_round_trips_every_field(store: Store) -> None:
    post = make_post(3)
    _write(store, Batch("test", [post], "c1"))
    with store.connect() as conn:
        row = conn.execute(select(posts).where(posts.c.native_id == post.id)).one()
        author = conn.execute(select(accounts).where(accounts.c.id == row.account_id)).one()
    assert (row.network, row.text, row.created, row.language) == (
        "x",
        post.text,
        post.created,
        "en",
    )
    assert row.created.tzinfo == UTC
    assert entities_from_json(row.entities) == post.entities
    assert (row.likes, row.reposts, row.replies, row.quotes) == (3, 1, 0, None)
    assert codec.from_dict(type(post.place), row.place) == post.place
    assert row.media == [codec.to_dict(m) for m in post.media]
    assert row.raw == post.raw
    assert post.provenance is not None
    assert (row.source, row.source_url, row.retrieved) == (
        "test",
        "memory://",
        post.provenance.retrieved,
    )
    assert (author.native_id, author.handle, author.followers, author.created) == (
        post.author.id,
        post.author.handle,
        post.author.followers,
        post.author.created,
    )


def test_mention_round_trips_insight(store: Store) -> None:
    batch = make_batch(0, 1)
    ws = make_workspace()
    found = match_streams(batch.posts, ws)
    with store.begin() as conn:
        write_batch(conn, upsert_workspace(conn, ws), batch, found)
    with store.connect() as conn:
        row = conn.execute(select(mentions)).one()
    assert codec.from_dict(Insight, row.insight) == found[0].insight
    assert (row.sentiment_label, row.sentiment_score, row.intents) == ("positive", 0.6, ["praise"])
    assert (row.reach, row.engagement, row.post_type) == (100, 0, "original")
    assert row.created == batch.posts[0].created


def test_same_batch_twice_is_idempotent(store: Store) -> None:
    batch = make_batch(0, 50, followers=[make_account(100), make_account(101)])
    first = _write(store, batch)
    tables = ("posts", "accounts", "mentions", "mention_streams", "followers", "source_cursors")
    counts = {t: count(store, t) for t in tables}
    second = _write(store, batch)
    assert first == WriteResult(
        posts_seen=50, posts_new=50, mentions_new=50, accounts_seen=9, followers_new=2
    )
    assert second == WriteResult(posts_seen=50, accounts_seen=9)
    assert {t: count(store, t) for t in tables} == counts
    assert counts["mention_streams"] == 150  # every post names all three streams


def test_post_matched_by_two_streams_is_one_mention_with_two_links(store: Store) -> None:
    post = make_post(1, "fresh sourdough in avl today")
    ws = make_workspace()
    found = match_streams([post], ws)
    assert found[0].streams == ("Asheville", "Industry")
    with store.begin() as conn:
        write_batch(conn, upsert_workspace(conn, ws), Batch("test", [post]), found)
    with store.connect() as conn:
        names = conn.execute(
            select(streams.c.name)
            .join(mention_streams, mention_streams.c.stream_id == streams.c.id)
            .order_by(streams.c.name)
        ).scalars()
        assert list(names) == ["Asheville", "Industry"]
    assert count(store, "mentions") == 1


def test_duplicate_mentions_of_one_post_merge_their_streams(store: Store) -> None:
    post = make_post(1)
    ws = make_workspace()
    twice = [
        Mention(ws.slug, post, ("Asheville",), Insight()),
        Mention(ws.slug, post, ("Industry",), Insight()),
    ]
    with store.begin() as conn:
        res = write_batch(conn, upsert_workspace(conn, ws), Batch("t", [post, post]), twice)
    assert (res.posts_seen, res.posts_new, res.mentions_new) == (1, 1, 1)
    assert count(store, "mention_streams") == 2


def test_reprocessing_updates_insight_and_adds_streams(store: Store) -> None:
    post = make_post(1)
    ws = make_workspace()
    with store.begin() as conn:
        ws_id = upsert_workspace(conn, ws)
        write_batch(
            conn, ws_id, Batch("t", [post]), [Mention(ws.slug, post, ("Asheville",), Insight())]
        )
    later = Insight(
        sentiment=dataclasses.replace(Insight().sentiment, label="negative", score=-0.5)
    )
    with store.begin() as conn:
        res = write_batch(
            conn, ws_id, Batch("t", [post]), [Mention(ws.slug, post, ("Industry",), later)]
        )
    assert res.mentions_new == 0
    with store.connect() as conn:
        row = conn.execute(select(mentions)).one()
    assert (row.sentiment_label, row.sentiment_score) == ("negative", -0.5)
    assert count(store, "mention_streams") == 2


def test_later_partial_account_does_not_erase_fields(store: Store) -> None:
    full = make_account(1)
    partial = make_account(1, name="", bio="", followers=None, created=None, handle="renamed")
    _write(store, Batch("t", [make_post(1, author=full)]))
    _write(store, Batch("t", [make_post(2, author=partial)]))
    with store.connect() as conn:
        row = conn.execute(select(accounts)).one()
    assert (row.handle, row.name, row.bio, row.followers, row.created) == (
        "renamed",
        full.name,
        full.bio,
        full.followers,
        full.created,
    )


def test_posts_known_only_from_mentions_are_stored(store: Store) -> None:
    ws = make_workspace()
    post = make_post(9)
    with store.begin() as conn:
        res = write_batch(
            conn, upsert_workspace(conn, ws), Batch("t", []), match_streams([post], ws)
        )
    assert (res.posts_seen, res.posts_new, res.mentions_new) == (1, 1, 1)


def test_unknown_stream_is_refused_by_name(store: Store) -> None:
    ws = make_workspace()
    post = make_post(1)
    with pytest.raises(ValueError, match="'Nope'"), store.begin() as conn:
        write_batch(
            conn,
            upsert_workspace(conn, ws),
            Batch("t", [post]),
            [Mention(ws.slug, post, ("Nope",), Insight())],
        )
    assert count(store, "posts") == 0  # the transaction rolled back


def test_followers_counted_once(store: Store) -> None:
    fans = [make_account(i, "mastodon") for i in range(5)]
    first = _write(store, Batch("t", [], followers=fans))
    again = _write(store, Batch("t", [], followers=[*fans, make_account(5, "mastodon")]))
    assert (first.followers_new, again.followers_new) == (5, 1)
    assert count(store, "followers") == 6


def test_large_batch_crosses_statement_pages(store: Store) -> None:
    # 2,500 posts: more than one page of insertmanyvalues (1,000 rows) per table
    batch = make_batch(0, 2500)
    res = _write(store, batch)
    assert (res.posts_new, res.mentions_new) == (2500, 2500)
    with store.connect() as conn:
        ids = dict(conn.execute(select(posts.c.native_id, posts.c.text)).all())
    assert all(ids[p.id] == p.text for p in batch.posts)


def test_workspace_round_trip_and_lookup(store: Store) -> None:
    ws = make_workspace()
    with store.begin() as conn:
        ws_id = upsert_workspace(conn, ws)
        assert upsert_workspace(conn, ws) == ws_id
    with store.connect() as conn:
        assert workspace_id(conn, "larkspur") == ws_id
        assert workspace_id(conn, "nope") is None
        assert load_workspace(conn, "larkspur") == ws
        assert load_workspace(conn, "nope") is None


def test_streams_sync_inserts_updates_and_pauses(store: Store) -> None:
    with store.begin() as conn:
        ws_id = upsert_workspace(conn, make_workspace())
    changed = (
        Stream("Larkspur Bakery", "larkspur", "brand", paused=False),
        dataclasses.replace(STREAMS[1], query="avl", paused=True),
        Stream("Spring Fair", "#springfair", "event"),
    )
    with store.begin() as conn:
        assert upsert_workspace(conn, make_workspace(streams=changed)) == ws_id
    with store.connect() as conn:
        rows = {
            r.name: (r.query, r.kind, r.paused)
            for r in conn.execute(select(streams).where(streams.c.workspace_id == ws_id))
        }
        assert load_workspace(conn, "larkspur") == make_workspace(streams=changed)
    assert rows == {
        "Larkspur Bakery": ("larkspur", "brand", False),
        "Asheville": ("avl", "locale", True),
        "Industry": ("sourdough OR croissant", "industry", True),  # removed: kept, paused
        "Spring Fair": ("#springfair", "event", False),
    }


def test_cursor_is_per_workspace_and_source(store: Store) -> None:
    with store.begin() as conn:
        a = upsert_workspace(conn, make_workspace("a"))
        b = upsert_workspace(conn, make_workspace("b"))
        assert get_cursor(conn, a, "demo") is None
        write_batch(conn, a, Batch("demo", [], "42"), [])
        set_cursor(conn, b, "demo", "7")
        write_batch(conn, a, Batch("demo", [], None), [])  # no cursor: keeps the stored one
    with store.connect() as conn:
        assert (get_cursor(conn, a, "demo"), get_cursor(conn, b, "demo")) == ("42", "7")
        assert get_cursor(conn, a, "other") is None


def test_concurrent_writers_with_shared_authors_all_commit(store: Store) -> None:
    """Two listeners at once (same authors, different posts): no lock error, no deadlock."""
    with store.begin() as conn:
        ws_id = upsert_workspace(conn, make_workspace())
    errors: list[BaseException] = []

    def writer(offset: int) -> None:
        try:
            for i in range(5):
                start = offset + i * 100
                batch = Batch(f"w{offset}", [make_post(n) for n in range(start, start + 100)])
                with store.begin() as conn:
                    write_batch(conn, ws_id, batch, [])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(o,)) for o in (0, 10_000)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert (count(store, "posts"), count(store, "accounts")) == (1000, 7)
