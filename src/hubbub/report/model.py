"""The report's model: every figure of a workspace's window, read once, as dataclasses.

:func:`build_report` asks the store what the pages already ask it (the Overview's
:mod:`~hubbub.store.queries`, the Insight page's :mod:`~hubbub.store.insight_views`,
the listening summary, the inbox) plus :func:`hubbub.goals.measure` and the newest
stored audit, for the window and, where a change is shown, for the window before.
Nothing here computes insight of its own: the HTML, the PDF and the digest all render
this one object (:mod:`hubbub.report.render`), so they never disagree with each other
or with the pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import Connection

from hubbub.configure import response_target_hours
from hubbub.goals import measure
from hubbub.inbox import age_steps, response_deadline
from hubbub.insight.topics import Topic, topics
from hubbub.model import Goal
from hubbub.report.window import Window
from hubbub.store import load_workspace
from hubbub.store.audit import StoredReport
from hubbub.store.inbox import OPEN_STATES, ItemRow, list_items
from hubbub.store.insight_views import (
    InsightViews,
    Totals,
    insight_views,
    phrases,
    window_totals,
)
from hubbub.store.queries import (
    AuthorStat,
    TimeSeries,
    VoiceShare,
    WorkspaceInfo,
    mentions_over_time,
    share_of_voice,
    top_authors,
    workspace_by_slug,
)
from hubbub.store.report import audit_in_window
from hubbub.summary import StreamReport, stream_reports

__all__ = [
    "ATTENTION",
    "PHRASE_SAMPLE",
    "Figure",
    "GoalRow",
    "Report",
    "ReportError",
    "StreamTotal",
    "build_report",
]

#: how many open inbox items the report lists
ATTENTION = 10
#: how many newest mentions per window the topics read
PHRASE_SAMPLE = 2000


class ReportError(ValueError):
    """A report that cannot be made (say, no such workspace in the store); one line."""


@dataclass(frozen=True, slots=True)
class Figure:
    """One summary figure with the previous window's value; ``None``: not measurable."""

    key: str
    label: str
    value: float | None
    previous: float | None
    kind: Literal["count", "share"]

    @property
    def change(self) -> float | None:
        """The difference from the previous window (shares in 0..1 points)."""
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def relative(self) -> float | None:
        """The change as a fraction of the previous value; ``None`` from zero."""
        if self.change is None or not self.previous:
            return None
        return self.change / self.previous


@dataclass(frozen=True, slots=True)
class StreamTotal:
    name: str
    kind: str
    mentions: int
    previous: int


@dataclass(frozen=True, slots=True)
class GoalRow:
    """A goal's figures this window with the previous window's, by figure name."""

    name: str
    figures: dict[str, float]
    previous: dict[str, float]


@dataclass(frozen=True, slots=True)
class Report:
    workspace: WorkspaceInfo
    window: Window
    created: datetime  # UTC: when the report was made
    figures: tuple[Figure, ...]
    series: TimeSeries  # mentions per local day per stream
    streams: tuple[StreamTotal, ...]
    totals: Totals
    voice: tuple[VoiceShare, ...]
    authors: tuple[AuthorStat, ...]  # who talks about the business most
    insight: InsightViews
    topics: tuple[Topic, ...]
    summary: tuple[StreamReport, ...]
    goals: tuple[GoalRow, ...]
    audit: StoredReport | None  # the newest audit run in the window
    attention: tuple[ItemRow, ...]  # open inbox items from the window, most urgent first
    attention_total: int
    target_hours: float

    @property
    def figure(self) -> dict[str, Figure]:
        return {f.key: f for f in self.figures}


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _brand_share(voice: list[VoiceShare]) -> float | None:
    brand = next((v for v in voice if v.kind == "brand"), None)
    if brand is None or len(voice) < 2 or not sum(v.mentions for v in voice):
        return None
    return brand.share


def _figures(
    now: Totals, before: Totals, voice: list[VoiceShare], voice_before: list[VoiceShare]
) -> tuple[Figure, ...]:
    return (
        Figure("mentions", "Mentions", now.mentions, before.mentions, "count"),
        Figure("reach", "Reach", now.reach, before.reach, "count"),
        Figure("engagement", "Engagement", now.engagement, before.engagement, "count"),
        Figure(
            "positive",
            "Positive",
            _share(now.positive, now.mentions),
            _share(before.positive, before.mentions),
            "share",
        ),
        Figure(
            "negative",
            "Negative",
            _share(now.negative, now.mentions),
            _share(before.negative, before.mentions),
            "share",
        ),
        Figure(
            "voice",
            "Share of voice",
            _brand_share(voice),
            _brand_share(voice_before),
            "share",
        ),
    )


def _goals(current: list[Goal], previous: list[Goal]) -> tuple[GoalRow, ...]:
    before = {g.name: g.figures for g in previous}
    return tuple(GoalRow(g.name, dict(g.figures), dict(before.get(g.name, {}))) for g in current)


def build_report(conn: Connection, slug: str, window: Window, *, now: datetime) -> Report:
    """The report of workspace ``slug`` over ``window``, as the store holds it at ``now``."""
    info = workspace_by_slug(conn, slug)
    if info is None:
        raise ReportError(f"no workspace {slug!r} in the store: run hubbub import or demo first")
    stored = load_workspace(conn, slug)
    target = response_target_hours(
        conn, info.id, stored.response_target_hours if stored is not None else 4.0
    )
    since, until = window.since, window.until
    prev = window.previous
    views = insight_views(conn, info.id, since, until, window.tz)
    before = window_totals(conn, info.id, prev.since, prev.until)
    voice_before = share_of_voice(conn, info.id, prev.since, prev.until)
    series = mentions_over_time(conn, info.id, since, until, window.tz)
    series_before = mentions_over_time(conn, info.id, prev.since, prev.until, window.tz)
    totals_before = {s.name: s.total for s in series_before.series}
    found_topics = topics(
        phrases(conn, info.id, since, until, PHRASE_SAMPLE),
        phrases(conn, info.id, prev.since, prev.until, PHRASE_SAMPLE),
        limit=10,
    )
    open_items = list_items(
        conn,
        info.id,
        age_steps=age_steps(now, target),
        deadline=response_deadline(now, target),
        states=list(OPEN_STATES),
        since=since,
        until=until,
        limit=ATTENTION,
    )
    return Report(
        workspace=info,
        window=window,
        created=now,
        figures=_figures(views.totals, before, views.voice, voice_before),
        series=series,
        streams=tuple(
            StreamTotal(s.name, s.kind, s.total, totals_before.get(s.name, 0))
            for s in series.series
        ),
        totals=views.totals,
        voice=tuple(views.voice),
        authors=tuple(top_authors(conn, info.id, since, until, limit=10)),
        insight=views,
        topics=tuple(found_topics),
        summary=tuple(stream_reports(conn, info.id, until, days=window.days, phrase_limit=1000)),
        goals=_goals(
            measure(conn, info.id, since, until, target),
            measure(conn, info.id, prev.since, prev.until, target),
        ),
        audit=audit_in_window(conn, info.id, since, until),
        attention=tuple(open_items.items),
        attention_total=open_items.total,
        target_hours=target,
    )
