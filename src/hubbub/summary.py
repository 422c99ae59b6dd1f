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

from hubbub.insight.summary import AuthorTally, StreamSummary, summarise
from hubbub.insight.topics import Topic, topics
from hubbub.store.summary import StreamCounts, stream_counts, stream_phrases

__all__ = ["StreamReport", "stream_reports", "summary_of_counts"]


@dataclass(frozen=True, slots=True)
class StreamReport:
    summary: StreamSummary
    topics: tuple[Topic, ...]


def summary_of_counts(stream: str, counts: StreamCounts) -> StreamSummary:
    """:func:`~hubbub.insight.summary.summarise` of a stream's per-author tallies, from
    their sums alone (the store adds them up in SQL): the same figures, since
    ``summarise`` only sums the tallies and counts the authors with one and with two or
    more mentions. It is given tallies that add up to the same: one per repeat author
    carrying the repeat mentions, and one per single-mention author."""
    tallies: list[AuthorTally] = []
    if counts.authors:
        # the first author carries every mention the others leave: the other repeat
        # authors have two each, the other single authors one
        twos = max(counts.repeat - 1, 0)
        ones = counts.authors - counts.repeat - (0 if counts.repeat else 1)
        lead = counts.mentions - 2 * twos - ones
        tallies.append(AuthorTally(lead, counts.positive, counts.negative, counts.recent))
        tallies.extend([AuthorTally(2)] * twos)
        tallies.extend([AuthorTally(1)] * ones)
    return summarise(stream, tallies)


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
    counts = stream_counts(conn, workspace_id, since, now, now - timedelta(hours=24))
    current = stream_phrases(conn, workspace_id, since, now, phrase_limit)
    previous = stream_phrases(conn, workspace_id, since - timedelta(days=days), since, phrase_limit)
    return [
        StreamReport(
            summary_of_counts(name, sums),
            tuple(topics(current.get(name, []), previous.get(name, []), limit=topic_limit)),
        )
        for name, sums in counts.items()
    ]
