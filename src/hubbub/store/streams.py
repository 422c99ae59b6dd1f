"""A workspace's streams as stored: listed with their counts, made and changed in the web.

Streams have two origins (migration 0004). 'file' streams follow hubbub.toml through
:func:`hubbub.store.write.upsert_workspace` and are read-only here; 'web' streams are
made, edited, paused and resumed with the functions below (the Streams page and
``hubbub streams``). Every runner matches with :func:`active_streams`, the stored
streams of both origins that are not paused, so a stream made in the web is
listened for on the next batch.

A query is parsed (``hubbub.query.parse``, X's 1,024-character filtered-stream
limit) before it is stored, so a stored query never stops a listener; a name must be
free in the workspace, whatever the origin of the stream that holds it. Every change
is appended to ``audit_log`` (``stream.create``, ``stream.update``, ``stream.pause``,
``stream.resume``) in the caller's transaction. Functions take a connection already
in a transaction and never commit.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Connection, func, insert, select

from hubbub.model import STREAM_KINDS, WINDOWED_KINDS, Stream, StreamKind, Workspace
from hubbub.query import STREAM_MAX_LENGTH, parse
from hubbub.store.tables import audit_log, mention_streams, streams
from hubbub.store.tallies import stream_totals, window_tallies
from hubbub.store.types import as_utc, opt_utc
from hubbub.store.write import upsert_workspace

__all__ = [
    "MAX_NAME_LENGTH",
    "ORIGINS",
    "Origin",
    "StreamError",
    "StreamRow",
    "Window",
    "active_streams",
    "create_stream",
    "get_stream",
    "list_streams",
    "set_paused",
    "stored_workspace",
    "stream_by_name",
    "stream_ids",
    "update_stream",
]

Origin = Literal["file", "web"]
ORIGINS: tuple[str, ...] = ("file", "web")
MAX_NAME_LENGTH = 100
WEEK = timedelta(days=7)


class StreamError(ValueError):
    """A stream change that cannot be made (name taken, file stream, bad kind); one line."""


@dataclass(frozen=True, slots=True)
class StreamRow:
    """One stored stream with its mention counts (``mentions_week``: the last 7 days)."""

    id: int
    name: str
    kind: str
    query: str
    paused: bool
    origin: str
    note: str
    created: datetime
    updated: datetime
    created_by: int | None
    mentions: int = 0
    mentions_week: int = 0
    last_mention: datetime | None = None
    starts: datetime | None = None  # an event's or campaign's window, [starts, ends)
    ends: datetime | None = None

    @property
    def editable(self) -> bool:
        """Web streams are changed here; file streams only in hubbub.toml."""
        return self.origin == "web"

    def as_stream(self) -> Stream:
        kind: StreamKind = self.kind  # type: ignore[assignment]  # checked on the way in
        return Stream(self.name, self.query, kind, self.paused, self.starts, self.ends)


_COLUMNS = (
    streams.c.id,
    streams.c.name,
    streams.c.kind,
    streams.c.query,
    streams.c.paused,
    streams.c.origin,
    streams.c.note,
    streams.c.created,
    streams.c.updated,
    streams.c.created_by,
    streams.c.starts,
    streams.c.ends,
)


def _counts(
    conn: Connection, ws_id: int, now: datetime, stream_id: int | None = None
) -> dict[int, tuple[int, int, datetime | None]]:
    """Each stream's mentions: in all, in the last 7 days, and the newest one's time.

    The totals and the week are sums of the rollups (``mention_hours``, with the part
    of an hour at the week's start read from the mentions: see
    :mod:`hubbub.store.tallies`); the newest time is looked up in the links' window
    index (``ix_mention_streams_window``) from the start of the stream's newest hour
    with a mention, which the rollups give.
    """
    totals = stream_totals(conn, ws_id)
    totals.pop(0, None)  # the workspace's own row
    if stream_id is not None:
        totals = {k: v for k, v in totals.items() if k == stream_id}
    if not totals:
        return {}
    week = window_tallies(conn, ws_id, now - WEEK, None)
    out: dict[int, tuple[int, int, datetime | None]] = {}
    for s, (total, newest_hour) in totals.items():
        # "+ 0" keeps the planner on the window index rather than the stream_id one
        last = opt_utc(
            conn.execute(
                select(func.max(mention_streams.c.created)).where(
                    mention_streams.c.workspace_id == ws_id,
                    mention_streams.c.created >= newest_hour,
                    mention_streams.c.stream_id + 0 == s,
                )
            ).scalar()
        )
        out[s] = (total, week[s].mentions if s in week else 0, last)
    return out


def _row(r: Any, counts: dict[int, tuple[int, int, datetime | None]]) -> StreamRow:
    total, week, last = counts.get(r.id, (0, 0, None))
    return StreamRow(
        id=r.id,
        name=r.name,
        kind=r.kind,
        query=r.query,
        paused=bool(r.paused),
        origin=r.origin,
        note=r.note or "",
        created=as_utc(r.created),
        updated=as_utc(r.updated),
        created_by=r.created_by,
        mentions=total,
        mentions_week=week,
        last_mention=last,
        starts=opt_utc(r.starts),
        ends=opt_utc(r.ends),
    )


def list_streams(conn: Connection, ws_id: int, *, now: datetime | None = None) -> list[StreamRow]:
    """Every stream of the workspace, active ones first, then by kind and creation."""
    now = now or datetime.now(UTC)
    rows = conn.execute(select(*_COLUMNS).where(streams.c.workspace_id == ws_id)).all()
    counts = _counts(conn, ws_id, now)
    order = {kind: i for i, kind in enumerate(STREAM_KINDS)}
    found = [_row(r, counts) for r in rows]
    return sorted(found, key=lambda s: (s.paused, order.get(s.kind, len(order)), s.id))


def get_stream(
    conn: Connection, ws_id: int, stream_id: int, *, now: datetime | None = None
) -> StreamRow | None:
    """The stream ``stream_id`` of the workspace (None for another workspace's)."""
    r = conn.execute(
        select(*_COLUMNS).where(streams.c.workspace_id == ws_id, streams.c.id == stream_id)
    ).first()
    if r is None:
        return None
    return _row(r, _counts(conn, ws_id, now or datetime.now(UTC), stream_id))


def stream_by_name(conn: Connection, ws_id: int, name: str) -> StreamRow | None:
    """The stream named ``name`` (exactly, else case-insensitively), or None."""
    rows = conn.execute(
        select(*_COLUMNS).where(
            streams.c.workspace_id == ws_id, func.lower(streams.c.name) == name.strip().lower()
        )
    ).all()
    exact = [r for r in rows if r.name == name.strip()]
    chosen = exact or rows
    if len(chosen) != 1:
        return None
    return get_stream(conn, ws_id, chosen[0].id)


def stored_workspace(conn: Connection, ws: Workspace) -> tuple[int, Workspace]:
    """Store ``ws`` and return its id with ``ws`` carrying the streams runners match.

    Those are the stored active streams (hubbub.toml's and the web's), not only the
    file's: every runner starts here so a stream made in the web is listened for.
    """
    ws_id = upsert_workspace(conn, ws)
    return ws_id, dataclasses.replace(ws, streams=active_streams(conn, ws_id))


def active_streams(conn: Connection, ws_id: int) -> tuple[Stream, ...]:
    """The streams every runner matches with: stored, of either origin, not paused."""
    rows = conn.execute(
        select(streams.c.name, streams.c.query, streams.c.kind, streams.c.starts, streams.c.ends)
        .where(streams.c.workspace_id == ws_id, streams.c.paused.is_(False))
        .order_by(streams.c.id)
    )
    return tuple(
        Stream(r.name, r.query, r.kind, False, opt_utc(r.starts), opt_utc(r.ends)) for r in rows
    )


# --- changes -------------------------------------------------------------------------------


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise StreamError("give the stream a name")
    if len(name) > MAX_NAME_LENGTH:
        raise StreamError(f"a stream name is at most {MAX_NAME_LENGTH} characters")
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise StreamError("a stream name cannot hold control characters")
    return name


def _check_kind(kind: str) -> StreamKind:
    if kind not in STREAM_KINDS:
        raise StreamError(f"kind {kind!r} must be one of {', '.join(STREAM_KINDS)}")
    checked: StreamKind = kind  # type: ignore[assignment]
    return checked


#: a stream's window: ``(starts, ends)``, either may be None (open on that side)
Window = tuple[datetime | None, datetime | None]


def _check_window(kind: str, window: Window) -> Window:
    starts, ends = (opt_utc(w) for w in window)
    if (starts or ends) and kind not in WINDOWED_KINDS:
        raise StreamError(
            f"a start and end are for {' and '.join(WINDOWED_KINDS)} streams, not {kind}"
        )
    if starts and ends and ends <= starts:
        raise StreamError("the end must be after the start")
    return starts, ends


def _check_query(query: str) -> str:
    query = query.strip()
    parse(query, max_length=STREAM_MAX_LENGTH)  # QueryError with the column
    return query


def _name_free(conn: Connection, ws_id: int, name: str, but: int | None = None) -> None:
    query = select(streams.c.name, streams.c.origin).where(
        streams.c.workspace_id == ws_id, func.lower(streams.c.name) == name.lower()
    )
    if but is not None:
        query = query.where(streams.c.id != but)
    taken = conn.execute(query).first()
    if taken is not None:
        where = "in hubbub.toml" if taken.origin == "file" else "in the web"
        raise StreamError(f"the name {taken.name!r} is taken by a stream defined {where}")


def _audit(
    conn: Connection,
    ws_id: int,
    user_id: int | None,
    action: str,
    stream_id: int,
    detail: dict[str, Any],
    now: datetime,
) -> None:
    conn.execute(
        insert(audit_log).values(
            workspace_id=ws_id,
            user_id=user_id,
            action=action,
            subject=f"stream:{stream_id}",
            detail=detail,
            created=now,
        )
    )


def create_stream(
    conn: Connection,
    ws_id: int,
    name: str,
    query: str,
    kind: str = "campaign",
    *,
    user_id: int | None = None,
    note: str = "",
    window: Window = (None, None),
    now: datetime | None = None,
) -> int:
    """Store a new web stream; return its id.

    ``window`` is an event's or campaign's ``(starts, ends)``. Raises
    :class:`StreamError` (name empty, too long or taken; unknown kind; a window on
    another kind, or ending before it starts) or :class:`~hubbub.query.QueryError`
    (the query, with its column).
    """
    now = now or datetime.now(UTC)
    name = _clean_name(name)
    checked = _check_kind(kind)
    starts, ends = _check_window(checked, window)
    query = _check_query(query)
    _name_free(conn, ws_id, name)
    stream_id: int = conn.execute(
        insert(streams)
        .values(
            workspace_id=ws_id,
            name=name,
            kind=checked,
            query=query,
            paused=False,
            origin="web",
            note=note.strip(),
            created=now,
            updated=now,
            created_by=user_id,
            starts=starts,
            ends=ends,
        )
        .returning(streams.c.id)
    ).scalar_one()
    detail: dict[str, Any] = {"name": name, "query": query}
    if starts or ends:
        detail["window"] = [_iso(starts), _iso(ends)]
    _audit(conn, ws_id, user_id, "stream.create", stream_id, detail, now)
    return stream_id


def _iso(value: Any) -> Any:
    """A value for the audit log's JSON: times as ISO 8601 text."""
    return value.isoformat() if isinstance(value, datetime) else value


def _editable(conn: Connection, ws_id: int, stream_id: int) -> StreamRow:
    found = get_stream(conn, ws_id, stream_id)
    if found is None:
        raise LookupError(f"no stream {stream_id} in this workspace")
    if not found.editable:
        raise StreamError(
            f"stream {found.name!r} is defined in hubbub.toml: change it there "
            "(the file would undo a change made here)"
        )
    return found


def update_stream(
    conn: Connection,
    ws_id: int,
    stream_id: int,
    *,
    name: str | None = None,
    query: str | None = None,
    kind: str | None = None,
    note: str | None = None,
    window: Window | None = None,
    user_id: int | None = None,
    now: datetime | None = None,
) -> bool:
    """Change a web stream's name, query, kind, note or window; True when the query changed.

    ``None`` leaves a field as it is (``window=(None, None)`` removes the window).
    Raises LookupError for a stream not in the workspace, :class:`StreamError` for a
    file stream or a bad value, and
    :class:`~hubbub.query.QueryError` for a bad query. A changed query should be
    followed by :func:`hubbub.rematch.rematch` so that stored posts are matched anew.
    """
    now = now or datetime.now(UTC)
    current = _editable(conn, ws_id, stream_id)
    values: dict[str, Any] = {}
    if name is not None and (cleaned := _clean_name(name)) != current.name:
        _name_free(conn, ws_id, cleaned, but=stream_id)
        values["name"] = cleaned
    if kind is not None and kind != current.kind:
        values["kind"] = _check_kind(kind)
    if query is not None and (checked := _check_query(query)) != current.query:
        values["query"] = checked
    if note is not None and note.strip() != current.note:
        values["note"] = note.strip()
    new_kind = values.get("kind", current.kind)
    wanted = window if window is not None else (current.starts, current.ends)
    starts, ends = _check_window(new_kind, wanted)
    if (starts, ends) != (current.starts, current.ends):
        values.update(starts=starts, ends=ends)
    if not values:
        return False
    conn.execute(streams.update().where(streams.c.id == stream_id).values(updated=now, **values))
    before = {k: _iso(getattr(current, k)) for k in values}
    after = {k: _iso(v) for k, v in values.items()}
    _audit(conn, ws_id, user_id, "stream.update", stream_id, {"from": before, "to": after}, now)
    return "query" in values


def set_paused(
    conn: Connection,
    ws_id: int,
    stream_id: int,
    paused: bool,
    *,
    user_id: int | None = None,
    now: datetime | None = None,
) -> bool:
    """Pause or resume a web stream; True when its state changed.

    A paused stream matches nothing new; its mentions stay. Raises as
    :func:`update_stream`.
    """
    now = now or datetime.now(UTC)
    current = _editable(conn, ws_id, stream_id)
    if current.paused == paused:
        return False
    conn.execute(
        streams.update().where(streams.c.id == stream_id).values(paused=paused, updated=now)
    )
    action = "stream.pause" if paused else "stream.resume"
    _audit(conn, ws_id, user_id, action, stream_id, {"name": current.name}, now)
    return True


def stream_ids(conn: Connection, ws_id: int, names: Sequence[str]) -> dict[str, int]:
    """The ids of the named streams of the workspace (names not found are left out)."""
    if not names:
        return {}
    rows = conn.execute(
        select(streams.c.name, streams.c.id).where(
            streams.c.workspace_id == ws_id, streams.c.name.in_(list(names))
        )
    )
    return {r.name: r.id for r in rows}
