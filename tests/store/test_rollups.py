"""The rollups stay equal to a recount of the mentions, on SQLite and PostgreSQL.

The write path keeps ``mention_hours``, ``mention_facets`` and ``mention_tags`` by
increments (hubbub.store.rollups); after every kind of write (new mentions, the same
posts again with another insight, a time or streams, a rematch of a new stream, a
stream paused by hubbub.toml or edited in the web) the stored rows must equal what
:func:`~hubbub.store.rollups.rebuild` recounts from the mentions, and the per-hour
and per-value counts must equal ones computed here in plain Python from the specs.
Migration 0012's backfill is checked by migrating a store down past it and up again;
two PostgreSQL writers re-processing the same mentions at once by the advisory lock.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from alembic import command
from sqlalchemy import func, select

from hubbub.model import (
    Batch,
    Extent,
    How,
    Insight,
    Mention,
    Post,
    Sentiment,
    What,
    Where,
    Who,
    Why,
)
from hubbub.rematch import rematch
from hubbub.store import Store, rollups, upsert_workspace, write_batch
from hubbub.store.engine import alembic_config
from hubbub.store.rollups import rebuild, stored_rows
from hubbub.store.streams import create_stream, set_paused, update_stream
from hubbub.store.tables import mention_hours, mention_streams, streams
from tests.store.helpers import T0, make_account, make_post, make_workspace

BRAND, LOCAL, BREAD = (s.name for s in make_workspace().streams)
SENTIMENTS = ("positive", "neutral", "negative")
TAGS = ("Sourdough", "avl", "SOURDOUGH", "Ünïcode")  # case-folded: #sourdough twice
TOWNS = ("Asheville", "Boone", "")
CLIENTS = ("Ivory", "Twitter for iPhone", "")


@dataclass(frozen=True)
class Spec:
    """One mention as written: every field the rollups count."""

    i: int
    created: datetime
    streams: tuple[str, ...]
    sentiment: str
    hashtags: tuple[str, ...]
    town: str
    client: str
    intents: tuple[str, ...]
    impressions: int | None
    media: bool


def _spec(i: int, shift: int = 0) -> Spec:
    return Spec(
        i=i,
        created=T0 + timedelta(minutes=25 * i + 11 * shift),
        streams=((BRAND,), (LOCAL, BREAD), (BRAND, LOCAL), (BREAD,))[(i + shift) % 4],
        sentiment=SENTIMENTS[(i + shift) % 3],
        hashtags=tuple(TAGS[(i + shift + k) % 4] for k in range(i % 3)),
        town=TOWNS[(i + shift) % 3],
        client=CLIENTS[i % 3],
        intents=(("question",), ("praise", "complaint"), ())[(i + shift) % 3],  # type: ignore[index]
        impressions=None if i % 4 == 0 else 10 * i,
        media=i % 2 == 0,
    )


def _mention(spec: Spec, slug: str = "larkspur") -> Mention:
    author = make_account(spec.i % 5)
    post: Post = dataclasses.replace(
        make_post(spec.i, author=author), created=spec.created, client=spec.client
    )
    insight = Insight(
        who=Who(author.handle, author.followers, authenticity=(spec.i % 3) / 2 or None),
        what=What(hashtags=spec.hashtags, products=("croissant",) if spec.i % 2 else ()),
        where=Where(in_locale=(True, False, None)[spec.i % 3], town=spec.town),
        why=Why(intents=spec.intents),  # type: ignore[arg-type]
        how=How(network="x", client=spec.client, has_media=spec.media, language="en"),
        extent=Extent(reach=author.followers or 0, engagement=spec.i, impressions=spec.impressions),
        sentiment=Sentiment(spec.sentiment, 0.5),  # type: ignore[arg-type]
    )
    return Mention(slug, post, spec.streams, insight)


def _write(store: Store, ws_id: int, specs: Sequence[Spec]) -> None:
    found = [_mention(s) for s in specs]
    with store.begin() as conn:
        write_batch(conn, ws_id, Batch("test", [m.post for m in found]), found)


def _assert_recount(store: Store, ws_id: int) -> dict[str, set[tuple[Any, ...]]]:
    """The stored rollups equal a rebuild's (the rebuild is rolled back)."""
    with store.connect() as conn:
        kept = stored_rows(conn, ws_id)
    with store.begin() as conn:
        rebuild(conn, ws_id)
        recounted = stored_rows(conn, ws_id)
        conn.rollback()
    assert kept == recounted
    assert kept["mention_hours"] and kept["mention_facets"] and kept["mention_tags"]
    return kept


def _hour(when: datetime) -> datetime:
    return when.replace(minute=0, second=0, microsecond=0)


def _assert_counts(store: Store, ws_id: int, specs: Sequence[Spec]) -> None:
    """Per hour and stream, and per hashtag and town, as counted here from the specs."""
    with store.connect() as conn:
        names = {
            int(sid): str(name)
            for sid, name in conn.execute(
                select(streams.c.id, streams.c.name).where(streams.c.workspace_id == ws_id)
            )
        }
        rows = stored_rows(conn, ws_id)
    hours = {(h, names.get(sid, "")): n for _, h, sid, n, *_ in rows["mention_hours"]}
    expected: Counter[tuple[datetime, str]] = Counter()
    for s in specs:
        for name in ("", *s.streams):
            expected[(_hour(s.created), name)] += 1
    assert hours == dict(expected)
    facets = {(f, v): n for _, _, f, v, n, _, _ in rows["mention_facets"]}
    tags: Counter[str] = Counter()
    for s in specs:
        tags.update({"#" + t.lower() for t in s.hashtags})
    found = Counter({v: n for (f, v), n in facets.items() if f == "hashtag"})
    # one day here: a facet's count over the days is its count
    assert {s.created.date() for s in specs} == {T0.date()}
    assert found == tags
    towns = Counter(s.town for s in specs if s.town)
    assert Counter({v: n for (f, v), n in facets.items() if f == "town"}) == towns
    listed = {(k, v) for _, k, v, _, _ in rows["mention_tags"]}
    assert ("hashtag", "#ünïcode") in listed  # Python's case folding, on both databases


def test_writes_and_rewrites_keep_the_rollups_exact(store: Store) -> None:
    ws = make_workspace()
    with store.begin() as conn:
        ws_id = upsert_workspace(conn, ws)
    first = [_spec(i) for i in range(24)]
    _write(store, ws_id, first[:15])
    _write(store, ws_id, first[10:])  # five posts seen again, unchanged
    _assert_recount(store, ws_id)
    _assert_counts(store, ws_id, first)
    # the same posts again with another insight, time and streams (links only grow)
    changed = {i: _spec(i, shift=1) for i in range(0, 24, 3)}
    _write(store, ws_id, list(changed.values()))
    final = []
    for s in first:
        new = changed.get(s.i)
        if new is None:
            final.append(s)
        else:
            kept = tuple(n for n in (BRAND, LOCAL, BREAD) if n in s.streams or n in new.streams)
            final.append(dataclasses.replace(new, streams=kept))
    _assert_recount(store, ws_id)
    _assert_counts(store, ws_id, final)


def test_rematch_and_stream_changes_keep_the_rollups_exact(store: Store) -> None:
    ws = make_workspace()
    with store.begin() as conn:
        ws_id = upsert_workspace(conn, ws)
    _write(store, ws_id, [_spec(i) for i in range(12)])
    now = T0 + timedelta(days=2)
    with store.begin() as conn:
        sid = create_stream(conn, ws_id, "Avl tags", "#avl", "event")
    report = rematch(store, ws.slug, ["Avl tags"], now=now)
    assert report.mentions_new == 0 and report.linked == 12
    kept = _assert_recount(store, ws_id)
    with store.connect() as conn:
        linked = conn.execute(
            select(func.count()).where(mention_streams.c.stream_id == sid)
        ).scalar_one()
        rolled = conn.execute(
            select(func.sum(mention_hours.c.mentions)).where(mention_hours.c.stream_id == sid)
        ).scalar_one()
    assert linked == report.linked == rolled
    with store.begin() as conn:  # pausing, editing and a file stream dropped change no count
        set_paused(conn, ws_id, sid, True)
        set_paused(conn, ws_id, sid, False)
        update_stream(conn, ws_id, sid, name="AVL tag", query="#avl OR avl")
        upsert_workspace(conn, dataclasses.replace(ws, streams=ws.streams[:2]))
    assert _assert_recount(store, ws_id) == kept


def test_workspaces_keep_their_own_rollups(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rollups, "_COPY_TAGS", 1)  # PostgreSQL: tags by COPY
    with store.begin() as conn:
        a = upsert_workspace(conn, make_workspace("a"))
        b = upsert_workspace(conn, make_workspace("b"))
    specs = [_spec(i) for i in range(6)]
    for ws_id, slug in ((a, "a"), (b, "b")):
        found = [_mention(s, slug) for s in specs]
        with store.begin() as conn:
            write_batch(conn, ws_id, Batch("test", [m.post for m in found]), found)
    with store.begin() as conn:
        rebuild(conn, a)  # one workspace's recount leaves the other's rows alone
    _assert_recount(store, b)
    with store.connect() as conn:
        ra, rb = stored_rows(conn, a), stored_rows(conn, b)
    # the same mentions: the same rows but for the workspace (and its streams' ids)
    assert {r[1:] for r in ra["mention_facets"]} == {r[1:] for r in rb["mention_facets"]}
    whole = [{r[1:] for r in rows["mention_hours"] if r[2] == 0} for rows in (ra, rb)]
    assert whole[0] == whole[1] and whole[0]


def test_the_migration_fills_the_rollups_of_stored_mentions(store: Store) -> None:
    ws = make_workspace()
    with store.begin() as conn:
        ws_id = upsert_workspace(conn, ws)
    _write(store, ws_id, [_spec(i) for i in range(20)])
    with store.connect() as conn:
        written = stored_rows(conn, ws_id)
    cfg = alembic_config()
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0011")
        command.upgrade(cfg, "head")
    with store.connect() as conn:
        assert stored_rows(conn, ws_id) == written


def test_writers_of_the_same_mentions_at_once(store: Store) -> None:
    """Four writers re-process the same 40 posts at once: on PostgreSQL they take turns
    from reading the old facts to the commit (the advisory lock), on SQLite from BEGIN."""
    with store.begin() as conn:
        ws_id = upsert_workspace(conn, make_workspace())
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def writer(shift: int) -> None:
        try:
            found = [_mention(_spec(i, shift)) for i in range(40)]
            barrier.wait()
            for lo in range(0, 40, 10):
                part = found[lo : lo + 10] if shift % 2 else found[::-1][lo : lo + 10]
                with store.begin() as conn:
                    write_batch(conn, ws_id, Batch("test", [m.post for m in part]), part)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    _assert_recount(store, ws_id)
    with store.connect() as conn:
        total = conn.execute(
            select(func.sum(mention_hours.c.mentions)).where(
                mention_hours.c.workspace_id == ws_id, mention_hours.c.stream_id == 0
            )
        ).scalar_one()
    assert total == 40
