"""What the listening summary and the topics read: per-stream tallies and phrases.

:func:`stream_tallies` counts each stream's mentions per author over a window (with
their positive, negative and last-24-hour parts) in one grouped query on the links'
window index; :func:`hubbub.insight.summary.summarise` turns them into strength,
sentiment, passion and reach. :func:`stream_phrases` reads the key phrases and
hashtags each mention's insight already holds (newest first, at most ``limit`` per
window, so a busy window costs a bounded read) for :func:`hubbub.insight.topics.topics`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, case, func, select

from hubbub.insight.summary import AuthorTally
from hubbub.store.tables import mention_streams, mentions, streams
from hubbub.store.types import as_utc

__all__ = ["stream_phrases", "stream_tallies"]


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
    link = mention_streams
    rows = conn.execute(
        select(
            link.c.stream_id,
            mentions.c.author_id,
            func.count().label("n"),
            func.sum(case((mentions.c.sentiment_label == "positive", 1), else_=0)).label("pos"),
            func.sum(case((mentions.c.sentiment_label == "negative", 1), else_=0)).label("neg"),
            func.sum(case((link.c.created >= as_utc(recent_since), 1), else_=0)).label("recent"),
        )
        .select_from(link.join(mentions, mentions.c.id == link.c.mention_id))
        .where(
            (link.c.workspace_id == workspace_id)
            & (link.c.created >= as_utc(since))
            & (link.c.created < as_utc(until))
        )
        .group_by(link.c.stream_id, mentions.c.author_id)
    ).all()
    names = _stream_names(conn, workspace_id)
    out: dict[str, list[AuthorTally]] = {name: [] for name in names.values()}
    for r in rows:
        name = names.get(int(r.stream_id))
        if name is not None:
            out[name].append(AuthorTally(int(r.n), int(r.pos), int(r.neg), int(r.recent)))
    return out


def _phrases(insight: Any) -> tuple[str, ...]:
    what = (insight or {}).get("what") or {}
    tags = tuple("#" + str(h).lower() for h in what.get("hashtags") or ())
    return tuple(str(p) for p in what.get("key_phrases") or ()) + tags


def stream_phrases(
    conn: Connection, workspace_id: int, since: datetime, until: datetime, limit: int = 5000
) -> dict[str, list[tuple[str, ...]]]:
    """Per non-paused stream: each of its mentions' key phrases and #hashtags in the
    window, newest first, at most ``limit`` mentions per stream."""
    names = _stream_names(conn, workspace_id)
    out: dict[str, list[tuple[str, ...]]] = {name: [] for name in names.values()}
    for stream_id, name in names.items():
        rows = conn.execute(
            select(mentions.c.insight)
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
        out[name] = [_phrases(r.insight) for r in rows]
    return out
