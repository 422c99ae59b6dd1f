"""Rollups: what the pages sum over a window, kept exact as the mentions are written.

Why: with a million mentions, the Overview's mentions per stream and day over 90 days,
its sentiment split and top authors, and the Insight page's answers (networks,
intents, hashtags, towns, client apps, ...) read hundreds of thousands of mentions per
page, and the answers only the insight JSON holds had to be sampled from the newest
5,000. The rollup tables hold those sums: per UTC hour and stream
(:data:`~hubbub.store.tables.mention_hours`), per UTC day and hour and facet value
(:data:`~hubbub.store.tables.mention_facets`, ``mention_facet_hours``) and per UTC
month and author (:data:`~hubbub.store.tables.mention_authors`);
:data:`~hubbub.store.tables.mention_tags` lists the mentions of each hashtag, product,
town and client app for the Mentions page's filters. :mod:`hubbub.store.tallies` and
:mod:`hubbub.store.authors` read them.

Kept by the write path, not by triggers: :func:`hubbub.store.write.write_batch` reads
the :class:`Facts` of the batch's mentions that are already stored (:func:`read_facts`),
upserts the mentions, and hands the facts before and after to :func:`update` in the same
transaction, which adds the difference to the rollups as increments (``ON CONFLICT DO
UPDATE SET n = n + excluded.n``, on SQLite and PostgreSQL alike) and deletes a row that
falls to zero, so the tables always equal what :func:`rebuild` recounts from the
mentions. Python, not SQL triggers, because the facets come from the insight JSON with
Python's rules (``str.lower`` folds every script; SQLite's ``lower`` only ASCII), and one
function, :func:`facts_of`, decides them for the writer, the rebuild and the pages' reads
of a window's ends. The other writer of links, a rematch's
:func:`hubbub.store.stored_posts.link_stream`, adds them the same way. Mentions are
never deleted and a stream's pause or edit changes no link, so those need nothing here.

On PostgreSQL two writers of one workspace could each read a mention's old facts before
the other's change; :func:`lock_workspace` takes a transaction-scoped advisory lock per
workspace first, so they take turns from the read to the commit (SQLite's write
transactions are one at a time already).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    Text,
    cast,
    delete,
    select,
    text,
)

from hubbub.store.tables import (
    mention_authors,
    mention_facet_hours,
    mention_facets,
    mention_hours,
    mention_streams,
    mention_tags,
)
from hubbub.store.tables import mentions as mentions_t
from hubbub.store.types import as_utc

__all__ = [
    "FACETS",
    "TAG_KINDS",
    "Facts",
    "day_of",
    "fact_columns",
    "facts_of",
    "hour_of",
    "insight_bits",
    "lock_workspace",
    "read_facts",
    "rebuild",
    "stored_rows",
    "tag_value",
    "update",
]

#: The facets :data:`~hubbub.store.tables.mention_facets` counts per day, as the Insight
#: page names its answers (``in_locale`` and ``media``: "yes" / "no").
FACETS = (
    "network",
    "post_type",
    "language",
    "relationship",
    "in_locale",
    "intent",
    "authenticity",
    "media",
    "hashtag",
    "product",
    "town",
    "client",
)
#: The facets also listed per mention in :data:`~hubbub.store.tables.mention_tags`.
TAG_KINDS = ("hashtag", "product", "town", "client")
_TAGGED = frozenset(TAG_KINDS)
#: Longest stored facet value (the columns' length; PostgreSQL enforces it).
MAX_VALUE = 200

# advisory lock class for "rollups of a workspace" (the object is the workspace id)
_LOCK_CLASS = 0x68756272  # "hubr"
_CHUNK = 5_000  # ids per IN list: well under SQLite's and psycopg's parameter limits

HourKey = tuple[int, datetime, int]  # workspace, hour, stream (0: the workspace)
FacetKey = tuple[int, datetime, str, str]  # workspace, day, facet, value
TagKey = tuple[int, str, str, datetime, int]  # workspace, kind, value, created, mention
AuthorKey = tuple[int, datetime, int]  # workspace, month, author
HOUR_SUMS = (
    "mentions",
    "positive",
    "negative",
    "reach",
    "engagement",
    "impressions",
    "with_impressions",
)
FACET_SUMS = ("mentions", "positive", "negative")


def hour_of(when: datetime) -> datetime:
    """The start of the UTC hour ``when`` falls in."""
    return as_utc(when).replace(minute=0, second=0, microsecond=0)


def day_of(when: datetime) -> datetime:
    """The UTC midnight that starts ``when``'s UTC day."""
    return as_utc(when).replace(hour=0, minute=0, second=0, microsecond=0)


def tag_value(kind: str, value: str) -> str:
    """A facet value as the rollups store it: a hashtag as ``#`` + lower case, every
    value cut to :data:`MAX_VALUE` characters. Filters normalise their input with it."""
    if kind == "hashtag":
        value = "#" + value.lstrip("#").lower()
    return value[:MAX_VALUE]


@dataclass(frozen=True, slots=True)
class Facts:
    """What one mention adds to the rollups."""

    workspace_id: int
    mention_id: int
    created: datetime
    streams: frozenset[int]
    sentiment: str
    reach: int
    engagement: int
    impressions: int | None
    facets: frozenset[tuple[str, str]]  # (facet, value)
    author_id: int
    business: bool  # by the business's own accounts: not one of the top authors

    def hour_rows(self) -> dict[HourKey, tuple[int, ...]]:
        pos, neg = _SENTIMENT_SUMS.get(self.sentiment, (0, 0))
        known = self.impressions is not None
        sums = (1, pos, neg, self.reach, self.engagement, self.impressions or 0, int(known))
        hour = self.created.replace(minute=0, second=0, microsecond=0)
        ws = self.workspace_id
        return {(ws, hour, sid): sums for sid in (0, *self.streams)}

    def facet_rows(self) -> dict[FacetKey, tuple[int, ...]]:
        pos, neg = _SENTIMENT_SUMS.get(self.sentiment, (0, 0))
        sums = (1, pos, neg)
        day = self.created.replace(hour=0, minute=0, second=0, microsecond=0)
        ws = self.workspace_id
        return {(ws, day, f, v): sums for f, v in self.facets}

    def facet_hour_rows(self) -> dict[FacetKey, tuple[int, ...]]:
        pos, neg = _SENTIMENT_SUMS.get(self.sentiment, (0, 0))
        sums = (1, pos, neg)
        hour = self.created.replace(minute=0, second=0, microsecond=0)
        ws = self.workspace_id
        return {(ws, hour, f, v): sums for f, v in self.facets}

    def author_rows(self) -> dict[AuthorKey, tuple[int, ...]]:
        if self.business:
            return {}
        month = self.created.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        return {(self.workspace_id, month, self.author_id): (1,)}

    def tag_rows(self) -> set[TagKey]:
        ws, created, mid = self.workspace_id, self.created, self.mention_id
        return {(ws, f, v, created, mid) for f, v in self.facets if f in _TAGGED}


def insight_bits(insight: Mapping[str, Any] | None) -> dict[str, Any]:
    """The insight fields the facts need, from a mention's stored insight (a dict)."""
    ins = insight or {}

    def part(name: str) -> Mapping[str, Any]:
        found = ins.get(name)
        return found if isinstance(found, Mapping) else {}

    what, who, where, how, extent = (part(n) for n in ("what", "who", "where", "how", "extent"))
    return {
        "hashtags": what.get("hashtags"),
        "products": what.get("products"),
        "authenticity": who.get("authenticity"),
        "town": where.get("town"),
        "client": how.get("client"),
        "has_media": how.get("has_media"),
        "impressions": extent.get("impressions"),
    }


def _texts(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [v if isinstance(v, str) else str(v) for v in value if v is not None]
    return []


_NUMBER = (int, float)
_SENTIMENT_SUMS = {"positive": (1, 0), "negative": (0, 1)}


def facts_of(row: Mapping[str, Any], streams: Iterable[int]) -> Facts:
    """The facts of one mention from its ``mentions`` columns (``id``, ``workspace_id``,
    ``author_id``, ``created``, ``sentiment_label``, ``network``, ``post_type``, ``language``,
    ``relationship``, ``in_locale``, ``intents``, ``reach``, ``engagement``) and the
    :func:`insight_bits` of its insight, with the ids of the streams it is in.

    On the write path and in every recount, so written for speed (about 10 µs)."""
    in_locale = row["in_locale"]
    found = [
        ("network", str(row["network"]).lower()),
        ("post_type", str(row["post_type"])),
        ("language", (row["language"] or "").lower()),
        ("relationship", str(row["relationship"])),
        ("in_locale", "" if in_locale is None else "yes" if in_locale else "no"),
    ]
    for i in _texts(row["intents"]):
        found.append(("intent", i))
    auth = row["authenticity"]
    if isinstance(auth, _NUMBER) and auth is not True and auth is not False:
        found.append(("authenticity", "authentic" if auth >= 0.5 else "questionable"))
    media = row["has_media"]
    if isinstance(media, int):  # bool included
        found.append(("media", "yes" if media else "no"))
    for t in _texts(row["hashtags"]):
        bare = t.lstrip("#")
        if bare:
            found.append(("hashtag", ("#" + bare.lower())[:MAX_VALUE]))
    for p in _texts(row["products"]):
        if p:
            found.append(("product", p[:MAX_VALUE]))
    town, client = row["town"], row["client"]
    if town and isinstance(town, str):
        found.append(("town", town[:MAX_VALUE]))
    if client and isinstance(client, str):
        found.append(("client", client[:MAX_VALUE]))
    seen = row["impressions"]
    created = row["created"]
    return Facts(
        workspace_id=int(row["workspace_id"]),
        mention_id=int(row["id"]),
        created=created if created.tzinfo is UTC else as_utc(created),
        streams=frozenset(streams),
        sentiment=str(row["sentiment_label"]),
        reach=int(row["reach"] or 0),
        engagement=int(row["engagement"] or 0),
        impressions=seen if type(seen) is int else None,
        facets=frozenset(found),
        author_id=int(row["author_id"]),
        business=row["relationship"] == "business",
    )


def fact_columns() -> list[Any]:
    """The columns :func:`read_facts` selects: the mention's own, and its insight as text
    (decoded here with orjson: a third of what SQL's JSON path extraction costs)."""
    c = mentions_t.c
    return [
        c.id,
        c.workspace_id,
        c.author_id,
        c.created,
        c.sentiment_label,
        c.network,
        c.post_type,
        c.language,
        c.relationship,
        c.in_locale,
        c.intents,
        c.reach,
        c.engagement,
        cast(c.insight, Text).label("insight_text"),
    ]


_FACT_KEYS = (
    "id",
    "workspace_id",
    "author_id",
    "created",
    "sentiment_label",
    "network",
    "post_type",
    "language",
    "relationship",
    "in_locale",
    "intents",
    "reach",
    "engagement",
)


def _facts(rows: Sequence[Any], links: Mapping[int, set[int]]) -> list[Facts]:
    out = []
    for r in rows:
        row = dict(zip(_FACT_KEYS, r, strict=False))  # the last column is the insight
        row.update(insight_bits(orjson.loads(r[-1] or "null")))
        out.append(facts_of(row, links.get(row["id"], ())))
    return out


def _links(conn: Connection, ids: Sequence[int]) -> dict[int, set[int]]:
    out: dict[int, set[int]] = defaultdict(set)
    for lo in range(0, len(ids), _CHUNK):
        part = list(ids[lo : lo + _CHUNK])
        for mid, sid in conn.execute(
            select(mention_streams.c.mention_id, mention_streams.c.stream_id).where(
                mention_streams.c.mention_id.in_(part)
            )
        ):
            out[int(mid)].add(int(sid))
    return out


def read_facts(conn: Connection, where: ColumnElement[bool]) -> list[Facts]:
    """The facts of the stored mentions matching ``where``, with their streams."""
    rows = conn.execute(select(*fact_columns()).where(where)).all()
    return _facts(rows, _links(conn, [int(r.id) for r in rows]))


def lock_workspace(conn: Connection, workspace_id: int) -> None:
    """On PostgreSQL, wait for the other writers of this workspace's mentions to commit
    (see the module docstring); a no-op on SQLite."""
    if conn.dialect.name == "postgresql":
        conn.execute(
            text("SELECT pg_advisory_xact_lock(:k, :w)"), {"k": _LOCK_CLASS, "w": workspace_id}
        )


# --- the increments --------------------------------------------------------------------


# The increments go straight to the driver (executemany, or COPY for a large set on
# PostgreSQL): SQLAlchemy's per-row parameter handling cost 30 µs a row, more than the
# database's own work, and a recount of a million mentions writes two million tags.


def _when(conn: Connection) -> Any:
    """How a UTC datetime goes to the driver: SQLite's fixed-width UTC text (as
    :class:`~hubbub.store.types.UtcDateTime` stores it), PostgreSQL's aware datetime."""
    if conn.dialect.name == "sqlite":
        return lambda v: v.replace(tzinfo=None).isoformat(" ", "microseconds")
    return lambda v: v


def _encode(conn: Connection, rows: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The rows with their times as the driver takes them. The times are in the same
    places in every row (found in the first) and repeat (an hour, a day): each is
    converted once."""
    rows = list(rows)
    if not rows or conn.dialect.name != "sqlite":
        return rows
    at = [i for i, v in enumerate(rows[0]) if isinstance(v, datetime)]
    if not at:
        return rows
    when = _when(conn)
    done: dict[datetime, str] = {}
    out = []
    for r in rows:
        row = list(r)
        for i in at:
            v = row[i]
            text = done.get(v)
            if text is None:
                text = done[v] = when(v)
            row[i] = text
        out.append(tuple(row))
    return out


def _marks(conn: Connection, n: int) -> str:
    return ", ".join(["?" if conn.dialect.name == "sqlite" else "%s"] * n)


def _copy(
    conn: Connection, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """PostgreSQL's COPY of ``rows`` into ``table`` (psycopg encodes them in C)."""
    raw = conn.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


_PG_TYPES = {"Integer": "integer", "BigInteger": "bigint", "String": "text"}


def _unnest(
    table: Table, cols: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> tuple[str, tuple[list[Any], ...]]:
    """PostgreSQL's ``unnest(%s::type[], ...)`` of ``rows`` and its parameters: the rows
    as one array per column, so a thousand rows are one statement, not a thousand."""
    types = [_PG_TYPES.get(type(table.c[c].type).__name__, "timestamptz") for c in cols]
    arrays = ", ".join(f"%s::{t}[]" for t in types)
    return f"unnest({arrays})", tuple([r[i] for r in rows] for i in range(len(cols)))


def _add(
    conn: Connection,
    table: Table,
    keys: Sequence[str],
    sums: Sequence[str],
    deltas: Mapping[tuple[Any, ...], Sequence[int]],
) -> None:
    """Add ``deltas`` to ``table``'s rows (made where missing); drop rows left at zero."""
    changed = sorted((k, v) for k, v in deltas.items() if any(v))  # one lock order for all
    if not changed:
        return
    name = table.name
    cols = (*keys, *sums)
    conflict = f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET " + ", ".join(
        f"{c} = {name}.{c} + excluded.{c}" for c in sums
    )
    rows = [(*k, *v) for k, v in changed]
    if conn.dialect.name == "postgresql":  # one statement, one array per column
        arrays, params = _unnest(table, cols, rows)
        conn.exec_driver_sql(
            f"INSERT INTO {name} ({', '.join(cols)}) SELECT * FROM {arrays} {conflict}", params
        )
    else:
        conn.exec_driver_sql(
            f"INSERT INTO {name} ({', '.join(cols)}) VALUES ({_marks(conn, len(cols))}) "
            + conflict,
            _encode(conn, rows),
        )
    fallen = [k for k, v in changed if v[0] < 0]
    if fallen:
        where = " AND ".join(
            f"{k} = {m}" for k, m in zip(keys, _marks(conn, len(keys)).split(", "), strict=True)
        )
        conn.exec_driver_sql(
            f"DELETE FROM {name} WHERE {where} AND mentions <= 0", _encode(conn, fallen)
        )


def _delta(
    before: Iterable[Facts], after: Iterable[Facts], part: str
) -> dict[tuple[Any, ...], list[int]]:
    out: dict[tuple[Any, ...], list[int]] = {}
    for sign, facts in ((-1, before), (1, after)):
        for f in facts:
            rows: Mapping[tuple[Any, ...], tuple[int, ...]] = getattr(f, part)()
            for key, sums in rows.items():
                acc = out.get(key)
                if acc is None:
                    out[key] = [n * sign for n in sums]
                else:
                    out[key] = [a + n * sign for a, n in zip(acc, sums, strict=True)]
    return out


def update(conn: Connection, before: Sequence[Facts], after: Sequence[Facts]) -> None:
    """Make the rollups of mentions whose facts were ``before`` (stored mentions, before
    this write) reflect ``after`` (every mention written, as now stored)."""
    # a mention seen again unchanged (most of a resumed or repeated run) changes nothing
    unchanged = set(before) & set(after)
    if unchanged:
        before = [f for f in before if f not in unchanged]
        after = [f for f in after if f not in unchanged]
    for part, table, keys, sums in _ROLLUPS:
        _add(conn, table, keys, sums, _delta(before, after, part))
    old = {t for f in before for t in f.tag_rows()}
    new = {t for f in after for t in f.tag_rows()}
    _tags(conn, sorted(new - old), sorted(old - new))


#: (Facts method, table, key columns, summed columns) of each rollup kept by increments
_ROLLUPS: tuple[tuple[str, Table, tuple[str, ...], tuple[str, ...]], ...] = (
    ("hour_rows", mention_hours, ("workspace_id", "hour", "stream_id"), HOUR_SUMS),
    ("facet_rows", mention_facets, ("workspace_id", "day", "facet", "value"), FACET_SUMS),
    (
        "facet_hour_rows",
        mention_facet_hours,
        ("workspace_id", "hour", "facet", "value"),
        FACET_SUMS,
    ),
    ("author_rows", mention_authors, ("workspace_id", "month", "author_id"), ("mentions",)),
)
_TAG_COLUMNS = ("workspace_id", "kind", "value", "created", "mention_id")
#: From this many new tags, PostgreSQL takes them by COPY.
_COPY_TAGS = 2_000


def _tags(conn: Connection, made: Sequence[TagKey], gone: Sequence[TagKey]) -> None:
    """Delete the tags ``gone`` and insert ``made`` (new keys: a mention's tags change
    only under the workspace's lock, so none is there already)."""
    cols = ", ".join(_TAG_COLUMNS)
    marks = _marks(conn, len(_TAG_COLUMNS)).split(", ")
    if gone:
        where = " AND ".join(f"{c} = {m}" for c, m in zip(_TAG_COLUMNS, marks, strict=True))
        conn.exec_driver_sql(f"DELETE FROM mention_tags WHERE {where}", _encode(conn, gone))
    if not made:
        return
    if conn.dialect.name == "postgresql" and len(made) >= _COPY_TAGS:
        _copy(conn, "mention_tags", _TAG_COLUMNS, made)
    elif conn.dialect.name == "postgresql":
        arrays, params = _unnest(mention_tags, _TAG_COLUMNS, made)
        conn.exec_driver_sql(f"INSERT INTO mention_tags ({cols}) SELECT * FROM {arrays}", params)
    else:
        conn.exec_driver_sql(
            f"INSERT INTO mention_tags ({cols}) VALUES ({', '.join(marks)})", _encode(conn, made)
        )


# --- the recount -----------------------------------------------------------------------


def rebuild(conn: Connection, workspace_id: int | None = None, chunk: int = 20_000) -> int:
    """Recount the rollups (of one workspace, or all) from the stored mentions; returns
    the mentions read. Used by migration 0012 for the mentions stored before it, by the
    benchmarks' stores written around the write path, and by the tests as the truth."""
    for table in (mention_tags, *(r[1] for r in _ROLLUPS)):
        stmt = delete(table)
        if workspace_id is not None:
            stmt = stmt.where(table.c.workspace_id == workspace_id)
        conn.execute(stmt)
    sums: dict[str, dict[tuple[Any, ...], list[int]]] = {r[0]: {} for r in _ROLLUPS}
    read, last = 0, 0
    while True:
        query = select(*fact_columns()).where(mentions_t.c.id > last)
        if workspace_id is not None:
            query = query.where(mentions_t.c.workspace_id == workspace_id)
        rows = conn.execute(query.order_by(mentions_t.c.id).limit(chunk)).all()
        if not rows:
            break
        last = int(rows[-1].id)
        links: dict[int, set[int]] = defaultdict(set)
        for mid, sid in conn.execute(
            select(mention_streams.c.mention_id, mention_streams.c.stream_id).where(
                mention_streams.c.mention_id.between(int(rows[0].id), last)
            )
        ):
            links[int(mid)].add(int(sid))
        found = _facts(rows, links)
        for part, acc in sums.items():
            for key, add in _delta((), found, part).items():
                if key in acc:
                    acc[key] = [a + b for a, b in zip(acc[key], add, strict=True)]
                else:
                    acc[key] = add
        _tags(conn, sorted({t for f in found for t in f.tag_rows()}), ())
        read += len(rows)
    for part, table, keys, summed in _ROLLUPS:
        _add(conn, table, keys, summed, sums[part])
    return read


def stored_rows(conn: Connection, workspace_id: int) -> dict[str, set[tuple[Any, ...]]]:
    """The rollup rows of a workspace as stored, as sets (for comparing with a rebuild)."""
    out: dict[str, set[tuple[Any, ...]]] = {}
    for table in (mention_tags, *(r[1] for r in _ROLLUPS)):
        rows = conn.execute(select(table).where(table.c.workspace_id == workspace_id)).all()
        out[table.name] = {
            tuple(as_utc(v) if isinstance(v, datetime) else v for v in r) for r in rows
        }
    return out
