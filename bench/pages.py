"""Benchmark: each web page's time on a store of 1,000,000 mentions (issue 4).

Builds a store of N mentions (default 1,000,000) for the bundled bakery workspace
over 365 days, and a 10,000-mention store the same way as the baseline, then asks
each page through the real app (FastAPI's TestClient, logged in) at least
``--repeat`` times and prints p50, p95 and max per page, p95 against the 300 ms
target, and p95 against the same page on the baseline store, with the CPU time of
this process (the app runs in it) beside the wall time.

Realistic rows, built fast: the demo world of 30 days goes through the real
pipeline once (a few thousand mentions with real insight: networks, sentiment,
intents, streams incl. competitors), and those are replicated into N rows with
times spread over the year (in ingestion order, as a listener writes them) and
authors drawn from a heavy-tailed pool, by plain ``executemany`` on the tables
(the write path is bench/store.py's subject); the rollups are then recounted with
:func:`hubbub.store.rollups.rebuild`, as migration 0012 does for a store that has
mentions. Inbox items are made with the inbox's own rules
(:func:`hubbub.inbox.rules.needs_person`, ``base_priority``) for each sampled
mention; items older than three days are mostly resolved.

The stores are SQLite files cached under /tmp/hubbub-bench-pages/, keyed by size,
the schema's digest and :data:`BUILD`, so a re-run only measures. With
``--database postgresql://.../NAME`` the same stores are copied (COPY) into
PostgreSQL databases NAME_10000 and NAME_1000000 (created on the server, kept, and
reused while they hold the same build) and the pages are measured there.

Usage: .venv/bin/python bench/pages.py [--mentions N] [--repeat 20] [--rebuild]
       [--pages 'streams,inbox'] [--database postgresql://postgres@127.0.0.1:5432/hubbub_pages]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi.testclient import TestClient
from sqlalchemy import Table, func, select, text

from hubbub.inbox.rules import Candidate, base_priority, needs_person
from hubbub.model import Mention, Workspace
from hubbub.pipeline import process
from hubbub.settings import Settings
from hubbub.sources.demo import generate_world
from hubbub.store import Store, tables, upsert_workspace
from hubbub.store.tables import (
    accounts,
    inbox_items,
    mention_streams,
    mentions,
    metadata,
    posts,
    streams,
)
from hubbub.store.types import entities_to_json, json_dumps
from hubbub.store.users import add_membership, create_user
from hubbub.store.write import mention_row, post_row
from hubbub.web import create_app
from hubbub.workspace.load import load_workspace

CACHE = Path("/tmp/hubbub-bench-pages")
# The bench also runs on a checkout from before the rollups (PYTHONPATH=OLD/src), for
# before/after figures: what that checkout lacks is left out.
try:
    from hubbub.store.rollups import rebuild
except ImportError:  # before migration 0012
    rebuild = None  # type: ignore[assignment]

BUILD = 2 if rebuild is not None else 1  # bump when the generated rows change
EXAMPLE = Path(__file__).resolve().parents[1] / "src" / "hubbub" / "examples" / "bakery.toml"
END = datetime(2026, 3, 14, 15, tzinfo=UTC)  # the app's clock: "now"
DAYS = 365
TARGET_MS = 300.0
PASSWORD = "bench password 0123456789"
NOTHING = "zqxjvw"  # in no post
COMMON = "bakery"  # in about one post in six
BASELINE = 10_000


def _ts(value: datetime) -> str:
    """A UtcDateTime as SQLite stores it (fixed-width UTC text)."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _encode(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """A row as the DBAPI takes it on SQLite: times as text, JSON as text, bools as 0/1."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        col = table.c[key]
        if value is None:
            out[key] = None
        elif isinstance(value, datetime):
            out[key] = _ts(value)
        elif col.type.__class__.__name__ == "JSON":
            out[key] = json_dumps(value)
        elif isinstance(value, bool):
            out[key] = int(value)
        else:
            out[key] = value
    return out


# --- the sample -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sample:
    """One pipeline-made mention as row templates, ready to replicate."""

    post: dict[str, Any]
    mention: dict[str, Any]
    stream_names: tuple[str, ...]
    reason: str | None  # why the inbox wants it (None: it does not)
    priority: float
    author: dict[str, Any]


def sample(ws: Workspace) -> list[Sample]:
    world = generate_world(ws, seed=7, days=30, end=END)
    found: list[Mention] = process(world.posts, ws)
    kinds = {s.name: s.kind for s in ws.streams}
    now = END
    out = []
    for m in found:
        p, ins = m.post, m.insight
        cand = Candidate(
            network=p.network,
            author_handle=p.author.handle,
            relationship=ins.who.relationship,
            post_type=p.post_type,
            intents=tuple(ins.why.intents),
            sentiment_label=ins.sentiment.label,
            sentiment_score=ins.sentiment.score,
            followers=p.author.followers,
            reply_to_handle=p.reply_to_handle,
            mentioned=tuple(s.text for s in (p.entities.mentions if p.entities else ())),
            stream_kinds=tuple(kinds[n] for n in m.streams),
        )
        a = p.author
        author = {
            "network": a.network,
            "handle": a.handle,
            "name": a.name,
            "bio": a.bio,
            "location": a.location,
            "url": a.url,
            "followers": a.followers,
            "following": a.following,
            "posts": a.posts,
            "listed": a.listed,
            "created": a.created,
            "verified": a.verified,
            "default_avatar": a.default_avatar,
            "default_profile": a.default_profile,
            "updated": now,
        }
        post = post_row(p, 0)
        post["entities"] = entities_to_json(p.entities)
        out.append(
            Sample(
                post=post,
                mention=mention_row(m, 0, 0, 0, now),
                stream_names=m.streams,
                reason=needs_person(cand, ws),
                priority=base_priority(cand, ws),
                author=author,
            )
        )
    return out


# --- the build --------------------------------------------------------------------------


def schema_version() -> str:
    """A digest of the SQL that creates the tables this benchmark fills and reads (with
    their indexes and triggers), as a fresh store at the migrations' head has it: a
    change to the schema of these tables builds anew, one to other tables does not."""
    names = (
        "accounts",
        "posts",
        "mentions",
        "mention_streams",
        "inbox_items",
        "streams",
        "mention_hours",
        "mention_facets",
        "mention_tags",
    )
    with (
        tempfile.TemporaryDirectory() as tmp,
        Store.open(f"sqlite:///{tmp}/s.db") as store,
        store.connect() as conn,
    ):
        rows = conn.execute(
            text(
                "SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN "
                f"({', '.join(repr(n) for n in names)}) OR name LIKE 'posts_fts%' "
                "ORDER BY type, name"
            )
        ).all()
    # a batch migration may list a table's constraints in any order: sort each SQL's lines
    stable = [
        (kind, name, sorted(ln.strip().rstrip(",") for ln in (sql or "").splitlines()))
        for kind, name, sql in rows
    ]
    return hashlib.sha256(repr(stable).encode()).hexdigest()[:12]


def store_path(n: int) -> Path:
    return CACHE / f"pages-{n}-schema{schema_version()}-build{BUILD}.db"


def _insert(raw: Any, table: Table, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    names = list(rows[0])
    sql = (
        f"INSERT INTO {table.name} ({', '.join(names)}) "
        f"VALUES ({', '.join(':' + n for n in names)})"
    )
    raw.executemany(sql, [_encode(table, r) for r in rows])


def build(path: Path, n: int, ws: Workspace, samples: Sequence[Sample]) -> None:
    """Write a store of ``n`` mentions at ``path`` (a temporary name, renamed when done)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    for leftover in partial.parent.glob(partial.name + "*"):
        leftover.unlink()
    rng = random.Random(4)
    started = time.perf_counter()
    with Store.open(f"sqlite:///{partial}") as store:
        with store.begin() as conn:
            ws_id = upsert_workspace(conn, ws)
            me = create_user(conn, "bench", PASSWORD, name="Bench")
            other = create_user(conn, "colleague", PASSWORD, name="Colleague")
            add_membership(conn, me, ws_id, "owner")
            add_membership(conn, other, ws_id, "staff")
            stream_ids = {
                name: sid
                for sid, name in conn.execute(
                    select(streams.c.id, streams.c.name).where(streams.c.workspace_id == ws_id)
                )
            }
        has = set(mention_streams.c.keys())
        pool = max(1000, n // 8)  # distinct authors; drawn with a heavy tail below
        start = END - timedelta(days=DAYS)
        chunk = 50_000
        raw_conn = store.engine.raw_connection()
        try:
            cur = raw_conn.cursor()
            cur.execute("BEGIN")
            author_rows = []
            for j in range(pool):
                s = samples[j % len(samples)]
                author_rows.append(
                    {
                        **s.author,
                        "id": j + 1,
                        "native_id": f"bench{j}",
                        "handle": f"{s.author['handle']}{j}",
                        "followers": int((s.author["followers"] or 0) * (0.5 + rng.random())),
                    }
                )
            _insert(cur, accounts, author_rows)
            item_id = 0
            for lo in range(0, n, chunk):
                post_rows, mention_rows, links, items = [], [], [], []
                for i in range(lo, min(n, lo + chunk)):
                    s = samples[rng.randrange(len(samples))]
                    created = start + timedelta(seconds=(i + rng.random()) / n * DAYS * 86400)
                    author = int(pool * rng.random() ** 3) + 1
                    pid = i + 1
                    post_rows.append(
                        {
                            **s.post,
                            "id": pid,
                            "native_id": f"bench-{i}",
                            "account_id": author,
                            "created": created,
                            "url": f"{s.post['url']}-{i}",
                            "conversation_id": f"bench-{i}",
                        }
                    )
                    mention_rows.append(
                        {
                            **s.mention,
                            "id": pid,
                            "workspace_id": ws_id,
                            "post_id": pid,
                            "author_id": author,
                            "created": created,
                        }
                    )
                    for name in s.stream_names:
                        link: dict[str, Any] = {"mention_id": pid, "stream_id": stream_ids[name]}
                        if "workspace_id" in has:
                            link["workspace_id"] = ws_id
                        if "created" in has:
                            link["created"] = created
                        links.append(link)
                    if s.reason is not None:
                        item_id += 1
                        items.append(_item(rng, item_id, ws_id, pid, s, created, me, other))
                _insert(cur, posts, post_rows)
                _insert(cur, mentions, mention_rows)
                _insert(cur, mention_streams, links)
                _insert(cur, inbox_items, items)
            cur.execute("COMMIT")
        finally:
            raw_conn.close()
        if rebuild is not None:
            counted = time.perf_counter()
            with store.begin() as conn:
                read = rebuild(conn)
            took = time.perf_counter() - counted
            print(f"  rollups of {read:,} mentions recounted: {took:.0f} s")
        raw_conn = store.engine.raw_connection()
        try:
            cur = raw_conn.cursor()
            cur.execute("ANALYZE")
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw_conn.close()
    partial.rename(path)
    for side in ("-wal", "-shm"):
        Path(str(partial) + side).unlink(missing_ok=True)
    print(f"  built {n:,} mentions in {time.perf_counter() - started:.0f} s: {path}")


def _item(
    rng: random.Random,
    item_id: int,
    ws_id: int,
    mention_id: int,
    s: Sample,
    created: datetime,
    me: int,
    other: int,
) -> dict[str, Any]:
    age = END - created
    if age < timedelta(days=3) or rng.random() < 0.01:
        state = rng.choices(("new", "assigned"), (7, 3))[0]
    else:
        state = rng.choices(("done", "ignored", "replied"), (60, 25, 15))[0]
    assignee = rng.choice((me, other)) if state != "new" and rng.random() < 0.7 else None
    responded = created + timedelta(minutes=rng.randint(5, 600))
    return {
        "id": item_id,
        "workspace_id": ws_id,
        "mention_id": mention_id,
        "state": state,
        "assignee_id": assignee,
        "priority": s.priority,
        "reason": s.reason,
        "created": created,
        "triaged": created + timedelta(minutes=1),
        "first_response": responded if state in ("replied", "done") else None,
        "first_responder_id": assignee if state in ("replied", "done") else None,
        "resolved": responded if state in ("done", "ignored") else None,
        "resolver_id": assignee if state in ("done", "ignored") else None,
        "reply_text": None,
        "updated": created + timedelta(minutes=1),
    }


def ensure_store(
    n: int, ws: Workspace, samples: Callable[[], Sequence[Sample]], again: bool
) -> Path:
    path = store_path(n)
    if again or not path.exists():
        build(path, n, ws, samples())
    return path


# --- PostgreSQL: the same stores, copied --------------------------------------------------


def _pg_value(col: Any, value: Any) -> Any:
    """A SQLite value as COPY takes it for the column: times with their UTC offset,
    booleans as booleans; JSON stays the text SQLite holds."""
    if value is None:
        return None
    kind = col.type.__class__.__name__
    if kind == "UtcDateTime":
        return f"{value}+00"
    if kind == "Boolean":
        return bool(value)
    return value


def to_postgresql(path: Path, url: str, n: int) -> str:
    """The store at ``path`` copied into database ``NAME_n`` of the server in ``url``
    (made anew unless it holds this build already); returns its URL."""
    import psycopg

    server, name = url.rsplit("/", 1)
    target = f"{name}_{n}"
    target_url = f"{server}/{target}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (target,)).fetchone()
        if exists:
            with psycopg.connect(target_url) as pg:
                try:
                    held = pg.execute("SELECT build FROM bench_pages_build").fetchone()
                except psycopg.Error:
                    held = None
            if held is not None and held[0] == path.name:
                return target_url
            admin.execute(f'DROP DATABASE "{target}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{target}"')
    started = time.perf_counter()
    Store.open(target_url).close()  # migrated, empty
    import sqlite3

    source = sqlite3.connect(path)
    with psycopg.connect(target_url) as pg:
        pg.execute("SET session_replication_role = replica")  # no triggers or FK checks
        pg.execute("DROP INDEX IF EXISTS ix_posts_text_trgm")
        for table in metadata.sorted_tables:
            cols = list(table.columns)
            names = ", ".join(f'"{c.name}"' for c in cols)
            rows = source.execute(f'SELECT {names} FROM "{table.name}"')
            with pg.cursor().copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row([_pg_value(c, v) for c, v in zip(cols, row, strict=True)])
            if "id" in table.c and table.c.id.primary_key:
                pg.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                    f'coalesce(max(id), 0) + 1, false) FROM "{table.name}"'
                )
        pg.execute("CREATE INDEX ix_posts_text_trgm ON posts USING gin (text gin_trgm_ops)")
        pg.execute("CREATE TABLE bench_pages_build (build text)")
        pg.execute("INSERT INTO bench_pages_build VALUES (%s)", (path.name,))
        pg.commit()
        pg.autocommit = True
        pg.execute("VACUUM ANALYZE")
    source.close()
    print(f"  copied {path.name} into {target} in {time.perf_counter() - started:.0f} s")
    return target_url


# --- the measurement ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Figures:
    p50: float
    p95: float
    worst: float
    cpu_p95: float  # CPU time of this process (the app runs in it): steadier when shared


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _value(conn: Any, facet: str, rank: int) -> str:
    """The ``rank``-th commonest value of a facet over the whole store (0: the commonest)."""
    c = tables.mention_facets.c
    found = conn.execute(
        select(c.value)
        .where(c.facet == facet)
        .group_by(c.value)
        .order_by(func.sum(c.mentions).desc(), c.value)
        .offset(rank)
        .limit(1)
    ).scalar()
    return str(found)


def _pages(client: TestClient, slug: str, store: Store) -> dict[str, str]:
    with store.connect() as conn:
        competitor = conn.execute(
            select(streams.c.id).where(streams.c.kind == "competitor").order_by(streams.c.id)
        ).scalar()
        event = conn.execute(
            select(streams.c.id).where(streams.c.kind == "event").order_by(streams.c.id)
        ).scalar()
        item = conn.execute(
            select(inbox_items.c.id)
            .where(inbox_items.c.state == "new")
            .order_by(inbox_items.c.created.desc())
        ).scalar()
        top_author = conn.execute(
            select(accounts.c.handle)
            .join(mentions, mentions.c.author_id == accounts.c.id)
            .where(mentions.c.created >= END - timedelta(days=7))
            .group_by(accounts.c.handle)
            .order_by(func.count().desc())
            .limit(1)
        ).scalar()
        values = {f: "" for f in ("hashtag", "product", "town", "client")}
        if hasattr(tables, "mention_facets"):
            values = {f: _value(conn, f, r) for f, r in (("hashtag", 0), ("product", 0),
                                                         ("town", 6), ("client", 9))}  # fmt: skip
    base = f"/w/{slug}"
    week = f"since={(END - timedelta(days=6)).date()}&until={END.date()}"
    q = urlencode
    pages = {
        "overview 7 days": f"{base}/?days=7",
        "overview 30 days": f"{base}/?days=30",
        "overview 90 days": f"{base}/?days=90",
        "insight 7 days": f"{base}/insight?days=7",
        "insight 30 days": f"{base}/insight?days=30",
        "insight 90 days": f"{base}/insight?days=90",
        "mentions": f"{base}/mentions",
        "mentions negative+competitor": f"{base}/mentions?sentiment=negative&stream={competitor}",
        "mentions stream (event, rare)": f"{base}/mentions?stream={event}",
        "mentions network rss (rare)": f"{base}/mentions?network=rss",
        "mentions intent complaint": f"{base}/mentions?intent=complaint",
        "mentions post type quote (rare)": f"{base}/mentions?post_type=quote",
        "mentions relationship staff (rare)": f"{base}/mentions?relationship=staff",
        "mentions not in town": f"{base}/mentions?in_locale=no",
        "mentions language es (rare)": f"{base}/mentions?language=es",
        "mentions last 7 days": f"{base}/mentions?{week}",
        "mentions min reach 5000": f"{base}/mentions?min_reach=5000",
        "mentions min engagement 50": f"{base}/mentions?min_engagement=50",
        "mentions author (busiest)": f"{base}/mentions?{q({'author': top_author})}",
        "mentions hashtag (commonest)": f"{base}/mentions?{q({'hashtag': values['hashtag']})}",
        "mentions product": f"{base}/mentions?{q({'product': values['product']})}",
        "mentions town (7th)": f"{base}/mentions?{q({'town': values['town']})}",
        "mentions client (10th)": f"{base}/mentions?{q({'client': values['client']})}",
        "mentions questionable authors": f"{base}/mentions?authenticity=questionable",
        "mentions with media": f"{base}/mentions?media=yes",
        "mentions town+negative, 7 days": (
            f"{base}/mentions?{q({'town': values['town']})}&sentiment=negative&{week}"
        ),
        f"mentions search '{NOTHING}' (none)": f"{base}/mentions?q={NOTHING}",
        f"mentions search '{COMMON}'": f"{base}/mentions?q={COMMON}",
        "mentions page 50": f"{base}/mentions?page=50",
        "inbox new": f"{base}/inbox?state=new",
        "inbox mine": f"{base}/inbox?assignee=me",
        "inbox all": f"{base}/inbox?state=all",
        "inbox item": f"{base}/inbox/{item}",
        "streams": f"{base}/streams",
    }
    if (Path(__file__).resolve().parents[1] / "src/hubbub/web/routes/goals.py").exists():
        pages["goals 30 days"] = f"{base}/goals?days=30"
        pages["goals 90 days"] = f"{base}/goals?days=90"
    return pages


def measure(url: str, slug: str, repeat: int, only: str = "") -> dict[str, Figures | str]:
    with tempfile.TemporaryDirectory() as home:
        store = Store.open(url)
        try:
            settings = Settings(home=Path(home), secret_key="bench-secret-key-0123456789")
            app = create_app(store, settings, clock=lambda: END)
            out: dict[str, Figures | str] = {}
            with TestClient(
                app, base_url="http://testserver", raise_server_exceptions=False
            ) as client:
                form = client.get("/login")
                token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
                assert token is not None, "login form has no CSRF field"
                done = client.post(
                    "/login",
                    data={"username": "bench", "password": PASSWORD, "csrf_token": token[1]},
                    follow_redirects=False,
                )
                assert done.status_code == 303, done.text[:200]
                wanted = [w.strip() for w in only.split(",") if w.strip()]
                for name, url in _pages(client, slug, store).items():
                    if wanted and not any(w in name for w in wanted):
                        continue
                    times, cpu = [], []
                    for k in range(repeat + 1):
                        t0, c0 = time.perf_counter(), time.process_time()
                        response = client.get(url)
                        elapsed = (time.perf_counter() - t0) * 1000
                        used = (time.process_time() - c0) * 1000
                        if response.status_code != 200:
                            break
                        if k:  # the first request warms the caches
                            times.append(elapsed)
                            cpu.append(used)
                    if len(times) < repeat:  # a page that fails is named, not timed
                        out[name] = f"HTTP {response.status_code}"
                        continue
                    out[name] = Figures(
                        p50=statistics.median(times),
                        p95=_p95(times),
                        worst=max(times),
                        cpu_p95=_p95(cpu),
                    )
            return out
        finally:
            store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--rebuild", action="store_true", help="build the stores anew")
    parser.add_argument(
        "--pages", default="", help="only the pages whose name holds one of these, comma-separated"
    )
    parser.add_argument(
        "--database",
        default="",
        help="measure on PostgreSQL: a server URL ending in a database name prefix",
    )
    args = parser.parse_args()
    ws = load_workspace(EXAMPLE)
    cached: list[Sample] = []

    def samples() -> Sequence[Sample]:
        if not cached:
            cached.extend(sample(ws))
        return cached

    base_path = ensure_store(BASELINE, ws, samples, args.rebuild)
    big_path = ensure_store(args.mentions, ws, samples, args.rebuild)
    if args.database:
        kind = "PostgreSQL"
        base_url = to_postgresql(base_path, args.database, BASELINE)
        big_url = to_postgresql(big_path, args.database, args.mentions)
    else:
        kind, base_url, big_url = "SQLite", f"sqlite:///{base_path}", f"sqlite:///{big_path}"
    base = measure(base_url, ws.slug, args.repeat, args.pages)
    big = measure(big_url, ws.slug, args.repeat, args.pages)
    print(
        f"pages on {kind}: {args.mentions:,} mentions vs a {BASELINE:,}-mention baseline, "
        f"{args.repeat} requests each (after one warm-up), milliseconds of wall time;"
        " cpu p95: CPU time of this process, steadier on a shared machine"
    )
    print(
        f"{'page':42} {'p50':>8} {'p95':>8} {'max':>8} {'p95/300ms':>10} {'vs base':>8}"
        f" {'base p95':>9} {'cpu p95':>8} {'cpu/300':>8}"
    )
    for name, f in big.items():
        b = base[name]
        if isinstance(f, str) or isinstance(b, str):
            print(f"{name:42} {f if isinstance(f, str) else b:>8} (page failed: not timed)")
            continue
        print(
            f"{name:42} {f.p50:8.1f} {f.p95:8.1f} {f.worst:8.1f} {f.p95 / TARGET_MS:10.2f}"
            f" {f.p95 / b.p95:7.1f}x {b.p95:9.1f} {f.cpu_p95:8.1f} {f.cpu_p95 / TARGET_MS:8.2f}"
        )
    timed = [f for f in big.values() if isinstance(f, Figures)]
    if timed:
        worst = max(timed, key=lambda f: f.p95)
        print(json.dumps({"worst_p95_ms": round(worst.p95, 1), "target_ms": TARGET_MS}))
    # the store's own sizes, for the record
    with Store.open(big_url) as store, store.connect() as conn:
        size = big_path.stat().st_size / 1e6
        items = conn.execute(text("SELECT count(*) FROM inbox_items")).scalar_one()
        print(f"SQLite store file {size:,.0f} MB, {items:,} inbox items")


if __name__ == "__main__":
    main()
