"""The Insight page's figures: a workspace's mentions over a window, one group per question.

The journalist's questions (DESIGN.md, 5W+H+E) each become a few sums, all over the
whole window and all read from the rollups (:mod:`hubbub.store.tallies`): the totals
(mentions, reach, engagement, impressions, sentiment) and the hour of the week from the
hourly rollup of the workspace's mentions, every answer (network, post type, language,
relationship, in-locale, intent, authenticity, media, hashtag, product, town, client
app) with its positive and negative part from the daily facets. They used to be
aggregates over the window's mentions, and the answers only the insight JSON holds a
tally of the newest 5,000: at a million mentions a 90-day window took 1.5 s.

The hour of week folds the rollups' UTC hours into local hours in Python, like
:func:`hubbub.store.queries.mentions_over_time` (exact for whole-hour offsets). The top
authors by reach, and the key phrases :func:`phrases` hands to the topics (the newest
``limit`` mentions of a window), are read from the mentions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Connection, select

from hubbub.model import INTENTS
from hubbub.store.authors import top_by_reach
from hubbub.store.queries import VoiceShare, share_of_voice
from hubbub.store.tables import accounts, mentions
from hubbub.store.tallies import FacetCount, Tally, facet_counts, hour_counts, window_tallies
from hubbub.store.types import as_utc

__all__ = [
    "Count",
    "InsightViews",
    "ReachAuthor",
    "Totals",
    "hour_of_week",
    "insight_views",
    "phrases",
    "window_totals",
]


@dataclass(frozen=True, slots=True)
class Count:
    """One answer to a question: its value, how many mentions gave it, and how they felt."""

    value: str
    mentions: int
    positive: int = 0
    negative: int = 0


@dataclass(frozen=True, slots=True)
class ReachAuthor:
    network: str
    handle: str
    name: str
    mentions: int
    reach: int
    engagement: int
    relationship: str  # the author's most frequent relationship in the window


@dataclass(frozen=True, slots=True)
class Totals:
    mentions: int
    reach: int
    engagement: int
    positive: int
    neutral: int
    negative: int


@dataclass(frozen=True, slots=True)
class InsightViews:
    totals: Totals
    authors: list[ReachAuthor]  # Who: by reach
    relationships: list[Count]
    authenticity: list[Count]  # "authentic" (>= 0.5) / "questionable", where known
    hashtags: list[Count]  # What
    products: list[Count]
    hours: tuple[int, ...]  # When: 168 counts, index 0 = Monday 00:00 local
    in_locale: list[Count]  # Where: "yes" / "no" / "unknown"
    towns: list[Count]
    intents: list[Count]  # Why
    networks: list[Count]  # How
    post_types: list[Count]
    languages: list[Count]
    clients: list[Count]
    media: list[Count]  # "yes" / "no": with photos or video
    impressions: int | None  # Extent: summed where given, None where never given
    voice: list[VoiceShare]


def _window(workspace_id: int, since: datetime, until: datetime) -> ColumnElement[bool]:
    return (
        (mentions.c.workspace_id == workspace_id)
        & (mentions.c.created >= as_utc(since))
        & (mentions.c.created < as_utc(until))
    )


def _answers(found: dict[str, FacetCount], limit: int | None = None) -> list[Count]:
    """Answers largest first (ties by value); an empty value becomes "unknown"."""
    out = [
        Count(value or "unknown", c.mentions, c.positive, c.negative) for value, c in found.items()
    ]
    out.sort(key=lambda c: (-c.mentions, c.value))
    return out if limit is None else out[:limit]


def _authors(
    conn: Connection, workspace_id: int, since: datetime, until: datetime, limit: int
) -> list[ReachAuthor]:
    """The authors of the window's mentions with the largest reach (the business's own
    accounts left out), each with their most frequent relationship."""
    top = top_by_reach(conn, workspace_id, since, until, limit)
    people = {
        int(r.id): r
        for r in conn.execute(
            select(accounts.c.id, accounts.c.network, accounts.c.handle, accounts.c.name).where(
                accounts.c.id.in_([f.author_id for f in top])
            )
        ).all()
    }
    return [
        ReachAuthor(
            who.network, who.handle, who.name, f.mentions, f.reach, f.engagement, f.relationship
        )
        for f in top
        if (who := people.get(f.author_id)) is not None
    ]


def hour_of_week(hour_utc: datetime, tz: str) -> int:
    """0..167: the local hour of the week (Monday 00:00 = 0) of a UTC hour."""
    local = hour_utc.astimezone(ZoneInfo(tz))
    return local.weekday() * 24 + local.hour


def _hours(
    conn: Connection, workspace_id: int, since: datetime, until: datetime, tz: str
) -> tuple[int, ...]:
    out = [0] * 168
    for (hour, _), n in hour_counts(conn, workspace_id, since, until, streams=False).items():
        out[hour_of_week(hour, tz)] += n
    return tuple(out)


def _list(value: Any) -> Sequence[Any]:
    return value if isinstance(value, list) else ()


def phrases(
    conn: Connection, workspace_id: int, since: datetime, until: datetime, limit: int
) -> list[tuple[str, ...]]:
    """Each of the window's newest ``limit`` mentions' key phrases and #hashtags, the
    documents :func:`hubbub.insight.topics.topics` ranks."""
    rows = conn.execute(
        select(
            mentions.c.insight[("what", "key_phrases")], mentions.c.insight[("what", "hashtags")]
        )
        .where(_window(workspace_id, since, until))
        .order_by(mentions.c.created.desc())
        .limit(limit)
    ).all()
    return [
        tuple(str(p) for p in _list(k)) + tuple("#" + str(h).lower() for h in _list(h))
        for k, h in rows
    ]


def insight_views(
    conn: Connection,
    workspace_id: int,
    since: datetime,
    until: datetime,
    tz: str,
    *,
    limit: int = 10,
) -> InsightViews:
    """Every figure of the Insight page for the mentions in ``[since, until)``."""
    if since >= until:
        raise ValueError(f"window: since {since.isoformat()} is not before {until.isoformat()}")
    t = _tally(conn, workspace_id, since, until)
    facets = facet_counts(conn, workspace_id, since, until)

    def facet(name: str, top: int | None = None) -> list[Count]:
        return _answers(facets.get(name, {}), top)

    intents = facets.get("intent", {})
    return InsightViews(
        totals=_totals(t),
        authors=_authors(conn, workspace_id, since, until, limit),
        relationships=facet("relationship"),
        authenticity=facet("authenticity"),
        hashtags=facet("hashtag", limit),
        products=facet("product", limit),
        hours=_hours(conn, workspace_id, since, until, tz),
        in_locale=facet("in_locale"),
        towns=facet("town", limit),
        intents=_answers({k: v for k, v in intents.items() if k in INTENTS}),
        networks=facet("network"),
        post_types=facet("post_type"),
        languages=facet("language", limit),
        clients=facet("client", limit),
        media=facet("media"),
        impressions=t.impressions if t.with_impressions else None,
        voice=share_of_voice(conn, workspace_id, since, until),
    )


def window_totals(conn: Connection, workspace_id: int, since: datetime, until: datetime) -> Totals:
    """Only the totals of :func:`insight_views` (mentions, reach, engagement, sentiment):
    what a report needs of the window before, to show each figure's change."""
    return _totals(_tally(conn, workspace_id, since, until))


def _tally(conn: Connection, workspace_id: int, since: datetime, until: datetime) -> Tally:
    """The window's mentions of any stream, summed from the rollups."""
    return window_tallies(conn, workspace_id, since, until, stream=0).get(0, Tally())


def _totals(t: Tally) -> Totals:
    return Totals(t.mentions, t.reach, t.engagement, t.positive, t.neutral, t.negative)
