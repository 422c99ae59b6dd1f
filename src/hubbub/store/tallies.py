"""A window's sums from the rollups: per hour and stream, per stream, per facet value.

The rollups (:mod:`hubbub.store.rollups`) hold whole UTC hours and days. A window
``[since, until)`` is read as the whole hours (or days) it covers from the rollup tables
plus, at each end, the part of an hour (or day) it cuts, from the mentions themselves
with :func:`hubbub.store.rollups.read_facts`, so every figure is exact for any window,
whatever its zone or the minute it starts. The Overview's and Insight's windows are
local midnights: whole hours in every zone with whole-hour offsets, so the hour tables
alone answer them; the day tables leave at most a day's mentions to read at the ends
(about 2,700 at a million mentions a year: 20 ms on SQLite).

A part-hour at the start is reported under ``since`` itself, not its hour's start, so
folding hours into local days or hours of the week puts its mentions where they are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Text, bindparam, func, literal_column, select, type_coerce

from hubbub.store.rollups import Facts, day_of, hour_of, read_facts
from hubbub.store.tables import mention_facet_hours, mention_facets, mention_hours, mentions
from hubbub.store.types import as_utc

__all__ = [
    "FacetCount",
    "Tally",
    "day_counts",
    "facet_counts",
    "hour_counts",
    "stream_totals",
    "window_tallies",
]

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Tally:
    """Mentions and their sums over some span (one stream's, or the workspace's)."""

    mentions: int = 0
    positive: int = 0
    negative: int = 0
    reach: int = 0
    engagement: int = 0
    impressions: int = 0
    with_impressions: int = 0  # mentions whose impressions were given

    @property
    def neutral(self) -> int:
        return self.mentions - self.positive - self.negative

    def __add__(self, other: Tally) -> Tally:
        return Tally(*(a + b for a, b in zip(_values(self), _values(other), strict=True)))


def _values(t: Tally) -> tuple[int, ...]:
    return (
        t.mentions,
        t.positive,
        t.negative,
        t.reach,
        t.engagement,
        t.impressions,
        t.with_impressions,
    )


@dataclass(frozen=True, slots=True)
class FacetCount:
    mentions: int
    positive: int
    negative: int


def _ceil(when: datetime, floor: datetime, step: timedelta) -> datetime:
    return floor if floor == when else floor + step


def _ends(
    since: datetime, until: datetime | None, step: timedelta
) -> tuple[datetime, datetime | None, list[tuple[datetime, datetime]]]:
    """The whole steps ``[first, last)`` inside the window (``last`` None: no end) and
    the parts at its ends to read from the mentions."""
    floor = hour_of if step == HOUR else day_of
    since = as_utc(since)
    first = _ceil(since, floor(since), step)
    if until is None:
        return first, None, [(since, first)] if since < first else []
    until = as_utc(until)
    last = floor(until)
    if first >= last:  # no whole step inside: all of it from the mentions
        return first, first, [(since, until)] if since < until else []
    parts = [(a, b) for a, b in ((since, first), (last, until)) if a < b]
    return first, last, parts


def _raw(
    conn: Connection, workspace_id: int, parts: Iterable[tuple[datetime, datetime]]
) -> list[Facts]:
    out: list[Facts] = []
    for a, b in parts:
        out += read_facts(
            conn,
            (mentions.c.workspace_id == workspace_id)
            & (mentions.c.created >= a)
            & (mentions.c.created < b),
        )
    return out


def _tally(f: Facts) -> Tally:
    known = f.impressions is not None
    return Tally(
        1,
        int(f.sentiment == "positive"),
        int(f.sentiment == "negative"),
        f.reach,
        f.engagement,
        f.impressions or 0,
        int(known),
    )


_SUMS = (
    mention_hours.c.mentions,
    mention_hours.c.positive,
    mention_hours.c.negative,
    mention_hours.c.reach,
    mention_hours.c.engagement,
    mention_hours.c.impressions,
    mention_hours.c.with_impressions,
)


def _hour_range(workspace_id: int, first: datetime, last: datetime | None) -> Any:
    cond = (mention_hours.c.workspace_id == workspace_id) & (mention_hours.c.hour >= first)
    if last is not None:
        cond = cond & (mention_hours.c.hour < last)
    return cond


def window_tallies(
    conn: Connection,
    workspace_id: int,
    since: datetime,
    until: datetime | None,
    *,
    stream: int | None = None,
) -> dict[int, Tally]:
    """Per stream id (0: the workspace's mentions, each once) the tally of
    ``[since, until)`` (``until`` None: everything from ``since`` on); only that of
    ``stream`` when given. Streams without a mention in the window are missing."""
    first, last, parts = _ends(since, until, HOUR)
    out: dict[int, Tally] = defaultdict(Tally)
    if last is None or first < last:
        cond = _hour_range(workspace_id, first, last)
        if stream is not None:
            cond = cond & (mention_hours.c.stream_id == stream)
        rows = conn.execute(
            select(mention_hours.c.stream_id, *(func.sum(c) for c in _SUMS))
            .where(cond)
            .group_by(mention_hours.c.stream_id)
        ).all()
        for sid, *sums in rows:
            out[int(sid)] = Tally(*(int(n or 0) for n in sums))
    for f in _raw(conn, workspace_id, parts):
        t = _tally(f)
        for sid in (0, *f.streams):
            if stream is None or sid == stream:
                out[sid] = out[sid] + t
    return dict(out)


def hour_counts(
    conn: Connection,
    workspace_id: int,
    since: datetime,
    until: datetime,
    *,
    streams: bool = True,
) -> dict[tuple[datetime, int], int]:
    """``{(hour, stream id): mentions}`` over ``[since, until)``; a part-hour at the start
    is keyed by ``since`` (see the module docstring). Only stream 0 unless ``streams``.

    A 90-day window is some 15,000 rows: they come back as bare tuples, each hour's
    text parsed once (SQLite), and nothing else is built per row."""
    first, last, parts = _ends(since, until, HOUR)
    out: dict[tuple[datetime, int], int] = defaultdict(int)
    if last is not None and first < last:
        sqlite = conn.dialect.name == "sqlite"
        # SQLite's fixed-width UTC text, parsed once per hour here rather than per row
        hour = type_coerce(mention_hours.c.hour, Text) if sqlite else mention_hours.c.hour
        query = select(hour, mention_hours.c.stream_id, mention_hours.c.mentions).where(
            _hour_range(workspace_id, first, last)
        )
        if not streams:
            query = query.where(mention_hours.c.stream_id == 0)
        parsed: dict[Any, datetime] = {}
        for raw, sid, n in conn.execute(query):
            when = parsed.get(raw)
            if when is None:
                when = parsed[raw] = _utc(raw)
            out[(when, sid)] = n
    start = as_utc(since)
    for f in _raw(conn, workspace_id, parts):
        key_time = max(hour_of(f.created), start)
        for sid in (0, *f.streams) if streams else (0,):
            out[(key_time, sid)] += 1
    return dict(out)


def day_counts(
    conn: Connection, workspace_id: int, since: datetime, until: datetime, tz: str
) -> dict[tuple[date, int], int]:
    """``{(local date, stream id): mentions}`` over ``[since, until)`` in zone ``tz``:
    each whole hour on the local date it starts (exact for whole-hour offsets), each
    mention of a part-hour on its own. PostgreSQL groups the hours into dates itself
    (``date(hour AT TIME ZONE tz)``); on SQLite, which has no zone data, the hours of
    :func:`hour_counts` are folded here, each hour's date worked out once."""
    zone = ZoneInfo(tz)
    out: dict[tuple[date, int], int] = defaultdict(int)
    if conn.dialect.name != "postgresql":
        dates: dict[datetime, date] = {}
        for (hour, sid), n in hour_counts(conn, workspace_id, since, until).items():
            day = dates.get(hour)
            if day is None:
                day = dates[hour] = hour.astimezone(zone).date()
            out[(day, sid)] += n
        return dict(out)
    first, last, parts = _ends(since, until, HOUR)
    if last is not None and first < last:
        local = func.date(func.timezone(bindparam("tz", tz), mention_hours.c.hour)).label("d")
        for sid, day, n in conn.execute(
            select(mention_hours.c.stream_id, local, func.sum(mention_hours.c.mentions))
            .where(_hour_range(workspace_id, first, last))
            .group_by(mention_hours.c.stream_id, literal_column("d"))
        ):
            out[(day, int(sid))] += int(n)
    for f in _raw(conn, workspace_id, parts):
        day = f.created.astimezone(zone).date()
        for sid in (0, *f.streams):
            out[(day, sid)] += 1
    return dict(out)


def _utc(value: Any) -> datetime:
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return as_utc(value)


def stream_totals(conn: Connection, workspace_id: int) -> dict[int, tuple[int, datetime]]:
    """Per stream id with mentions (0: the workspace): all its mentions and the start of
    the newest hour that has one."""
    rows = conn.execute(
        select(
            mention_hours.c.stream_id,
            func.sum(mention_hours.c.mentions),
            func.max(mention_hours.c.hour),
        )
        .where(mention_hours.c.workspace_id == workspace_id)
        .group_by(mention_hours.c.stream_id)
    ).all()
    return {int(sid): (int(n), _utc(last)) for sid, n, last in rows if n}


def facet_counts(
    conn: Connection,
    workspace_id: int,
    since: datetime,
    until: datetime | None,
    *,
    only: tuple[str, str] | None = None,
) -> dict[str, dict[str, FacetCount]]:
    """``{facet: {value: count}}`` of the mentions in ``[since, until)`` (``until`` None:
    from ``since`` on): every facet of :data:`hubbub.store.rollups.FACETS` that has a
    value in the window, or only the ``(facet, value)`` given. Whole UTC days come from
    ``mention_facets``, the whole hours of a part-day from ``mention_facet_hours``, and
    only the minutes of a part-hour from the mentions."""
    acc: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])

    def add(table: Any, column: Any, first: datetime, last: datetime | None) -> None:
        c = table.c
        cond = (c.workspace_id == workspace_id) & (column >= first)
        if last is not None:
            cond = cond & (column < last)
        if only is not None:
            cond = cond & (c.facet == only[0]) & (c.value == only[1])
        for facet, value, n, pos, neg in conn.execute(
            select(
                c.facet, c.value, func.sum(c.mentions), func.sum(c.positive), func.sum(c.negative)
            )
            .where(cond)
            .group_by(c.facet, c.value)
        ):
            sums = acc[(str(facet), str(value))]
            sums[0] += int(n)
            sums[1] += int(pos)
            sums[2] += int(neg)

    first, last, part_days = _ends(since, until, DAY)
    if last is None or first < last:
        add(mention_facets, mention_facets.c.day, first, last)
    raw: list[tuple[datetime, datetime]] = []
    for a, b in part_days:
        h_first, h_last, part_hours = _ends(a, b, HOUR)
        if h_last is not None and h_first < h_last:
            add(mention_facet_hours, mention_facet_hours.c.hour, h_first, h_last)
        raw += part_hours
    for f in _raw(conn, workspace_id, raw):
        pos, neg = int(f.sentiment == "positive"), int(f.sentiment == "negative")
        for key in f.facets:
            if only is not None and key != only:
                continue
            sums = acc[key]
            sums[0] += 1
            sums[1] += pos
            sums[2] += neg
    out: dict[str, dict[str, FacetCount]] = defaultdict(dict)
    for (facet, value), (n, pos, neg) in acc.items():
        if n:
            out[facet][value] = FacetCount(n, pos, neg)
    return dict(out)
