"""mention_streams' copies of their mention's workspace and time (migration 0006).

The listening summary and the Streams page read links by these copies alone, so every
way a link is written must leave them equal to the mention's own values: the
batch writer gives them, a writer that leaves them out gets them from a trigger,
and a mention whose time changes moves its links along. Checked on SQLite and
PostgreSQL against the mentions table itself. (A writer around ``write_batch`` must
also recount the rollups, :func:`hubbub.store.rollups.rebuild`, as the last test does.)
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from sqlalchemy import insert, select

from hubbub.model import Batch, Stream
from hubbub.store import Store, upsert_workspace, write_batch
from hubbub.store.queries import mentions_over_time
from hubbub.store.rollups import rebuild
from hubbub.store.tables import mention_streams, mentions, streams
from tests.store.helpers import T0, make_post, make_workspace, match_streams


def _links(store: Store) -> list[tuple[int, int, int | None, datetime | None, int, datetime]]:
    with store.connect() as conn:
        rows = conn.execute(
            select(
                mention_streams.c.mention_id,
                mention_streams.c.stream_id,
                mention_streams.c.workspace_id,
                mention_streams.c.created,
                mentions.c.workspace_id,
                mentions.c.created,
            )
            .join(mentions, mentions.c.id == mention_streams.c.mention_id)
            .order_by(mention_streams.c.mention_id, mention_streams.c.stream_id)
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def _assert_copies_match(store: Store) -> None:
    rows = _links(store)
    assert rows
    for _mid, _sid, ws_copy, created_copy, ws_id, created in rows:
        assert (ws_copy, created_copy) == (ws_id, created)


def test_the_batch_writer_stores_the_copies(store: Store) -> None:
    ws = make_workspace()
    posts = [make_post(i) for i in range(4)]
    with store.begin() as conn:
        ws_id = upsert_workspace(conn, ws)
        write_batch(conn, ws_id, Batch("test", posts), match_streams(posts, ws))
    _assert_copies_match(store)


def test_a_writer_that_leaves_them_out_gets_them_filled(store: Store) -> None:
    extra = Stream("Rye", "rye", "industry")
    ws = make_workspace(streams=(*make_workspace().streams, extra))
    posts = [make_post(i) for i in range(3)]
    with store.begin() as conn:
        ws_id = upsert_workspace(conn, ws)
        write_batch(conn, ws_id, Batch("test", posts), match_streams(posts, ws))
        rye = conn.execute(select(streams.c.id).where(streams.c.name == "Rye")).scalar_one()
        ids = conn.execute(select(mentions.c.id).order_by(mentions.c.id)).scalars().all()
        # as a backfill of a new stream links old mentions: only the two keys
        conn.execute(insert(mention_streams), [{"mention_id": i, "stream_id": rye} for i in ids])
        rebuild(conn, ws_id)  # the rollups, which only write_batch keeps by itself
    _assert_copies_match(store)
    with store.connect() as conn:
        series = mentions_over_time(
            conn, ws_id, T0 - timedelta(days=1), T0 + timedelta(days=1), "America/New_York"
        )
    assert {s.name: s.total for s in series.series}["Rye"] == 3


def test_a_mention_whose_time_changes_moves_its_links(store: Store) -> None:
    ws = make_workspace()
    posts = [make_post(i) for i in range(2)]
    with store.begin() as conn:
        ws_id = upsert_workspace(conn, ws)
        write_batch(conn, ws_id, Batch("test", posts), match_streams(posts, ws))
    moved = dataclasses.replace(posts[0], created=posts[0].created + timedelta(days=2))
    with store.begin() as conn:  # a source that corrects a post's time
        write_batch(conn, ws_id, Batch("test", [moved]), match_streams([moved], ws))
    rows = _links(store)
    assert any(created == moved.created for *_, created in rows)
    _assert_copies_match(store)
