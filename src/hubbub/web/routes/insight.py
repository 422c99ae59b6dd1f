"""The Insight page: one panel per journalist's question over a workspace's mentions.

Who, What, When, Where, Why, How and to what Extent (DESIGN.md's 5W+H+E), each with
its sentiment where a group of mentions has one. The figures come from one call,
:func:`hubbub.store.insight_views.insight_views`, and the topics from
:func:`hubbub.insight.topics.topics` over the key phrases of this window against the
one before it. The window is whole local days, as on the Overview (``?days=``).

Every figure the Mentions page can filter on links there with that filter and the
window's dates, so a number is one click from the posts behind it. The hour-of-week
heatmap is a table of hours (rows) by weekdays (columns), which fits a phone, with
each cell shaded by a class (the page's CSP allows no inline styles).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request, Response
from markupsafe import Markup

from hubbub.insight.topics import Topic, topics
from hubbub.store.insight_views import Count, insight_views, phrases
from hubbub.store.queries import workspace_streams
from hubbub.store.users import user_workspaces
from hubbub.web import charts
from hubbub.web.deps import ConnDep, CurrentUser, CurrentWorkspace
from hubbub.web.format import percent
from hubbub.web.pages import render
from hubbub.web.routes.overview import DAY_CHOICES, DEFAULT_DAYS, window_for

__all__ = ["HeatCell", "MentionsLink", "Row", "heat_level", "router", "rows"]

router = APIRouter()

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HEAT_LEVELS = 5
PHRASE_SAMPLE = 2000


@dataclass(frozen=True, slots=True)
class Row:
    """One line of a panel: an answer, its count and share, sentiment, and its link."""

    label: str
    count: int
    share: str
    positive: int
    negative: int
    href: str | None


@dataclass(frozen=True, slots=True)
class MentionsLink:
    """The Mentions page's URL for the window, with more filters on demand."""

    base: str
    params: dict[str, str]

    def href(self, **extra: str) -> str:
        return self.base + "?" + urlencode({**self.params, **extra})


@dataclass(frozen=True, slots=True)
class HeatCell:
    count: int
    level: int  # 0 (none) .. HEAT_LEVELS (the busiest hour)


def heat_level(count: int, peak: int) -> int:
    """The shade of a cell: 0 for none, else 1..HEAT_LEVELS in proportion to the peak."""
    if count <= 0 or peak <= 0:
        return 0
    return max(1, min(HEAT_LEVELS, -(-count * HEAT_LEVELS // peak)))


def rows(
    found: Sequence[Count],
    total: int,
    link: MentionsLink | None = None,
    field: str | None = None,
    *,
    names: dict[str, str] | None = None,
) -> list[Row]:
    """Panel rows; each links to the Mentions page filtered on ``field`` = its value,
    within the window's dates."""
    out = []
    for c in found:
        href = None
        if link is not None and field is not None and c.value != "unknown":
            href = link.href(**{field: c.value})
        out.append(
            Row(
                label=(names or {}).get(c.value, c.value),
                count=c.mentions,
                share=percent(c.mentions / total) if total else "–",
                positive=c.positive,
                negative=c.negative,
                href=href,
            )
        )
    return out


def _parse_days(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and int(raw) in DAY_CHOICES else DEFAULT_DAYS


NAMES = {
    "x": "X",
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "rss": "RSS",
    "yes": "In town",
    "no": "Elsewhere",
    "recommendation_request": "recommendation request",
    "purchase_intent": "purchase intent",
    "spam_promo": "spam / promotion",
}
MEDIA_NAMES = {"yes": "With media", "no": "Text only"}


@router.get("/w/{slug}/insight")
def insight_page(
    request: Request,
    access: CurrentWorkspace,
    user: CurrentUser,
    conn: ConnDep,
    days: str | None = None,
) -> Response:
    ws = access.workspace
    window = window_for(request.app.state.clock(), _parse_days(days), ws.timezone)
    since, until = window.since, window.until
    views = insight_views(conn, ws.id, since, until, ws.timezone)
    before = since - (until - since)
    found_topics: list[Topic] = topics(
        phrases(conn, ws.id, since, until, PHRASE_SAMPLE),
        phrases(conn, ws.id, before, since, PHRASE_SAMPLE),
        limit=10,
    )
    zone = ZoneInfo(ws.timezone)
    first_day = since.astimezone(zone).date()
    last_day = (until - timedelta(microseconds=1)).astimezone(zone).date()
    link = MentionsLink(
        f"/w/{ws.slug}/mentions", {"since": first_day.isoformat(), "until": last_day.isoformat()}
    )
    total = views.totals.mentions

    peak = max(views.hours)
    heat = [
        [
            HeatCell(views.hours[d * 24 + h], heat_level(views.hours[d * 24 + h], peak))
            for d in range(7)
        ]
        for h in range(24)
    ]
    stream_ids = {s.name: s.id for s in workspace_streams(conn, ws.id)}
    voice_chart: Markup | None = None
    if views.voice:
        voice_chart = charts.bar_chart(
            [
                charts.Bar(
                    v.stream,
                    v.mentions,
                    charts.PALETTE[i % len(charts.PALETTE)],
                    f"{v.mentions:,} · {percent(v.share)}",
                )
                for i, v in enumerate(views.voice)
            ],
            chart_id="insight-voice",
            width=360,
            title="Share of voice: the business against its competitors",
            desc=", ".join(f"{v.stream}: {percent(v.share)}" for v in views.voice),
        )
    intent_chart = charts.bar_chart(
        [
            charts.Bar(
                NAMES.get(c.value, c.value), c.mentions, charts.PALETTE[0], f"{c.mentions:,}"
            )
            for c in views.intents
        ],
        chart_id="insight-why",
        width=360,
        title="Why they posted: mentions per intent",
        desc=", ".join(f"{c.value}: {c.mentions}" for c in views.intents) or "No intents.",
    )
    return render(
        request,
        "insight.html",
        {
            "workspace": ws,
            "workspaces": user_workspaces(conn, user.user.id),
            "role": access.role,
            "window": window,
            "day_choices": DAY_CHOICES,
            "first_day": first_day,
            "last_day": last_day,
            "all_href": link.href(),
            "mentions_href": lambda q: link.href(q=q),
            "views": views,
            "totals": views.totals,
            "sentiment_rows": rows(
                [
                    Count("positive", views.totals.positive),
                    Count("neutral", views.totals.neutral),
                    Count("negative", views.totals.negative),
                ],
                total,
                link,
                "sentiment",
            ),
            "authors": views.authors,
            "relationships": rows(views.relationships, total, link, "relationship"),
            "authenticity": rows(views.authenticity, total, link, "authenticity"),
            "hashtags": rows(views.hashtags, total, link, "hashtag"),
            "products": rows(views.products, total, link, "product"),
            "topics": found_topics,
            "heat": heat,
            "weekdays": WEEKDAYS,
            "peak": peak,
            "in_locale": rows(views.in_locale, total, link, "in_locale", names=NAMES),
            "towns": rows(views.towns, total, link, "town"),
            "intents": rows(views.intents, total, link, "intent", names=NAMES),
            "intent_chart": intent_chart,
            "networks": rows(views.networks, total, link, "network", names=NAMES),
            "post_types": rows(views.post_types, total, link, "post_type"),
            "languages": rows(views.languages, total, link, "language"),
            "clients": rows(views.clients, total, link, "client"),
            "media": rows(views.media, total, link, "media", names=MEDIA_NAMES),
            "voice": views.voice,
            "voice_chart": voice_chart,
            "stream_links": {name: link.href(stream=str(sid)) for name, sid in stream_ids.items()},
        },
    )
