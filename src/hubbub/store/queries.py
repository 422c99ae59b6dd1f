"""The read queries behind the views: each takes a Connection, a workspace and a window.

Views never touch tables themselves (DESIGN.md: "views only read the store through
query functions in store/"), so the SQL lives here, once, as SQLAlchemy Core that
runs unchanged on SQLite and PostgreSQL, and returns plain typed dataclasses.

Speed with a million mentions (bench/pages.py): every aggregate filters on
``(workspace_id, created)`` first and groups in the database. The counts, the
sentiment split and the top authors read only ``ix_mentions_window``, which holds
every column they need; mentions per stream per day read only
``ix_mention_streams_window`` (each link carries its mention's workspace and time,
migration 0006), not a join per mention. The latest mentions use the window index
backwards with a ``LIMIT``.

Days are the workspace's local days. PostgreSQL groups by
``date(created AT TIME ZONE tz)`` itself; SQLite has no time-zone database, so it
groups by UTC hour and Python folds the hours into local days (exact for every
zone whose offsets are whole hours, DST included; a +05:30 zone can put the half
hour around midnight on the neighbouring day).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import ColumnElement, Connection, func, literal_column, select

from hubbub.model import Entities
from hubbub.store.tables import (
    accounts,
    mention_streams,
    mentions,
    posts,
    streams,
    workspaces,
)
from hubbub.store.types import as_utc, entities_from_json

__all__ = [
    "AuthorStat",
    "LatestMention",
    "SentimentSplit",
    "StreamInfo",
    "StreamSeries",
    "TimeSeries",
    "VoiceShare",
    "WorkspaceInfo",
    "latest_mentions",
    "local_days",
    "mention_count",
    "mention_stream_names",
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


@dataclass(frozen=True, slots=True)
class LatestMention:
    id: int
    network: str
    native_id: str
    url: str
    text: str
    created: datetime  # UTC
    entities: Entities | None
    author_handle: str
    author_name: str
    author_followers: int | None
    sentiment: str
    sentiment_score: float
    post_type: str
    reach: int
    engagement: int
    streams: tuple[str, ...]


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


def _link_window(workspace_id: int, since: datetime, until: datetime) -> ColumnElement[bool]:
    """:func:`_window` on the links' copies of their mention's workspace and time."""
    return (
        (mention_streams.c.workspace_id == workspace_id)
        & (mention_streams.c.created >= as_utc(since))
        & (mention_streams.c.created < as_utc(until))
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
    value = conn.execute(
        select(func.count()).select_from(mentions).where(_window(workspace_id, since, until))
    ).scalar_one()
    return int(value)


def mentions_over_time(
    conn: Connection, workspace_id: int, since: datetime, until: datetime, tz: str
) -> TimeSeries:
    """Mentions per local day per stream (a mention counts once in each stream it is in).

    Every stream of the workspace gets a series, with zeros on quiet days.
    """
    zone = _zone(tz)
    days = local_days(since, until, tz)
    index = {d: i for i, d in enumerate(days)}
    known = workspace_streams(conn, workspace_id)
    counts: dict[int, list[int]] = {s.id: [0] * len(days) for s in known}

    dialect = conn.dialect.name
    if dialect == "postgresql":
        # the zone name is validated above, so it is safe to inline; inlining (not a
        # bind parameter) lets PostgreSQL see that SELECT and GROUP BY are the same.
        bucket: ColumnElement[Any] = func.date(
            func.timezone(literal_column(f"'{tz}'"), mention_streams.c.created)
        )
    else:
        # UtcDateTime keeps fixed-width 'YYYY-MM-DD HH:MM:SS.ffffff' UTC text on SQLite,
        # so the hour is its first 13 characters: 3x cheaper than strftime() per row
        bucket = func.substr(mention_streams.c.created, 1, 13)
    bucket = bucket.label("bucket")
    rows = conn.execute(
        select(mention_streams.c.stream_id, bucket, func.count().label("n"))
        .where(_link_window(workspace_id, since, until))
        .group_by(mention_streams.c.stream_id, literal_column("bucket"))
    ).all()
    for stream_id, raw, n in rows:
        if stream_id not in counts:
            continue
        if isinstance(raw, date):
            day = raw
        else:
            hour = datetime.strptime(str(raw), "%Y-%m-%d %H").replace(tzinfo=UTC)
            day = hour.astimezone(zone).date()
        i = index.get(day)
        if i is not None:
            counts[stream_id][i] += int(n)
    series = tuple(
        StreamSeries(name=s.name, kind=s.kind, counts=tuple(counts[s.id])) for s in known
    )
    return TimeSeries(days=days, series=series)


def sentiment_split(
    conn: Connection, workspace_id: int, since: datetime, until: datetime
) -> SentimentSplit:
    """Positive, neutral and negative mention counts in the window."""
    rows = conn.execute(
        select(mentions.c.sentiment_label, func.count())
        .where(_window(workspace_id, since, until))
        .group_by(mentions.c.sentiment_label)
    ).all()
    found = {str(label): int(n) for label, n in rows}
    return SentimentSplit(
        positive=found.get("positive", 0),
        neutral=found.get("neutral", 0),
        negative=found.get("negative", 0),
    )


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
    rows = conn.execute(
        select(mention_streams.c.stream_id, func.count())
        .where(_link_window(workspace_id, since, until))
        .where(mention_streams.c.stream_id.in_([s.id for s in known]))
        .group_by(mention_streams.c.stream_id)
    ).all()
    found = {int(sid): int(n) for sid, n in rows}
    return _shares([(s.name, s.kind, found.get(s.id, 0)) for s in known])


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
    who talks about the business without telling it anything.
    """
    grouped = (
        select(
            mentions.c.author_id.label("author_id"),
            func.count().label("n"),
            func.max(mentions.c.reach).label("reach"),
            func.sum(mentions.c.engagement).label("engagement"),
        )
        .where(_window(workspace_id, since, until))
        .where(mentions.c.relationship.not_in(list(exclude_relationships)))
        .group_by(mentions.c.author_id)
        .order_by(func.count().desc(), func.max(mentions.c.reach).desc(), mentions.c.author_id)
        .limit(limit)
        .subquery()
    )
    rows = conn.execute(
        select(
            accounts.c.network,
            accounts.c.handle,
            accounts.c.name,
            grouped.c.n,
            grouped.c.reach,
            grouped.c.engagement,
            accounts.c.followers,
        )
        .join(accounts, accounts.c.id == grouped.c.author_id)
        .order_by(grouped.c.n.desc(), grouped.c.reach.desc(), accounts.c.handle)
    ).all()
    return [
        AuthorStat(
            network=r.network,
            handle=r.handle,
            name=r.name,
            mentions=int(r.n),
            reach=None if r.followers is None and not r.reach else int(r.reach or 0),
            engagement=int(r.engagement or 0),
        )
        for r in rows
    ]


def latest_mentions(
    conn: Connection,
    workspace_id: int,
    since: datetime,
    until: datetime,
    limit: int = 20,
) -> list[LatestMention]:
    """The newest mentions in the window with their post, author and streams."""
    rows = conn.execute(
        select(
            mentions.c.id,
            mentions.c.network,
            mentions.c.created,
            mentions.c.sentiment_label,
            mentions.c.sentiment_score,
            mentions.c.post_type,
            mentions.c.reach,
            mentions.c.engagement,
            posts.c.native_id,
            posts.c.url,
            posts.c.text,
            posts.c.entities,
            accounts.c.handle,
            accounts.c.name,
            accounts.c.followers,
        )
        .join(posts, posts.c.id == mentions.c.post_id)
        .join(accounts, accounts.c.id == mentions.c.author_id)
        .where(_window(workspace_id, since, until))
        .order_by(mentions.c.created.desc(), mentions.c.id.desc())
        .limit(limit)
    ).all()
    names = mention_stream_names(conn, [r.id for r in rows])
    return [
        LatestMention(
            id=r.id,
            network=r.network,
            native_id=r.native_id,
            url=r.url,
            text=r.text,
            created=as_utc(r.created),
            entities=entities_from_json(r.entities),
            author_handle=r.handle,
            author_name=r.name,
            author_followers=r.followers,
            sentiment=r.sentiment_label,
            sentiment_score=float(r.sentiment_score),
            post_type=r.post_type,
            reach=int(r.reach or 0),
            engagement=int(r.engagement or 0),
            streams=names.get(r.id, ()),
        )
        for r in rows
    ]


def mention_stream_names(
    conn: Connection, mention_ids: Sequence[int]
) -> dict[int, tuple[str, ...]]:
    """The names of the streams each mention matched, in the streams' order."""
    if not mention_ids:
        return {}
    rows = conn.execute(
        select(mention_streams.c.mention_id, streams.c.name)
        .join(streams, streams.c.id == mention_streams.c.stream_id)
        .where(mention_streams.c.mention_id.in_(list(mention_ids)))
        .order_by(mention_streams.c.mention_id, streams.c.id)
    ).all()
    out: dict[int, list[str]] = {}
    for mention_id, name in rows:
        out.setdefault(int(mention_id), []).append(str(name))
    return {k: tuple(v) for k, v in out.items()}
