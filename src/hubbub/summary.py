"""The listening summary of a workspace: per stream, Social Mention's four figures and topics.

One call for the CLI (``hubbub insight summary``) and the Overview's panel: the
store's tallies and phrases (:mod:`hubbub.store.summary`) through the pure
functions of :mod:`hubbub.insight.summary` and :mod:`hubbub.insight.topics`.
The window is the last ``days`` days up to ``now``; topics compare it with the
``days`` before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection

from hubbub.insight.summary import StreamSummary, summarise
from hubbub.insight.topics import Topic, topics
from hubbub.store.summary import stream_phrases, stream_tallies

__all__ = ["StreamReport", "stream_reports"]


@dataclass(frozen=True, slots=True)
class StreamReport:
    summary: StreamSummary
    topics: tuple[Topic, ...]


def stream_reports(
    conn: Connection,
    workspace_id: int,
    now: datetime,
    days: int = 7,
    topic_limit: int = 5,
    phrase_limit: int = 5000,
) -> list[StreamReport]:
    """Each non-paused stream's summary over the last ``days`` days and its top topics
    (from at most ``phrase_limit`` newest mentions per stream and window)."""
    if days < 1:
        raise ValueError(f"days must be >= 1, not {days}")
    since = now - timedelta(days=days)
    tallies = stream_tallies(conn, workspace_id, since, now, now - timedelta(hours=24))
    current = stream_phrases(conn, workspace_id, since, now, phrase_limit)
    previous = stream_phrases(conn, workspace_id, since - timedelta(days=days), since, phrase_limit)
    return [
        StreamReport(
            summarise(name, rows),
            tuple(topics(current.get(name, []), previous.get(name, []), limit=topic_limit)),
        )
        for name, rows in tallies.items()
    ]
