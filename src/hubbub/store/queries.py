"""The read queries behind the views: each takes a Connection, a workspace and a window.

Views never touch tables themselves (DESIGN.md: "views only read the store through
query functions in store/"), so the SQL lives here, once, as SQLAlchemy Core that
runs unchanged on SQLite and PostgreSQL, and returns plain typed dataclasses.

Speed with a million mentions (bench/pages.py): the counts, the sentiment split, the
share of voice and the mentions per stream per day are sums of the rollups
(:mod:`hubbub.store.tallies`: whole UTC hours from ``mention_hours``, the window's
part-hours from the mentions). The top authors take their candidates from the monthly
rollup of authors (:mod:`hubbub.store.authors`), and the latest mentions walk
``ix_mentions_window`` backwards with a ``LIMIT``.

Days are the workspace's local days: the rollups' UTC hours folded into them in Python
(exact for every zone whose offsets are whole hours, DST included; a +05:30 zone can
put the half hour around an inner midnight of the window on the neighbouring day).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import ColumnElement, Connection, func, select

from hubbub.store.authors import top_by_mentions
from hubbub.store.mention_search import MentionFilters, MentionRow, list_mentions
from hubbub.store.tables import (
    accounts,
    mentions,
    streams,
    workspaces,
)
from hubbub.store.tallies import Tally, day_counts, window_tallies
from hubbub.store.types import as_utc

__all__ = [
    "AuthorStat",
    "SentimentSplit",
    "StreamInfo",
    "StreamSeries",
    "TimeSeries",
    "VoiceShare",
    "WorkspaceInfo",
    "latest_mentions",
    "local_days",
    "mention_count",
    "mentions_over_time",
    "sentiment_split",
    "share_of_voice",
    "top_authors",
    "voice_from_series",
    "workspace_by_slug",
    "workspace_streams",
]

_ZONE_NAME = re.compile(r"^[A-Za-z0-9_+\-/]+$")


# --- result types ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WorkspaceInfo:
    id: int
    slug: str
    name: str
    timezone: str


@dataclass(frozen=True, slots=True)
class StreamInfo:
    id: int
    name: str
    kind: str
    paused: bool


@dataclass(frozen=True, slots=True)
class StreamSeries:
    """One stream's mentions per day; ``counts[i]`` belongs to ``TimeSeries.days[i]``."""

    name: str
    kind: str
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True, slots=True)
class TimeSeries:
    days: tuple[date, ...]
    series: tuple[StreamSeries, ...]


@dataclass(frozen=True, slots=True)
class SentimentSplit:
    positive: int
    neutral: int
    negative: int

    @property
    def total(self) -> int:
        return self.positive + self.neutral + self.negative

    def share(self, label: str) -> float:
        """The share (0..1) of mentions with this label; 0 when there are none."""
        count: int = getattr(self, label)
        return count / self.total if self.total else 0.0


@dataclass(frozen=True, slots=True)
class VoiceShare:
    stream: str
    kind: str  # brand or competitor
    mentions: int
    share: float  # of all brand + competitor mentions, 0..1


@dataclass(frozen=True, slots=True)
class AuthorStat:
    network: str
    handle: str
    name: str
    mentions: int
    reach: int | None  # the author's largest follower count seen; None: never known
    engagement: int


# --- helpers --------------------------------------------------------------------------


def _zone(name: str) -> ZoneInfo:
    if not _ZONE_NAME.match(name):
        raise ValueError(f"timezone {name!r}: not a time zone name")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"timezone {name!r}: unknown time zone") from exc


def _window(workspace_id: int, since: datetime, until: datetime) -> ColumnElement[bool]:
    return (
        (mentions.c.workspace_id == workspace_id)
        & (mentions.c.created >= as_utc(since))
        & (mentions.c.created < as_utc(until))
    )


def local_days(since: datetime, until: datetime, tz: str) -> tuple[date, ...]:
    """The local dates the half-open window ``[since, until)`` touches, in order."""
    zone = _zone(tz)
    first = as_utc(since).astimezone(zone).date()
    last = (as_utc(until) - timedelta(microseconds=1)).astimezone(zone).date()
    return tuple(first + timedelta(days=i) for i in range((last - first).days + 1))


# --- queries --------------------------------------------------------------------------


def workspace_by_slug(conn: Connection, slug: str) -> WorkspaceInfo | None:
    row = conn.execute(
        select(workspaces.c.id, workspaces.c.slug, workspaces.c.name, workspaces.c.timezone).where(
            workspaces.c.slug == slug
        )
    ).first()
    if row is None:
        return None
    return WorkspaceInfo(id=row.id, slug=row.slug, name=row.name, timezone=row.timezone)


def workspace_streams(conn: Connection, workspace_id: int) -> list[StreamInfo]:
    """The workspace's streams in a stable order: brand, competitors, then the rest."""
    rows = conn.execute(
        select(streams.c.id, streams.c.name, streams.c.kind, streams.c.paused)
        .where(streams.c.workspace_id == workspace_id)
        .order_by(streams.c.id)
    ).all()
    order = {"brand": 0, "competitor": 1, "locale": 2, "industry": 3}
    found = [StreamInfo(id=r.id, name=r.name, kind=r.kind, paused=bool(r.paused)) for r in rows]
    return sorted(found, key=lambda s: (order.get(s.kind, 4), s.id))


def mention_count(conn: Connection, workspace_id: int, since: datetime, until: datetime) -> int:
    """How many mentions the workspace has in ``[since, until)``."""
    return window_tallies(conn, workspace_id, since, until, stream=0).get(0, Tally()).mentions


def mentions_over_time(
    conn: Connection, workspace_id: int, since: datetime, until: datetime, tz: str
) -> TimeSeries:
    """Mentions per local day per stream (a mention counts once in each stream it is in).

    Every stream of the workspace gets a series, with zeros on quiet days. The days
    are the rollups' hours grouped by local date
    (:func:`hubbub.store.tallies.day_counts`).
    """
    _zone(tz)
    days = local_days(since, until, tz)
    index = {d: i for i, d in enumerate(days)}
    known = workspace_streams(conn, workspace_id)
    counts: dict[int, list[int]] = {s.id: [0] * len(days) for s in known}
    for (day, stream_id), n in day_counts(conn, workspace_id, since, until, tz).items():
        i = index.get(day)
        if stream_id in counts and i is not None:
            counts[stream_id][i] += n
    series = tuple(
        StreamSeries(name=s.name, kind=s.kind, counts=tuple(counts[s.id])) for s in known
    )
    return TimeSeries(days=days, series=series)


def sentiment_split(
    conn: Connection, workspace_id: int, since: datetime, until: datetime
) -> SentimentSplit:
    """Positive, neutral and negative mention counts in the window."""
    t = window_tallies(conn, workspace_id, since, until, stream=0).get(0, Tally())
    return SentimentSplit(positive=t.positive, neutral=t.neutral, negative=t.negative)


def share_of_voice(
    conn: Connection, workspace_id: int, since: datetime, until: datetime
) -> list[VoiceShare]:
    """The brand stream's mentions against each competitor stream's, with shares.

    Shares are of the sum over these streams, so a post naming both the business
    and a competitor counts for each of them. Brand first, then competitors by size.
    """
    known = [s for s in workspace_streams(conn, workspace_id) if s.kind in {"brand", "competitor"}]
    if not known:
        return []
    found = window_tallies(conn, workspace_id, since, until)
    return _shares([(s.name, s.kind, found.get(s.id, Tally()).mentions) for s in known])


def voice_from_series(series: TimeSeries) -> list[VoiceShare]:
    """:func:`share_of_voice` from a :func:`mentions_over_time` result already in hand.

    The Overview has the per-stream series anyway; summing it saves a second join
    over the window (a third of the page's time with a million mentions).
    """
    return _shares(
        [(s.name, s.kind, s.total) for s in series.series if s.kind in {"brand", "competitor"}]
    )


def _shares(counts: Sequence[tuple[str, str, int]]) -> list[VoiceShare]:
    total = sum(n for _, _, n in counts)
    shares = [
        VoiceShare(stream=name, kind=kind, mentions=n, share=n / total if total else 0.0)
        for name, kind, n in counts
    ]
    return sorted(shares, key=lambda v: (v.kind != "brand", -v.mentions, v.stream))


def top_authors(
    conn: Connection,
    workspace_id: int,
    since: datetime,
    until: datetime,
    limit: int = 10,
    *,
    exclude_relationships: Sequence[str] = ("business",),
) -> list[AuthorStat]:
    """The authors with the most mentions in the window (ties: the larger reach first).

    The business's own accounts are left out by default: they would top the list of
    who talks about the business without telling it anything. With that default the
    candidates come from the monthly rollup (:func:`hubbub.store.authors.top_by_mentions`);
    another exclusion groups the window's mentions by author.
    """
    found: list[tuple[int, int, int, int]]
    if tuple(exclude_relationships) == ("business",):
        found = [
            (f.author_id, f.mentions, f.reach, f.engagement)
            for f in top_by_mentions(conn, workspace_id, since, until, limit)
        ]
    else:
        grouped = conn.execute(
            select(
                mentions.c.author_id,
                func.count(),
                func.max(mentions.c.reach),
                func.sum(mentions.c.engagement),
            )
            .where(_window(workspace_id, since, until))
            .where(mentions.c.relationship.not_in(list(exclude_relationships)))
            .group_by(mentions.c.author_id)
            .order_by(func.count().desc(), func.max(mentions.c.reach).desc(), mentions.c.author_id)
            .limit(limit)
        ).all()
        found = [(int(a), int(n), int(r or 0), int(e or 0)) for a, n, r, e in grouped]
    people = {
        int(r.id): r
        for r in conn.execute(
            select(
                accounts.c.id,
                accounts.c.network,
                accounts.c.handle,
                accounts.c.name,
                accounts.c.followers,
            ).where(accounts.c.id.in_([f[0] for f in found]))
        )
    }
    stats = [
        AuthorStat(
            network=who.network,
            handle=who.handle,
            name=who.name,
            mentions=n,
            reach=None if who.followers is None and not reach else reach,
            engagement=engagement,
        )
        for author_id, n, reach, engagement in found
        if (who := people.get(author_id)) is not None
    ]
    return sorted(stats, key=lambda a: (-a.mentions, -(a.reach or 0), a.handle))


def latest_mentions(
    conn: Connection,
    workspace_id: int,
    since: datetime,
    until: datetime,
    limit: int = 20,
) -> list[MentionRow]:
    """The newest mentions in the window with their post, author and streams: the
    Mentions page's rows (:func:`hubbub.store.mention_search.list_mentions`)."""
    return list_mentions(conn, workspace_id, MentionFilters(since=since, until=until), limit=limit)
