"""Stored streams: file and web origins, counts, changes, and upsert_workspace leaving web ones be.

Runs on SQLite and PostgreSQL (the ``store`` fixture). Counts are checked against
mentions written here with known times and streams, counted by hand.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from hubbub.model import Batch, Stream
from hubbub.query import QueryError
from hubbub.store import Store, upsert_workspace, write_batch
from hubbub.store.streams import (
    StreamError,
    active_streams,
    create_stream,
    get_stream,
    list_streams,
    set_paused,
    stream_by_name,
    update_stream,
)
from hubbub.store.tables import audit_log, streams
from tests.store.helpers import STREAMS, T0, make_post, make_workspace, match_streams

NOW = T0 + timedelta(days=10)


def _setup(store: Store) -> int:
    with store.begin() as conn:
        return upsert_workspace(conn, make_workspace())


def test_file_streams_are_stored_with_origin_file(store: Store) -> None:
    ws_id = _setup(store)
    with store.connect() as conn:
        rows = list_streams(conn, ws_id, now=NOW)
        assert {s.name for s in rows} == {s.name for s in STREAMS}
        assert {s.origin for s in rows} == {"file"}
        assert all(not s.editable and s.updated == s.created for s in rows)
        assert active_streams(conn, ws_id) == tuple(
            Stream(s.name, s.query, s.kind) for s in STREAMS
        )


def test_create_update_pause_resume_a_web_stream(store: Store) -> None:
    ws_id = _setup(store)
    with store.begin() as conn:
        sid = create_stream(
            conn, ws_id, "  Spring   market ", '"spring market" avl', "event", user_id=None, now=NOW
        )
    with store.connect() as conn:
        got = get_stream(conn, ws_id, sid, now=NOW)
        assert got is not None
        assert (got.name, got.kind, got.query, got.origin, got.paused) == (
            "Spring market",
            "event",
            '"spring market" avl',
            "web",
            False,
        )
        assert stream_by_name(conn, ws_id, "spring MARKET") == got
        assert Stream("Spring market", '"spring market" avl', "event") in active_streams(
            conn, ws_id
        )
    later = NOW + timedelta(hours=1)
    with store.begin() as conn:
        assert update_stream(conn, ws_id, sid, query="spring market", now=later) is True
        assert update_stream(conn, ws_id, sid, kind="campaign", now=later) is False  # not the query
        assert update_stream(conn, ws_id, sid, name="Spring market", now=later) is False  # no-op
        assert set_paused(conn, ws_id, sid, True, now=later) is True
        assert set_paused(conn, ws_id, sid, True, now=later) is False
    with store.connect() as conn:
        got = get_stream(conn, ws_id, sid)
        assert got is not None and got.paused and got.kind == "campaign"
        assert got.query == "spring market" and got.updated == later
        assert all(s.name != "Spring market" for s in active_streams(conn, ws_id))
        actions = [
            r.action
            for r in conn.execute(
                select(audit_log.c.action)
                .where(audit_log.c.subject == f"stream:{sid}")
                .order_by(audit_log.c.id)
            )
        ]
    assert actions == ["stream.create", "stream.update", "stream.update", "stream.pause"]
    with store.begin() as conn:
        assert set_paused(conn, ws_id, sid, False) is True
    with store.connect() as conn:
        assert any(s.name == "Spring market" for s in active_streams(conn, ws_id))


def test_bad_changes_are_refused_and_nothing_is_stored(store: Store) -> None:
    ws_id = _setup(store)
    with store.begin() as conn:
        sid = create_stream(conn, ws_id, "Market", "market", "event")
    cases: list[tuple[dict[str, str], type[Exception], str]] = [
        (
            {"name": "asheville", "query": "x"},
            StreamError,
            "taken by a stream defined in hubbub.toml",
        ),
        ({"name": "MARKET", "query": "x"}, StreamError, "taken by a stream defined in the web"),
        ({"name": "", "query": "x"}, StreamError, "give the stream a name"),
        ({"name": "n" * 101, "query": "x"}, StreamError, "at most 100"),
        ({"name": "a\x00b", "query": "x"}, StreamError, "control characters"),
        ({"name": "New", "query": "x", "kind": "party"}, StreamError, "must be one of"),
        ({"name": "New", "query": "a OR (b"}, QueryError, "column 6"),
        ({"name": "New", "query": "lang:en"}, QueryError, "cannot stand alone"),
        ({"name": "New", "query": "x" * 1025}, QueryError, "limit is 1,024"),
    ]
    for fields, error, message in cases:
        with pytest.raises(error, match=message), store.begin() as conn:
            create_stream(conn, ws_id, **fields)
    with store.connect() as conn:
        stored = list_streams(conn, ws_id)
    assert len(stored) == len(STREAMS) + 1
    file_id = next(s.id for s in stored if s.origin == "file")
    with pytest.raises(StreamError, match=r"defined in hubbub\.toml"), store.begin() as conn:
        update_stream(conn, ws_id, file_id, query="anything")
    with pytest.raises(StreamError, match=r"defined in hubbub\.toml"), store.begin() as conn:
        set_paused(conn, ws_id, file_id, True)
    with pytest.raises(StreamError, match="taken"), store.begin() as conn:
        update_stream(conn, ws_id, sid, name="Industry")
    with pytest.raises(LookupError), store.begin() as conn:
        update_stream(conn, ws_id, sid + 999, query="x")


def test_upsert_workspace_keeps_web_streams_and_pauses_dropped_file_streams(store: Store) -> None:
    ws_id = _setup(store)
    with store.begin() as conn:
        web = create_stream(conn, ws_id, "Market", "market", "event")
    fewer = make_workspace(streams=STREAMS[:1])
    with store.begin() as conn:
        assert upsert_workspace(conn, fewer) == ws_id
    with store.connect() as conn:
        state = {s.name: (s.origin, s.paused) for s in list_streams(conn, ws_id)}
    assert state == {
        STREAMS[0].name: ("file", False),
        STREAMS[1].name: ("file", True),
        STREAMS[2].name: ("file", True),
        "Market": ("web", False),
    }
    with store.begin() as conn:  # the file names them again: they resume
        upsert_workspace(conn, make_workspace())
        assert {s.name for s in active_streams(conn, ws_id)} == {
            *(s.name for s in STREAMS),
            "Market",
        }
        got = get_stream(conn, ws_id, web)
        assert got is not None and got.origin == "web" and got.query == "market"


def test_the_file_takes_over_a_web_name_and_keeps_the_old_query_in_the_note(
    store: Store,
) -> None:
    ws_id = _setup(store)
    with store.begin() as conn:
        web = create_stream(conn, ws_id, "Market", "market", "event", note="for May")
    ws = make_workspace(streams=(*STREAMS, Stream("Market", "farmers market", "event")))
    with store.begin() as conn:
        upsert_workspace(conn, ws)
    with store.connect() as conn:
        got = get_stream(conn, ws_id, web)
    assert got is not None
    assert (got.origin, got.query) == ("file", "farmers market")
    assert "as a web stream its query was: market" in got.note and "for May" in got.note


def test_upsert_writes_nothing_when_nothing_changed(store: Store) -> None:
    _setup(store)
    with store.connect() as conn:
        before = {r.id: r.updated for r in conn.execute(select(streams.c.id, streams.c.updated))}
    with store.begin() as conn:
        upsert_workspace(conn, make_workspace())
    with store.connect() as conn:
        after = {r.id: r.updated for r in conn.execute(select(streams.c.id, streams.c.updated))}
    assert after == before


def test_counts_per_stream(store: Store) -> None:
    ws = make_workspace()
    ws_id = _setup(store)
    # post i is created at T0 + i minutes; spread them over 20 days instead
    posts = [
        replace(make_post(i, text_=text), created=NOW - timedelta(days=days))
        for i, (text, days) in enumerate(
            [
                ("sourdough at larkspur bakery", 1),  # Larkspur Bakery, Industry
                ("asheville sourdough", 3),  # Asheville, Industry
                ("asheville rain", 9),  # Asheville
                ("croissant day", 15),  # Industry
                ("nothing to see", 2),  # no stream
            ]
        )
    ]
    found = match_streams(posts, ws)
    with store.begin() as conn:
        write_batch(conn, ws_id, Batch("test", posts), found)
    with store.connect() as conn:
        counts = {
            s.name: (s.mentions, s.mentions_week, s.last_mention)
            for s in list_streams(conn, ws_id, now=NOW)
        }
    assert counts == {
        "Larkspur Bakery": (1, 1, NOW - timedelta(days=1)),
        "Asheville": (2, 1, NOW - timedelta(days=3)),
        "Industry": (3, 2, NOW - timedelta(days=1)),
    }


def test_migration_0004_marks_existing_streams_as_file_streams(tmp_path: Path) -> None:
    from alembic import command
    from sqlalchemy import text

    from hubbub.store.engine import alembic_config

    opened = Store.open(f"sqlite:///{tmp_path / 'old.db'}", migrate=False)
    cfg = alembic_config()
    try:
        with opened.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0003")
            conn.execute(
                text(
                    "INSERT INTO workspaces (id, slug, name, timezone, config, created, updated) "
                    "VALUES (1, 'w', 'W', 'UTC', '{}', '2025-01-01 00:00:00', "
                    "'2025-01-01 00:00:00')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO streams (workspace_id, name, kind, query, paused, created) "
                    "VALUES (1, 'Brand', 'brand', 'larkspur', 0, '2025-01-02 03:04:05')"
                )
            )
            command.upgrade(cfg, "0004")
            row = conn.execute(text("SELECT origin, updated, note FROM streams")).one()
            assert tuple(row) == ("file", "2025-01-02 03:04:05", "")
            command.downgrade(cfg, "0003")
            columns = {r[1] for r in conn.execute(text("PRAGMA table_info(streams)"))}
            assert "origin" not in columns and "updated" not in columns
            command.upgrade(cfg, "0004")
            assert conn.execute(text("SELECT origin FROM streams")).scalar_one() == "file"
    finally:
        opened.close()
