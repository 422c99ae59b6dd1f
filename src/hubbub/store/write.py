"""Writing workspaces, batches and cursors: every write an idempotent upsert.

All functions take a :class:`~sqlalchemy.Connection` already in the caller's
transaction and never commit, so :mod:`hubbub.listen` can write a batch's posts,
mentions and the source's new cursor in one transaction: a crash anywhere leaves
the store as it was before the batch, and a re-run writes nothing twice.

Writes are multi-row ``INSERT ... ON CONFLICT`` statements, so a thousand posts
cost a handful of statements, not a thousand round trips. On SQLite they go through
SQLAlchemy's "insertmanyvalues" (an executemany with ``RETURNING`` sent as pages of
multi-row VALUES, each page under SQLite's bound-variable limit). On PostgreSQL
rows travel as one array per column through ``unnest()`` (see :func:`_pg_unnest`:
psycopg re-parses every many-placeholder statement, which cost more than the
database's own work), and large batches (a backfill's partitions) by ``COPY`` into
a temporary table that the upsert then reads (see :func:`_pg_copy`).
``RETURNING`` gives back each row's id together with whether it was inserted or
updated (``xmax = 0`` on PostgreSQL; on SQLite, whose write
transactions are ``BEGIN IMMEDIATE`` and so alone, "id above the table's largest id
before the statement"), which is how :class:`WriteResult` counts new rows without a
second query per table.

Merge rules on conflict: a later sighting of an account or post updates it, but a
source that does not know a field (``None``, or ``""`` for display text) never
erases what another source stored. A mention re-processed keeps its row and id,
takes the new insight, and adds any newly matching streams to its
``mention_streams`` (a stream that matched it once stays recorded).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    ColumnElement,
    Connection,
    MetaData,
    Table,
    Text,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite

from hubbub import codec
from hubbub.codec import to_dict
from hubbub.model import Account, Batch, Mention, Post, Workspace
from hubbub.store import rollups
from hubbub.store.tables import (
    accounts,
    followers,
    mention_streams,
    posts,
    source_cursors,
    streams,
    workspaces,
)
from hubbub.store.tables import mentions as mentions_t
from hubbub.store.types import entities_to_json, json_dumps, opt_utc

__all__ = [
    "WriteResult",
    "get_cursor",
    "load_workspace",
    "mention_row",
    "post_row",
    "set_cursor",
    "upsert_workspace",
    "workspace_id",
    "write_batch",
]

Key = tuple[str, str]
Insert = sqlite.Insert | postgresql.Insert

# PostgreSQL: from this many rows a table's upsert reads them from a COPY (see _pg_copy)
PG_COPY_ROWS = 1000


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What one :func:`write_batch` did; ``+`` sums results across batches."""

    posts_seen: int = 0
    posts_new: int = 0
    mentions_new: int = 0
    accounts_seen: int = 0
    followers_new: int = 0

    def __add__(self, other: WriteResult) -> WriteResult:
        return WriteResult(
            posts_seen=self.posts_seen + other.posts_seen,
            posts_new=self.posts_new + other.posts_new,
            mentions_new=self.mentions_new + other.mentions_new,
            accounts_seen=self.accounts_seen + other.accounts_seen,
            followers_new=self.followers_new + other.followers_new,
        )


# --- workspaces and streams -----------------------------------------------------------


def workspace_id(conn: Connection, slug: str) -> int | None:
    """The id of the workspace ``slug``, or ``None`` when it was never stored."""
    return conn.execute(select(workspaces.c.id).where(workspaces.c.slug == slug)).scalar()


def load_workspace(conn: Connection, slug: str) -> Workspace | None:
    """The workspace ``slug`` as last stored by :func:`upsert_workspace`, or ``None``."""
    config = conn.execute(
        select(workspaces.c.config).where(workspaces.c.slug == slug)
    ).scalar_one_or_none()
    if config is None:
        return None
    return codec.from_dict(Workspace, config, f"workspaces[{slug}].config")


def upsert_workspace(conn: Connection, ws: Workspace) -> int:
    """Store ``ws`` (its config as JSON) and sync its streams; return its id.

    Streams are matched by name: new ones are inserted, known ones take the query,
    kind and paused flag of ``ws``, and rows of file streams no longer in ``ws`` are
    kept (their mentions still point at them) but paused. Streams made in the web
    (``origin`` 'web') are not the file's to change; see :func:`_sync_streams`.
    """
    now = datetime.now(UTC)
    config = codec.to_dict(ws)
    row = conn.execute(
        select(
            workspaces.c.id, workspaces.c.name, workspaces.c.timezone, workspaces.c.config
        ).where(workspaces.c.slug == ws.slug)
    ).first()
    if row is None:
        ws_id: int = conn.execute(
            workspaces.insert()
            .values(
                slug=ws.slug,
                name=ws.name,
                timezone=ws.timezone,
                config=config,
                created=now,
                updated=now,
            )
            .returning(workspaces.c.id)
        ).scalar_one()
    else:
        ws_id = row.id
        if (row.name, row.timezone, row.config) != (ws.name, ws.timezone, config):
            conn.execute(
                workspaces.update()
                .where(workspaces.c.id == ws_id)
                .values(name=ws.name, timezone=ws.timezone, config=config, updated=now)
            )
    _sync_streams(conn, ws_id, ws, now)
    return ws_id


def _sync_streams(conn: Connection, ws_id: int, ws: Workspace, now: datetime) -> None:
    """Make the stored file streams follow ``ws.streams``; web streams are left alone.

    A stream the file no longer names keeps its row (its mentions point at it) but is
    paused. Should the file name a stream that was made in the web, the file takes the
    name over (the row becomes a file stream with the file's query, keeping its
    mentions), and the web query it replaced is kept in the row's note: a running
    listener never stops on it and nothing is lost. The web and ``hubbub streams add``
    refuse a name that is already taken, so this happens only when the file changes.
    """
    wanted = {s.name: s for s in ws.streams}  # a repeated name: the last one wins
    stored = {
        r.name: r
        for r in conn.execute(
            select(
                streams.c.id,
                streams.c.name,
                streams.c.kind,
                streams.c.query,
                streams.c.paused,
                streams.c.origin,
                streams.c.note,
                streams.c.starts,
                streams.c.ends,
            ).where(streams.c.workspace_id == ws_id)
        )
    }
    new = [
        {
            "workspace_id": ws_id,
            "name": s.name,
            "kind": s.kind,
            "query": s.query,
            "paused": s.paused,
            "origin": "file",
            "created": now,
            "updated": now,
            "starts": s.starts,
            "ends": s.ends,
        }
        for s in wanted.values()
        if s.name not in stored
    ]
    if new:  # a listener starting at the same time may insert them too
        conn.execute(_insert(conn, streams).on_conflict_do_nothing(), new)
    for name, s in wanted.items():
        row = stored.get(name)
        window = (opt_utc(row.starts), opt_utc(row.ends)) if row is not None else None
        if row is None or (row.kind, row.query, bool(row.paused), row.origin, window) == (
            s.kind,
            s.query,
            s.paused,
            "file",
            (opt_utc(s.starts), opt_utc(s.ends)),
        ):
            continue
        values: dict[str, Any] = {
            "kind": s.kind,
            "query": s.query,
            "paused": s.paused,
            "origin": "file",
            "updated": now,
            "starts": s.starts,
            "ends": s.ends,
        }
        if row.origin != "file":
            taken = (
                f"hubbub.toml took this name over on {now:%Y-%m-%d}; "
                f"as a web stream its query was: {row.query}"
            )
            values["note"] = f"{taken}\n{row.note}".strip()
        conn.execute(streams.update().where(streams.c.id == row.id).values(**values))
    conn.execute(
        streams.update()
        .where(
            streams.c.workspace_id == ws_id,
            streams.c.origin == "file",
            streams.c.paused.is_(False),
            streams.c.name.not_in(list(wanted)),
        )
        .values(paused=True, updated=now)
    )


# --- cursors -------------------------------------------------------------------------


def get_cursor(conn: Connection, workspace_id: int, source: str) -> str | None:
    """The cursor last committed for ``source`` in the workspace, or ``None``."""
    return conn.execute(
        select(source_cursors.c.cursor).where(
            source_cursors.c.workspace_id == workspace_id, source_cursors.c.source == source
        )
    ).scalar()


def set_cursor(conn: Connection, workspace_id: int, source: str, cursor: str | None) -> None:
    """Record ``cursor`` for ``source`` (``None`` resets it: the next run starts over)."""
    stmt = _insert(conn, source_cursors).values(
        workspace_id=workspace_id, source=source, cursor=cursor, updated=datetime.now(UTC)
    )
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[source_cursors.c.workspace_id, source_cursors.c.source],
            set_={"cursor": stmt.excluded.cursor, "updated": stmt.excluded.updated},
        )
    )


# --- batches -------------------------------------------------------------------------


def write_batch(
    conn: Connection, workspace_id: int, batch: Batch, mentions: Sequence[Mention]
) -> WriteResult:
    """Upsert a batch's accounts, posts, mentions, followers and cursor.

    Runs in the caller's transaction. ``mentions`` may name posts missing from
    ``batch.posts`` (they are stored too); every stream a mention names must exist
    in the workspace (see :func:`upsert_workspace`), else ``ValueError``. The cursor
    is written only when ``batch.cursor`` is not ``None``.
    """
    now = datetime.now(UTC)
    all_posts: dict[Key, Post] = {p.key: p for p in batch.posts}
    for m in mentions:
        all_posts.setdefault(m.post.key, m.post)
    people: dict[Key, Account] = {(a.network, a.id): a for a in batch.followers}
    for p in all_posts.values():
        people[(p.author.network, p.author.id)] = p.author

    account_ids, _ = _upsert_accounts(conn, people.values(), now)
    post_ids, posts_new = _upsert_posts(conn, all_posts.values(), account_ids)
    mentions_new = _upsert_mentions(conn, workspace_id, mentions, post_ids, account_ids, now)
    followers_new = _insert_followers(conn, workspace_id, batch.followers, account_ids, now)
    if batch.cursor is not None:
        set_cursor(conn, workspace_id, batch.source, batch.cursor)
    return WriteResult(
        posts_seen=len(all_posts),
        posts_new=posts_new,
        mentions_new=mentions_new,
        accounts_seen=len(people),
        followers_new=followers_new,
    )


def _upsert_accounts(
    conn: Connection, people: Iterable[Account], now: datetime
) -> tuple[dict[Key, int], int]:
    rows = [
        {
            "network": a.network,
            "native_id": a.id,
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
        for a in people
    ]
    stmt = _insert(conn, accounts)
    update = {
        "handle": stmt.excluded.handle,
        "updated": stmt.excluded.updated,
        **{c: _keep_text(accounts.c[c], stmt.excluded[c]) for c in ("name", "bio", "location")},
        "url": _keep_text(accounts.c.url, stmt.excluded.url),
        **{
            c: func.coalesce(stmt.excluded[c], accounts.c[c])
            for c in (
                "followers",
                "following",
                "posts",
                "listed",
                "created",
                "verified",
                "default_avatar",
                "default_profile",
            )
        },
    }
    return _upsert_ids(conn, accounts, stmt, rows, update)


def post_row(p: Post, account_id: int) -> dict[str, Any]:
    """The ``posts`` row of a post (its author already stored as ``account_id``)."""
    prov = p.provenance
    return {
        "network": p.network,
        "native_id": p.id,
        "account_id": account_id,
        "text": p.text,
        "created": p.created,
        "language": p.language,
        "url": p.url,
        "reply_to": p.reply_to,
        "reply_to_handle": p.reply_to_handle,
        "quote_of": p.quote_of,
        "repost_of": p.repost_of,
        "conversation_id": p.conversation_id,
        "entities": entities_to_json(p.entities),
        "likes": p.metrics.likes,
        "reposts": p.metrics.reposts,
        "replies": p.metrics.replies,
        "quotes": p.metrics.quotes,
        "impressions": p.metrics.impressions,
        "place": to_dict(p.place) if p.place is not None else None,
        "client": p.client,
        "media": to_dict(p.media) if p.media else None,
        "raw": p.raw,
        "source": prov.source if prov else "",
        "source_url": prov.url if prov else "",
        "retrieved": prov.retrieved if prov else None,
    }


def mention_row(
    m: Mention, workspace_id: int, post_id: int, author_id: int, processed: datetime
) -> dict[str, Any]:
    """The ``mentions`` row of a mention: the insight's filterable columns and all of it."""
    ins, post = m.insight, m.post
    return {
        "workspace_id": workspace_id,
        "post_id": post_id,
        "created": post.created,
        "network": post.network,
        "author_id": author_id,
        "sentiment_label": ins.sentiment.label,
        "sentiment_score": ins.sentiment.score,
        "intents": list(ins.why.intents),
        "language": post.language,
        "post_type": post.post_type,
        "relationship": ins.who.relationship,
        "in_locale": ins.where.in_locale,
        "reach": ins.extent.reach,
        "engagement": ins.extent.engagement,
        "insight": to_dict(ins),
        "processed": processed,
    }


def _upsert_posts(
    conn: Connection, items: Iterable[Post], account_ids: Mapping[Key, int]
) -> tuple[dict[Key, int], int]:
    rows = []
    for p in items:
        rows.append(post_row(p, account_ids[(p.author.network, p.author.id)]))
    stmt = _insert(conn, posts)
    ex = stmt.excluded
    update: dict[str, Any] = {
        c: ex[c] for c in ("account_id", "text", "created", "source", "source_url")
    }
    update.update({c: _keep_text(posts.c[c], ex[c]) for c in ("url", "client")})
    update.update(
        {
            c: func.coalesce(ex[c], posts.c[c])
            for c in (
                "language",
                "reply_to",
                "reply_to_handle",
                "quote_of",
                "repost_of",
                "conversation_id",
                "entities",
                "likes",
                "reposts",
                "replies",
                "quotes",
                "impressions",
                "place",
                "media",
                "raw",
                "retrieved",
            )
        }
    )
    return _upsert_ids(conn, posts, stmt, rows, update)


def _upsert_mentions(
    conn: Connection,
    ws_id: int,
    items: Sequence[Mention],
    post_ids: Mapping[Key, int],
    account_ids: Mapping[Key, int],
    now: datetime,
) -> int:
    if not items:
        return 0
    stream_ids: dict[str, int] = {
        name: sid
        for sid, name in conn.execute(
            select(streams.c.id, streams.c.name).where(streams.c.workspace_id == ws_id)
        )
    }
    merged: dict[Key, tuple[Mention, set[str]]] = {}
    for m in items:
        names = merged[m.post.key][1] if m.post.key in merged else set()
        names.update(m.streams)
        merged[m.post.key] = (m, names)  # one mention per post: the last insight wins
    rows = []
    for m, names in merged.values():
        missing = sorted(names - stream_ids.keys())
        if missing:
            raise ValueError(
                f"mention of post {m.post.network}:{m.post.id} names stream(s) "
                f"{', '.join(map(repr, missing))} that workspace {m.workspace!r} does not have"
            )
        author_id = account_ids[(m.post.author.network, m.post.author.id)]
        rows.append(mention_row(m, ws_id, post_ids[m.post.key], author_id, now))
    # the rollups take the difference between these mentions' facts before and after
    # (store/rollups.py); the lock keeps another writer's change out of that difference
    rollups.lock_workspace(conn, ws_id)
    before = _stored_facts(conn, ws_id, [r["post_id"] for r in rows])
    stmt = _insert(conn, mentions_t)
    update = {
        c.name: stmt.excluded[c.name]
        for c in mentions_t.columns
        if c.name not in ("id", "workspace_id", "post_id")
    }
    by_post, new = _upsert_ids(
        conn, mentions_t, stmt, rows, update, key=("workspace_id", "post_id")
    )
    # the link carries its mention's workspace and time (migration 0006): given here, the
    # database's fill-in trigger has nothing to look up
    links = [
        {
            "mention_id": by_post[(str(ws_id), str(post_ids[pk]))],
            "stream_id": stream_ids[name],
            "workspace_id": ws_id,
            "created": m.post.created,
        }
        for pk, (m, names) in merged.items()
        for name in sorted(names)
    ]
    if links:
        conn.execute(_insert(conn, mention_streams).on_conflict_do_nothing(), links)
    # a stream that matched a mention once stays recorded: the links now are the old and
    # the new ones
    linked = {f.mention_id: f.streams for f in before}
    after = []
    for row, (_, names) in zip(rows, merged.values(), strict=True):
        mention_id = by_post[(str(ws_id), str(row["post_id"]))]
        streams_now = linked.get(mention_id, frozenset()) | {stream_ids[n] for n in names}
        bits = rollups.insight_bits(row["insight"])
        after.append(rollups.facts_of({**row, **bits, "id": mention_id}, streams_now))
    rollups.update(conn, before, after)
    return new


def _stored_facts(conn: Connection, ws_id: int, post_ids: Sequence[int]) -> list[rollups.Facts]:
    """The rollup facts of the workspace's mentions of these posts that are stored."""
    out: list[rollups.Facts] = []
    for lo in range(0, len(post_ids), 5000):
        part = list(post_ids[lo : lo + 5000])
        out += rollups.read_facts(
            conn, (mentions_t.c.workspace_id == ws_id) & mentions_t.c.post_id.in_(part)
        )
    return out


def _insert_followers(
    conn: Connection,
    ws_id: int,
    people: Sequence[Account],
    account_ids: Mapping[Key, int],
    now: datetime,
) -> int:
    rows = {
        account_ids[(a.network, a.id)]: {
            "workspace_id": ws_id,
            "account_id": account_ids[(a.network, a.id)],
            "network": a.network,
            "first_seen": now,
        }
        for a in people
    }
    if not rows:
        return 0
    stmt = _insert(conn, followers).on_conflict_do_nothing().returning(followers.c.account_id)
    return len(conn.execute(stmt, list(rows.values())).all())


# --- helpers ---------------------------------------------------------------------------


def _insert(conn: Connection, table: Table) -> Insert:
    """The dialect's INSERT, which knows ``ON CONFLICT``."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def _keep_text(current: Column[Any], incoming: Any) -> ColumnElement[Any]:
    """``incoming`` unless it is empty, so an unknowing source never blanks a field."""
    return case((incoming == "", current), else_=incoming)


def _upsert_ids(
    conn: Connection,
    table: Table,
    stmt: Insert,
    rows: list[dict[str, Any]],
    update: Mapping[str, Any],
    key: tuple[str, str] = ("network", "native_id"),
) -> tuple[dict[Key, int], int]:
    """Upsert ``rows``; return ``{(key values as str): id}`` and how many were new."""
    if not rows:
        return {}, 0
    # one lock order for every writer: two listeners upserting the same accounts in
    # different orders would otherwise deadlock on PostgreSQL
    rows = sorted(rows, key=lambda r: (r[key[0]], r[key[1]]))
    params: Mapping[str, Any] | list[dict[str, Any]] = rows
    if conn.dialect.name == "postgresql":
        inserted: ColumnElement[Any] = literal_column("xmax") == literal_column("0")
        if len(rows) >= PG_COPY_ROWS:
            stmt, params = _pg_copy(conn, table, rows, key), {}
        else:
            stmt, params = _pg_unnest(table, rows)
    else:
        before = conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
        inserted = table.c.id > literal_column(str(int(before)))
    upsert = stmt.on_conflict_do_update(
        index_elements=[table.c[k] for k in key], set_=dict(update)
    ).returning(table.c.id, table.c[key[0]], table.c[key[1]], inserted.label("inserted"))
    ids: dict[Key, int] = {}
    new = 0
    for row in conn.execute(upsert, params):
        ids[(str(row[1]), str(row[2]))] = row[0]
        new += bool(row[3])
    return ids, new


def _pg_unnest(table: Table, rows: list[dict[str, Any]]) -> tuple[Insert, dict[str, Any]]:
    """``INSERT ... SELECT * FROM unnest(col1[], col2[], ...)``: one array per column.

    A multi-row VALUES has one placeholder per value, and psycopg re-parses such a
    statement (it caches only those with at most 50 placeholders): about ten
    microseconds a value, most of the client's time on PostgreSQL. With arrays the
    statement has one placeholder per column, whatever the number of rows.
    """
    names = list(rows[0])
    json_cols = {n for n in names if isinstance(table.c[n].type, JSON)}
    # JSON travels as text: psycopg would read a list inside the array as a dimension
    arrays = [
        bindparam(f"u_{n}", type_=postgresql.ARRAY(Text if n in json_cols else table.c[n].type))
        for n in names
    ]
    source = func.unnest(*arrays).table_valued(*names).render_derived()
    columns = [cast(source.c[n], JSON) if n in json_cols else source.c[n] for n in names]
    stmt = postgresql.insert(table).from_select(names, select(*columns), include_defaults=False)
    params: dict[str, list[Any]] = {}
    for n in names:
        values = [row[n] for row in rows]
        if n in json_cols:
            values = [None if v is None else json_dumps(v) for v in values]
        params[f"u_{n}"] = values
    return stmt, params


def _pg_copy(
    conn: Connection, table: Table, rows: list[dict[str, Any]], key: tuple[str, str]
) -> Insert:
    """``COPY`` the rows into a temporary table; return ``INSERT ... SELECT`` from it.

    For large batches: psycopg escapes every element of a text array in Python (a
    regular expression per JSON value), which made :func:`_pg_unnest` spend half a
    backfill's write time on the client; ``COPY`` rows are encoded by psycopg's C
    code. The table lives until the transaction ends (``ON COMMIT DROP``), under a
    fresh name, so two upserts of one table in one transaction do not collide. The
    SELECT keeps ``rows``' order (the writers' shared lock order).
    """
    names = list(rows[0])
    stage = Table(
        f"hubbub_stage_{table.name}_{secrets.token_hex(4)}",
        MetaData(),
        *(Column(n, table.c[n].type) for n in names),
        Column("stage_order", postgresql.INTEGER),
    )
    columns = ", ".join(f'"{n}"' for n in names)
    raw = conn.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur:
        cur.execute(
            f'CREATE TEMPORARY TABLE "{stage.name}" ON COMMIT DROP AS '
            f'SELECT {columns}, 0 AS stage_order FROM "{table.name}" WITH NO DATA'
        )
        # the values as the column types' bind processing makes them (UTC datetimes,
        # naive ones refused), JSON as text
        convert: list[Callable[[Any], Any]] = []
        for n in names:
            if isinstance(table.c[n].type, JSON):
                convert.append(_json_text)
            else:
                convert.append(table.c[n].type.bind_processor(conn.dialect) or _same)
        with cur.copy(f'COPY "{stage.name}" ({columns}, stage_order) FROM STDIN') as copy:
            for i, row in enumerate(rows):
                copy.write_row([f(row[n]) for f, n in zip(convert, names, strict=True)] + [i])
    source = select(*(stage.c[n] for n in names)).order_by(stage.c.stage_order)
    return postgresql.insert(table).from_select(names, source, include_defaults=False)


def _json_text(value: Any) -> str | None:
    return None if value is None else json_dumps(value)


def _same(value: Any) -> Any:
    return value
