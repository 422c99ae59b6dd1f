"""PostgreSQL's COPY path of write_batch stores exactly what the unnest path stores.

Large batches (a backfill's partitions) reach PostgreSQL by ``COPY`` into a temporary
table (``hubbub.store.write._pg_copy``); smaller ones as arrays through ``unnest()``.
Both are written here with the same batches, and every stored row compared, on
first sight and on a second sighting that leaves fields unknown (the merge rules).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select

from hubbub.model import Batch
from hubbub.store import Store, WriteResult, upsert_workspace, write_batch
from hubbub.store import write as write_module
from hubbub.store.tables import accounts, followers, mention_streams, mentions, posts
from tests.store.helpers import _empty_pg, make_account, make_batch, make_workspace, match_streams

pytestmark = pytest.mark.postgres

# set by the store on each write (now): not part of what a batch stores
WRITE_TIMES = {"updated", "processed", "first_seen"}


@pytest.fixture
def pg(pg_url: str) -> Iterator[Store]:
    with Store.open(pg_url) as opened:
        _empty_pg(opened)
        yield opened
        _empty_pg(opened)


def _write(store: Store, batch: Batch) -> WriteResult:
    ws = make_workspace()
    with store.begin() as conn:
        ws_id = upsert_workspace(conn, ws)
        return write_batch(conn, ws_id, batch, match_streams(batch.posts, ws))


def _snapshot(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    with store.connect() as conn:
        for table in (accounts, posts, mentions, mention_streams, followers):
            cols = [c for c in table.columns if c.name not in WRITE_TIMES]
            order = [table.c.id] if "id" in table.c else cols
            out[table.name] = [tuple(r) for r in conn.execute(select(*cols).order_by(*order))]
    return out


def _blanked(batch: Batch) -> Batch:
    """The same posts seen by a source that knows less: no url, language or metrics."""
    thin = [
        dataclasses.replace(
            p,
            url="",
            language=None,
            metrics=dataclasses.replace(p.metrics, likes=None),
            author=dataclasses.replace(p.author, bio="", followers=None),
        )
        for p in batch.posts
    ]
    return dataclasses.replace(batch, posts=thin, cursor="again")


def _run(store: Store, monkeypatch: pytest.MonkeyPatch, copy_from: int) -> list[Any]:
    monkeypatch.setattr(write_module, "PG_COPY_ROWS", copy_from)
    batch = dataclasses.replace(
        make_batch(0, 300), followers=[make_account(100 + i) for i in range(40)]
    )
    first = _write(store, batch)
    after_first = _snapshot(store)
    second = _write(store, _blanked(batch))
    return [first, after_first, second, _snapshot(store)]


def test_copy_stores_what_unnest_stores(pg: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    by_unnest = _run(pg, monkeypatch, copy_from=10**9)
    _empty_pg(pg)
    by_copy = _run(pg, monkeypatch, copy_from=1)
    first, after_first, second, after_second = by_copy
    assert first == WriteResult(
        posts_seen=300, posts_new=300, mentions_new=300, accounts_seen=47, followers_new=40
    )
    assert second.posts_new == second.mentions_new == second.followers_new == 0
    assert len(after_first["posts"]) == 300 and len(after_first["mention_streams"]) > 300
    assert by_copy == by_unnest
    # the merge rules held on the COPY path: unknown fields kept what was stored
    url = list(posts.columns).index(posts.c.url)
    assert all(row[url].startswith("https://x.com/") for row in after_second["posts"])


def test_copy_refuses_a_naive_time_and_stores_nothing(
    pg: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(write_module, "PG_COPY_ROWS", 1)
    batch = make_batch(0, 5)
    naive = dataclasses.replace(batch.posts[2], created=datetime(2025, 3, 1, 12, 0))
    bad = dataclasses.replace(batch, posts=[*batch.posts[:2], naive, *batch.posts[3:]])
    with pytest.raises(ValueError, match="naive datetime 2025-03-01T12:00:00"):
        _write(pg, bad)
    assert _snapshot(pg)["posts"] == []
