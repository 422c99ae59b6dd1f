"""The listening summary per stream, as people know it from Social Mention.

Four figures over a window, from counts the store gathers per author
(:func:`hubbub.store.summary.stream_tallies`), computed here so they are defined once:

- **strength**: how much the stream is talked about right now: the share of the
  window's mentions that came in the last 24 hours (Social Mention's definition),
  shown beside the plain rate, mentions per hour over those 24 hours;
- **sentiment**: positive : negative, as a ratio (None when nothing was negative);
- **passion**: how often the same people come back: the share of the window's
  authors who mentioned it more than once;
- **reach**: how widely it is talked about: unique authors / mentions (1.0 when
  every mention has its own author; near 0 when a few accounts do all the talking).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["AuthorTally", "StreamSummary", "summarise"]


@dataclass(frozen=True, slots=True)
class AuthorTally:
    """One author's mentions in a stream over the window."""

    mentions: int
    positive: int = 0
    negative: int = 0
    recent: int = 0  # of them in the last 24 hours


@dataclass(frozen=True, slots=True)
class StreamSummary:
    stream: str
    mentions: int
    recent: int  # mentions in the last 24 h
    authors: int
    positive: int
    negative: int
    strength: float  # recent / mentions, 0..1
    per_hour: float  # recent / 24
    sentiment_ratio: float | None  # positive / negative
    passion: float  # authors with 2+ mentions / authors, 0..1
    reach: float  # authors / mentions, 0..1

    @property
    def sentiment_text(self) -> str:
        """ "5:1"-style, as Social Mention prints it; "–" with no mentions."""
        if not self.positive and not self.negative:
            return "–"
        if not self.negative:
            return f"{self.positive}:0"
        return f"{self.positive / self.negative:.1f}:1"


def summarise(
    stream: str, tallies: Sequence[AuthorTally], recent_hours: float = 24.0
) -> StreamSummary:
    """The four figures of one stream from its per-author tallies (zeros when empty)."""
    if recent_hours <= 0:
        raise ValueError(f"recent_hours must be > 0, not {recent_hours}")
    mentions = sum(t.mentions for t in tallies)
    recent = sum(t.recent for t in tallies)
    positive = sum(t.positive for t in tallies)
    negative = sum(t.negative for t in tallies)
    authors = sum(1 for t in tallies if t.mentions > 0)
    repeat = sum(1 for t in tallies if t.mentions > 1)
    return StreamSummary(
        stream=stream,
        mentions=mentions,
        recent=recent,
        authors=authors,
        positive=positive,
        negative=negative,
        strength=recent / mentions if mentions else 0.0,
        per_hour=recent / recent_hours,
        sentiment_ratio=positive / negative if negative else None,
        passion=repeat / authors if authors else 0.0,
        reach=authors / mentions if mentions else 0.0,
    )
