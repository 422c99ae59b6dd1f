"""The Overview: a workspace's mentions, sentiment, share of voice and voices.

The route reads figures through :mod:`hubbub.store.queries` and turns them into
charts (:mod:`hubbub.web.charts`) and rows for the template; it computes no
insight of its own. The window is whole local days in the workspace's time zone:
``?days=30`` is today and the 29 days before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import RedirectResponse
from markupsafe import Markup

from hubbub.store import alerts as store_alerts
from hubbub.store import queries
from hubbub.store.users import user_workspaces
from hubbub.summary import stream_reports
from hubbub.web import charts
from hubbub.web.deps import ConnDep, CurrentUser, CurrentWorkspace, StoreDep
from hubbub.web.format import percent
from hubbub.web.pages import render

__all__ = ["DAY_CHOICES", "Window", "router", "window_for"]

router = APIRouter()

DAY_CHOICES = (7, 30, 90)
DEFAULT_DAYS = 30


@dataclass(frozen=True, slots=True)
class Window:
    days: int
    since: datetime  # UTC, the first local midnight
    until: datetime  # UTC, the local midnight after today


def window_for(now: datetime, days: int, tz: str) -> Window:
    """The last ``days`` local days up to and including today, as UTC bounds."""
    zone = ZoneInfo(tz)
    today = now.astimezone(zone).date()

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=zone).astimezone(now.tzinfo)

    return Window(
        days=days,
        since=midnight(today - timedelta(days=days - 1)),
        until=midnight(today + timedelta(days=1)),
    )


def _parse_days(raw: str | None) -> int:
    try:
        value = int(raw or DEFAULT_DAYS)
    except ValueError:
        return DEFAULT_DAYS
    return value if value in DAY_CHOICES else DEFAULT_DAYS


@router.get("/w/{slug}/")
def overview(
    request: Request,
    access: CurrentWorkspace,
    user: CurrentUser,
    conn: ConnDep,
    days: str | None = None,
) -> Response:
    ws = access.workspace
    window = window_for(request.app.state.clock(), _parse_days(days), ws.timezone)
    since, until = window.since, window.until

    total = queries.mention_count(conn, ws.id, since, until)
    series = queries.mentions_over_time(conn, ws.id, since, until, ws.timezone)
    voice = queries.voice_from_series(series)
    sentiment = queries.sentiment_split(conn, ws.id, since, until)
    authors = queries.top_authors(conn, ws.id, since, until, limit=10)
    latest = queries.latest_mentions(conn, ws.id, since, until, limit=20)
    # insight (issue 9): unread alerts of the last two days, the listening summary per stream
    now = request.app.state.clock()
    alerts_shown = store_alerts.recent_alerts(conn, ws.id, now - timedelta(days=2), limit=5)
    reports = stream_reports(conn, ws.id, now, days=7, phrase_limit=1000)

    colors = {s.name: charts.PALETTE[i % len(charts.PALETTE)] for i, s in enumerate(series.series)}
    day_labels = [f"{d:%b} {d.day}" for d in series.days]
    first, last = day_labels[0], day_labels[-1]
    shown = [s for s in series.series if s.total > 0] or list(series.series)
    lines = [charts.Line(s.name, s.counts, colors[s.name]) for s in shown]
    over_title = f"Mentions per day by stream, {first} to {last}"
    over_desc = "; ".join(f"{s.name}: {s.total:,} mentions" for s in shown) or "No streams yet."
    over_desc += f". The last day, {last}, is today so far."
    # two drawings of one chart, wide and compact, so that its text stays readable on
    # a desktop and a phone alike (SVG text scales with the drawing); CSS shows one
    over_time = charts.line_chart(
        day_labels,
        lines,
        chart_id="over-time",
        title=over_title,
        desc=over_desc,
        width=960,
        height=300,
        max_labels=10,
        partial_last=True,
    )
    over_time_compact = charts.line_chart(
        day_labels,
        lines,
        chart_id="over-time-compact",
        title=over_title,
        desc=over_desc,
        width=360,
        height=240,
        max_labels=5,
        partial_last=True,
    )
    labels = ("positive", "neutral", "negative")
    sentiment_chart = charts.stacked_bar(
        [
            charts.Bar(
                label.capitalize(),
                getattr(sentiment, label),
                charts.SENTIMENT_COLORS[label],
                f"{getattr(sentiment, label):,} ({percent(sentiment.share(label))})",
            )
            for label in labels
        ],
        chart_id="sentiment",
        title="Sentiment of mentions",
        desc=", ".join(
            f"{label}: {getattr(sentiment, label):,} ({percent(sentiment.share(label))})"
            for label in labels
        ),
    )
    voice_chart: Markup | None = None
    if voice:
        voice_chart = charts.bar_chart(
            [
                charts.Bar(
                    v.stream,
                    v.mentions,
                    colors.get(v.stream, "#444"),
                    f"{v.mentions:,} · {percent(v.share)}",
                )
                for v in voice
            ],
            chart_id="voice",
            width=360,
            title="Share of voice: the business against its competitors",
            desc=", ".join(f"{v.stream}: {percent(v.share)}" for v in voice),
        )
    brand = next((v for v in voice if v.kind == "brand"), None)
    return render(
        request,
        "overview.html",
        {
            "workspace": ws,
            "workspaces": user_workspaces(conn, user.user.id),
            "role": access.role,
            "window": window,
            "day_choices": DAY_CHOICES,
            "total": total,
            "series": series,
            "day_labels": day_labels,
            "colors": colors,
            "legend": [(s.name, s.total, colors[s.name]) for s in shown],
            "over_time": over_time,
            "over_time_compact": over_time_compact,
            "sentiment": sentiment,
            "sentiment_labels": labels,
            "sentiment_colors": charts.SENTIMENT_COLORS,
            "sentiment_chart": sentiment_chart,
            "voice": voice,
            "voice_chart": voice_chart,
            "brand": brand,
            "authors": authors,
            "latest": latest,
            "alerts": alerts_shown,
            "reports": reports,
            "first_day": series.days[0],
            "last_day": series.days[-1],
        },
    )


@router.post("/w/{slug}/alerts/{alert_id}/dismiss")
def dismiss_alert(
    request: Request, alert_id: int, access: CurrentWorkspace, store: StoreDep
) -> Response:
    """Hide an alert from the Overview's banner (it stays stored); 404 if not this workspace's."""
    with store.begin() as conn:
        found = store_alerts.dismiss_alert(
            conn, access.workspace.id, alert_id, request.app.state.clock()
        )
    if not found:
        raise HTTPException(status_code=404)
    return RedirectResponse(f"/w/{access.workspace.slug}/", status_code=303)
