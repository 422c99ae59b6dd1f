"""Stores on SQLite and PostgreSQL, and small model builders, for the store's tests.

Imported by tests/store/conftest.py and tests/test_listen.py. PostgreSQL tests get a
fresh database per session (created here, dropped after) on the server at
127.0.0.1; they skip with the reason when it cannot be reached.

Tests that open stores by URL (a CLI run through ``HUBBUB_DATABASE_URL``, a test
comparing two stores) take the ``db`` fixture instead: ``db.url(name)`` is an empty,
migrated database of the test's kind, ``db.open(name)`` a store on it. On PostgreSQL
each name is a database of the session (created once, emptied with one ``TRUNCATE``
per test), so the suite runs on both kinds without a migration per test.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

import pytest
from sqlalchemy import text

from hubbub.model import (
    Account,
    Batch,
    Entities,
    Extent,
    Insight,
    Media,
    Mention,
    Metrics,
    Place,
    Post,
    Provenance,
    Sentiment,
    Span,
    Stream,
    Who,
    Why,
    Workspace,
)
from hubbub.store import Store
from hubbub.store.tables import metadata

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

STREAMS = (
    Stream("Larkspur Bakery", '"larkspur bakery" OR @larkspurbakes', "brand"),
    Stream("Asheville", "asheville OR avl", "locale"),
    Stream("Industry", "sourdough OR croissant", "industry"),
)


def make_workspace(slug: str = "larkspur", streams: tuple[Stream, ...] = STREAMS) -> Workspace:
    return Workspace(
        slug=slug,
        name="Larkspur Bakery",
        handles={"x": "larkspurbakes"},
        website="https://larkspurbakery.com",
        timezone="America/New_York",
        products=("sourdough", "croissant"),
        streams=streams,
    )


def make_account(i: int, network: str = "x", **changes: object) -> Account:
    fields: dict[str, object] = {
        "network": network,
        "id": f"u{i}",
        "handle": f"person{i}",
        "name": f"Person {i}",
        "bio": "I like bread",
        "location": "Asheville, NC",
        "followers": 100 + i,
        "following": 50,
        "posts": 1000,
        "created": T0 - timedelta(days=400 + i),
        "verified": False,
    }
    fields.update(changes)
    return Account(**fields)  # type: ignore[arg-type]


def make_post(i: int, text_: str = "", author: Account | None = None, network: str = "x") -> Post:
    author = author or make_account(i % 7, network)
    body = text_ or f"post {i}: sourdough in asheville #avl @larkspurbakes"
    return Post(
        network=network,
        id=str(1000 + i),
        author=author,
        text=body,
        created=T0 + timedelta(minutes=i),
        language="en",
        url=f"https://x.com/{author.handle}/status/{1000 + i}",
        entities=Entities(
            hashtags=(Span("avl", 34, 38),), mentions=(Span("larkspurbakes", 39, 53),)
        ),
        metrics=Metrics(likes=i % 5, reposts=1, replies=0),
        place=Place(name="Asheville", country_code="US", latitude=35.59, longitude=-82.55),
        client="hubbub-test",
        media=(Media("photo", "https://img.example/1.jpg", "a loaf"),),
        raw={"id": str(1000 + i), "text": body},
        provenance=Provenance("test", "memory://", T0 + timedelta(days=1)),
    )


def match_streams(posts: Sequence[Post], ws: Workspace) -> list[Mention]:
    """A stand-in for the pipeline: a stream matches when a word of its query is in the text."""
    found = []
    for post in posts:
        low = post.text.lower()
        names = tuple(
            s.name
            for s in ws.streams
            if not s.paused and any(w.strip('"@#').lower() in low for w in s.query.split(" OR "))
        )
        if names:
            insight = Insight(
                who=Who(handle=post.author.handle, followers=post.author.followers),
                why=Why(intents=("praise",)),
                extent=Extent(reach=post.author.followers or 0, engagement=post.metrics.likes or 0),
                sentiment=Sentiment("positive", 0.6),
            )
            found.append(Mention(ws.slug, post, names, insight))
    return found


def make_batch(start: int, n: int, cursor: str | None = None, **kw: object) -> Batch:
    posts = [make_post(i) for i in range(start, start + n)]
    return Batch("test", posts, cursor if cursor is not None else str(start + n), **kw)  # type: ignore[arg-type]


def count(store: Store, table: str) -> int:
    with store.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


# --- the two databases ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this session, dropped afterwards."""
    try:
        import psycopg
    except ImportError:
        pytest.skip("psycopg is not installed: PostgreSQL tests skipped")
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL at 127.0.0.1:5432 unreachable: {str(exc).splitlines()[0]}")
    name = f"hubbub_store_{os.getpid()}_{secrets.token_hex(4)}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgresql://postgres@127.0.0.1:5432/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _empty_pg(store: Store) -> None:
    names = ", ".join(t.name for t in metadata.sorted_tables)
    with store.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty, migrated store on SQLite (in tmp_path) and on PostgreSQL."""
    if request.param == "sqlite":
        opened = Store.open(f"sqlite:///{tmp_path / 'home' / 'hubbub.db'}")
        yield opened
        opened.close()
        return
    url = request.getfixturevalue("pg_url")
    opened = Store.open(url)
    _empty_pg(opened)
    try:
        yield opened
    finally:
        _empty_pg(opened)
        opened.close()


# --- databases by URL, of either kind (the ``db`` fixture) -----------------------------------


class PgDatabases:
    """Named databases on the PostgreSQL server for one session, made on first use."""

    def __init__(self, first: str) -> None:
        import psycopg

        self.first = first  # pg_url's database: the name "hubbub"
        self.admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)
        self.made: dict[str, str] = {}

    def url(self, name: str) -> str:
        if name == "hubbub":
            return self.first
        if name not in self.made:
            db = f"{self.first.rsplit('/', 1)[1]}_{name}"
            self.admin.execute(f'CREATE DATABASE "{db}"')
            self.made[name] = f"postgresql://postgres@127.0.0.1:5432/{db}"
        return self.made[name]

    def drop(self) -> None:
        for url in self.made.values():
            db = url.rsplit("/", 1)[1]
            self.admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        self.admin.close()


@pytest.fixture(scope="session")
def pg_databases(pg_url: str) -> Iterator[PgDatabases]:
    """Extra PostgreSQL databases, by name, for tests that need several stores at once."""
    pool = PgDatabases(pg_url)
    try:
        yield pool
    finally:
        pool.drop()


@dataclass
class Databases:
    """Empty, migrated databases of one kind, by name (see the module docstring).

    A name's database is emptied on its first use by this object; stores from
    :meth:`open` are closed by :meth:`close`.
    """

    kind: Literal["sqlite", "postgresql"]
    root: Path  # SQLite files go here
    pg: PgDatabases | None = None
    ready: dict[str, str] = field(default_factory=dict)
    opened: list[Store] = field(default_factory=list)

    def url(self, name: str = "hubbub") -> str:
        if name not in self.ready:
            if self.pg is None:
                self.ready[name] = f"sqlite:///{self.root / name}.db"
            else:
                url = self.pg.url(name)
                with Store.open(url) as emptied:  # migrates on the session's first use
                    _empty_pg(emptied)
                self.ready[name] = url
        return self.ready[name]

    def open(self, name: str = "hubbub") -> Store:
        opened = Store.open(self.url(name))
        self.opened.append(opened)
        return opened

    def close(self) -> None:
        for opened in self.opened:
            opened.close()
        self.opened.clear()


def databases(request: pytest.FixtureRequest, root: Path) -> Databases:
    """A :class:`Databases` of the kind in ``request.param``: for fixtures of any scope."""
    if request.param == "sqlite":
        return Databases("sqlite", root)
    return Databases("postgresql", root, request.getfixturevalue("pg_databases"))


DB_KINDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=DB_KINDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Databases]:
    """Empty databases of each kind in turn, by URL: SQLite in tmp_path, and PostgreSQL."""
    made = databases(request, tmp_path / "db")
    made.root.mkdir(parents=True, exist_ok=True)
    try:
        yield made
    finally:
        made.close()
