"""Events: what the business's event streams drew within each event's own window.

An event stream (kind ``event``) has a window ``[starts, ends)``, set in hubbub.toml
(``starts``/``ends`` under its ``[[streams]]``) or on the Streams page. The goal counts
the events whose window overlaps [start, end) and measures each over its whole own
window, against the same length just before it (the build-up a business compares
with). Summed over those events:

- ``events``: how many;
- ``event_mentions``: mentions the streams matched within their windows;
  ``mentions_before``: in the same length before; ``mentions_change``: the relative
  change (0.5 is half as many again; only when there were some before);
- ``event_authors``: distinct authors within each window, summed over the events;
- ``event_reach``: followers of those authors, each author counted once per event;
- ``event_positive_share`` (0..1) and ``event_sentiment`` (-1..1, the mean score):
  only when there were mentions.

Event streams without a full window are listed (``details["unwindowed"]``) but not
measured. The headline is the event mentions, and the trend counts them per bucket
of [start, end) where it overlaps each window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from hubbub.goals.common import Measured, share
from hubbub.model import Goal
from hubbub.store.goal_rows import StreamHit, WindowedStream, stream_hits, windowed_streams

__all__ = ["EventRow", "events", "measured"]


@dataclass(frozen=True, slots=True)
class EventRow:
    """One event's figures over its own window and the same length before it."""

    stream: WindowedStream
    mentions: int
    before: int
    authors: int
    reach: int
    positive: int
    sentiment: float | None

    @property
    def positive_share(self) -> float:
        return share(self.positive, self.mentions)

    @property
    def change(self) -> float | None:
        return (self.mentions - self.before) / self.before if self.before else None


def _reach(hits: list[StreamHit]) -> int:
    best: dict[int, int] = {}
    for h in hits:
        best[h.author_id] = max(best.get(h.author_id, 0), h.reach)
    return sum(best.values())


def measured(conn: Connection, workspace_id: int, start: datetime, end: datetime) -> Measured:
    rows: list[EventRow] = []
    unwindowed: list[WindowedStream] = []
    points: list[tuple[datetime, float]] = []
    for stream in windowed_streams(conn, workspace_id, ("event",)):
        if stream.starts is None or stream.ends is None:
            unwindowed.append(stream)
            continue
        if not (stream.starts < end and stream.ends > start):
            continue
        length = stream.ends - stream.starts
        hits = stream_hits(conn, workspace_id, stream.id, stream.starts, stream.ends)
        before = stream_hits(conn, workspace_id, stream.id, stream.starts - length, stream.starts)
        rows.append(
            EventRow(
                stream=stream,
                mentions=len(hits),
                before=len(before),
                authors=len({h.author_id for h in hits}),
                reach=_reach(hits),
                positive=sum(h.sentiment == "positive" for h in hits),
                sentiment=sum(h.score for h in hits) / len(hits) if hits else None,
            )
        )
        points += [(h.created, 1.0) for h in hits if start <= h.created < end]
    total = sum(r.mentions for r in rows)
    before_total = sum(r.before for r in rows)
    figures: dict[str, float] = {
        "events": float(len(rows)),
        "event_mentions": float(total),
        "mentions_before": float(before_total),
        "event_authors": float(sum(r.authors for r in rows)),
        "event_reach": float(sum(r.reach for r in rows)),
    }
    if before_total:
        figures["mentions_change"] = (total - before_total) / before_total
    if total:
        figures["event_positive_share"] = sum(r.positive for r in rows) / total
        figures["event_sentiment"] = sum((r.sentiment or 0.0) * r.mentions for r in rows) / total
    details = {"events": rows, "unwindowed": unwindowed}
    return Measured(Goal("events", figures), sorted(points), details)


def events(conn: Connection, workspace_id: int, start: datetime, end: datetime) -> Goal:
    """The events figures over [start, end) (see the module docstring)."""
    return measured(conn, workspace_id, start, end).goal
