"""What the listening summary and the topics read: per-stream tallies and phrases.

:func:`stream_tallies` counts each stream's mentions per author over a window (with
their positive, negative and last-24-hour parts) in one grouped query on the mentions'
time index and the links' key; :func:`hubbub.insight.summary.summarise` turns them
into strength, sentiment, passion and reach. :func:`stream_phrases` reads the key phrases and
hashtags each mention's insight already holds (newest first, at most ``limit`` per
window, so a busy window costs a bounded read) for :func:`hubbub.insight.topics.topics`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection, Text, case, cast, func, select

from hubbub.insight.summary import AuthorTally
from hubbub.store.tables import mention_streams, mentions, streams
from hubbub.store.types import as_utc

__all__ = ["StreamCounts", "stream_counts", "stream_phrases", "stream_tallies"]


def _stream_names(conn: Connection, workspace_id: int) -> dict[int, str]:
    rows = conn.execute(
        select(streams.c.id, streams.c.name)
        .where((streams.c.workspace_id == workspace_id) & (streams.c.paused.is_(False)))
        .order_by(streams.c.id)
    ).all()
    return {int(r.id): str(r.name) for r in rows}


def stream_tallies(
    conn: Connection, workspace_id: int, since: datetime, until: datetime, recent_since: datetime
) -> dict[str, list[AuthorTally]]:
    """Per non-paused stream (every one, empty lists included): one tally per author
    of its mentions in ``[since, until)``; ``recent`` counts those from ``recent_since``."""
    rows = conn.execute(_window(workspace_id, since, until, recent_since)).all()
    names = _stream_names(conn, workspace_id)
    out: dict[str, list[AuthorTally]] = {name: [] for name in names.values()}
    for r in rows:
        name = names.get(int(r.stream_id))
        if name is not None:
            out[name].append(AuthorTally(int(r.n), int(r.pos), int(r.neg), int(r.recent)))
    return out


def _window(workspace_id: int, since: datetime, until: datetime, recent_since: datetime) -> Any:
    """The per-(stream, author) tallies of :func:`stream_tallies` as a select.

    The window is taken on the mentions, whose time index holds the author and the
    sentiment, and each mention's streams from the links' key: both read from indexes
    alone (a third less than starting from the links, which needs each mention's row).
    """
    link = mention_streams
    return (
        select(
            link.c.stream_id,
            mentions.c.author_id,
            func.count().label("n"),
            func.sum(case((mentions.c.sentiment_label == "positive", 1), else_=0)).label("pos"),
            func.sum(case((mentions.c.sentiment_label == "negative", 1), else_=0)).label("neg"),
            func.sum(case((mentions.c.created >= as_utc(recent_since), 1), else_=0)).label(
                "recent"
            ),
        )
        .select_from(mentions.join(link, link.c.mention_id == mentions.c.id))
        .where(
            (mentions.c.workspace_id == workspace_id)
            & (mentions.c.created >= as_utc(since))
            & (mentions.c.created < as_utc(until))
        )
        .group_by(link.c.stream_id, mentions.c.author_id)
    )


@dataclass(frozen=True, slots=True)
class StreamCounts:
    """One stream's tallies summed over its authors: what
    :func:`hubbub.insight.summary.summarise` needs of them, without a row per author."""

    mentions: int = 0
    recent: int = 0
    positive: int = 0
    negative: int = 0
    authors: int = 0  # authors with a mention in the window
    repeat: int = 0  # of them, those with two or more


def stream_counts(
    conn: Connection, workspace_id: int, since: datetime, until: datetime, recent_since: datetime
) -> dict[str, StreamCounts]:
    """Per non-paused stream (every one, zeros included): :func:`stream_tallies` summed
    in SQL, so a busy week (tens of thousands of authors) comes back as a row a stream."""
    per_author = _window(workspace_id, since, until, recent_since).subquery()
    rows = conn.execute(
        select(
            per_author.c.stream_id,
            func.sum(per_author.c.n),
            func.sum(per_author.c.recent),
            func.sum(per_author.c.pos),
            func.sum(per_author.c.neg),
            func.count(),
            func.sum(case((per_author.c.n > 1, 1), else_=0)),
        ).group_by(per_author.c.stream_id)
    ).all()
    names = _stream_names(conn, workspace_id)
    out = {name: StreamCounts() for name in names.values()}
    for sid, n, recent, pos, neg, authors, repeat in rows:
        name = names.get(int(sid))
        if name is not None:
            out[name] = StreamCounts(
                int(n), int(recent), int(pos), int(neg), int(authors), int(repeat)
            )
    return out


def _what(what: Any) -> tuple[str, ...]:
    what = what if isinstance(what, dict) else {}
    return _listed(what.get("key_phrases"), what.get("hashtags"))


def _listed(phrases: Any, hashtags: Any) -> tuple[str, ...]:
    tags = tuple("#" + str(h).lower() for h in hashtags or ())
    return tuple(str(p) for p in phrases or ()) + tags


def stream_phrases(
    conn: Connection, workspace_id: int, since: datetime, until: datetime, limit: int = 5000
) -> dict[str, list[tuple[str, ...]]]:
    """Per non-paused stream: each of its mentions' key phrases and #hashtags in the
    window, newest first, at most ``limit`` mentions per stream."""
    names = _stream_names(conn, workspace_id)
    out: dict[str, list[tuple[str, ...]]] = {name: [] for name in names.values()}
    # the insight's "what" part as text, decoded by orjson: half the time of SQL's two
    # JSON paths decoded by the JSON type
    insight = cast(mentions.c.insight["what"], Text)
    for stream_id, name in names.items():
        rows = conn.execute(
            select(insight)
            .select_from(
                mention_streams.join(mentions, mentions.c.id == mention_streams.c.mention_id)
            )
            .where(
                (mention_streams.c.workspace_id == workspace_id)
                & (mention_streams.c.stream_id == stream_id)
                & (mention_streams.c.created >= as_utc(since))
                & (mention_streams.c.created < as_utc(until))
            )
            .order_by(mention_streams.c.created.desc())
            .limit(limit)
        ).all()
        out[name] = [_what(orjson.loads(r[0] or "null")) for r in rows]
    return out
