"""The report as one self-contained HTML document: inline CSS, inline SVG, no links out.

The document is what a shop owner keeps: it is mailed, archived and printed, so it
loads nothing (no scripts, fonts, images or style sheets from anywhere: every chart
is SVG drawn by :mod:`hubbub.charts`, the CSS is inlined) and carries no link to a
network or to hubbub itself, only ``#`` anchors between its own sections. Print CSS
starts each section on a new page and keeps tables and charts whole, which is what
:mod:`hubbub.report.pdf` prints.

Goals are labelled and formatted as the Goals page does it (:mod:`hubbub.goals.explain`),
so the page, ``hubbub goals``, the report and the digest never word a figure two ways.

The web route serves the same bytes under :data:`CSP`, which allows exactly this
style sheet (by its SHA-256) and ``data:`` images, and nothing else.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from hubbub import charts
from hubbub.audit.render import FIGURE_LABELS as AUDIT_LABELS
from hubbub.audit.render import format_change, format_value
from hubbub.goals.explain import GOAL_INFO, figure_info
from hubbub.goals.explain import format_value as format_goal_value
from hubbub.report.model import Figure, Report
from hubbub.store.insight_views import Count

__all__ = [
    "CSP",
    "NAMES",
    "change_text",
    "goal_label",
    "goal_title",
    "goal_value",
    "render_html",
]

TEMPLATES = Path(__file__).resolve().parent / "templates"
CSS = (TEMPLATES / "report.css").read_text(encoding="utf-8")
CSP = (
    "default-src 'none'; "
    f"style-src 'sha256-{base64.b64encode(hashlib.sha256(CSS.encode()).digest()).decode()}'; "
    "img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
LEVELS = {"bad": 0, "warn": 1, "info": 2, "good": 3}
MARKS = {"good": "✓", "warn": "!", "bad": "✗", "info": "·"}

#: display names of the values the 5W+H+E tables group by
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


def goal_title(goal: str) -> tuple[str, str]:
    """A goal's title and what it measures, as the Goals page says them."""
    info = GOAL_INFO.get(goal)
    return (info.title, info.what) if info else (goal.replace("_", " ").capitalize(), "")


def goal_label(goal: str, figure: str) -> str:
    """A goal figure's label, as the Goals page gives it (:mod:`hubbub.goals.explain`)."""
    if goal in GOAL_INFO:
        return figure_info(goal, figure).label
    return figure.replace("_", " ").capitalize()  # a goal the Goals page does not know yet


def goal_value(goal: str, figure: str, value: float | None) -> str:
    """A goal figure's value as the Goals page shows it: ``42%``, ``3.5 h``, ``1,204``."""
    kind = figure_info(goal, figure).kind if goal in GOAL_INFO else "ratio"
    return format_goal_value(kind, value)


def _network(name: str) -> str:
    return NAMES.get(name, name.capitalize() if name else name)


def _direction(change: float, higher_is_better: bool) -> str:
    if abs(change) < 1e-12:
        return "flat"
    up = change > 0
    good = up == higher_is_better
    return f"{'up' if up else 'down'} {'good' if good else 'bad'}"


def change_text(figure: Figure) -> tuple[str, str]:
    """(text, CSS classes) of a figure's change against the previous window."""
    if figure.value is None:
        return "", "flat"
    if figure.previous is None or figure.change is None:
        return "nothing to compare with", "flat"
    better = figure.key != "negative"
    if figure.kind == "share":
        points = figure.change * 100
        text = f"{points:+.0f} pts" if abs(points) >= 0.5 else "no change"
        return f"{text} vs previous", _direction(round(points), better)
    delta = int(figure.change)
    if figure.relative is None:
        text = f"{delta:+,}" if delta else "no change"
    else:
        pct = figure.relative * 100
        shown = f"{pct:+.1f}%" if abs(pct) < 9.95 else f"{pct:+.0f}%"
        text = f"{shown} ({delta:+,})" if delta else "no change"
    return f"{text} vs previous", _direction(delta, better)


def figure_value(figure: Figure) -> str:
    if figure.value is None:
        return "–"
    if figure.kind == "share":
        return charts.percent(figure.value)
    return f"{int(figure.value):,}"


def _local(moment: datetime, tz: str) -> str:
    local = moment.astimezone(ZoneInfo(tz))
    return f"{local:%a %b} {local.day}, {local:%H:%M}"


def _rows(found: Sequence[Count], total: int) -> list[dict[str, Any]]:
    return [
        {
            "label": NAMES.get(c.value, c.value),
            "count": c.mentions,
            "share": charts.percent(c.mentions / total) if total else "–",
            "positive": c.positive,
            "negative": c.negative,
        }
        for c in found
    ]


def _charts(report: Report) -> dict[str, Markup]:
    colors = {
        s.name: charts.PALETTE[i % len(charts.PALETTE)] for i, s in enumerate(report.series.series)
    }
    days = report.series.days
    labels = [f"{d:%b} {d.day}" for d in days]
    shown = [s for s in report.series.series if s.total > 0] or list(report.series.series)
    out: dict[str, Markup] = {}
    out["over_time"] = charts.line_chart(
        labels,
        [charts.Line(s.name, s.counts, colors[s.name]) for s in shown],
        chart_id="report-over-time",
        title=f"Mentions per day by stream, {report.window.label}",
        desc="; ".join(f"{s.name}: {s.total:,} mentions" for s in shown) or "No streams.",
        width=900,
        height=210,
        max_labels=10,
        partial_last=report.created < report.window.until,
    )
    t = report.totals
    parts = (("positive", t.positive), ("neutral", t.neutral), ("negative", t.negative))
    out["sentiment"] = charts.stacked_bar(
        [
            charts.Bar(
                label.capitalize(),
                n,
                charts.SENTIMENT_COLORS[label],
                f"{n:,} ({charts.percent(n / t.mentions) if t.mentions else '–'})",
            )
            for label, n in parts
        ],
        chart_id="report-sentiment",
        title="Sentiment of mentions",
        desc=", ".join(f"{label}: {n:,}" for label, n in parts),
        width=900,
        height=26,
    )
    if report.voice:
        out["voice"] = charts.bar_chart(
            [
                charts.Bar(
                    v.stream,
                    v.mentions,
                    colors.get(v.stream, "#444"),
                    f"{v.mentions:,} · {charts.percent(v.share)}",
                )
                for v in report.voice
            ],
            chart_id="report-voice",
            width=420,
            row=34,
            title="Share of voice: the business against its competitors",
            desc=", ".join(f"{v.stream}: {charts.percent(v.share)}" for v in report.voice),
        )
    hours = report.insight.hours
    out["hours"] = charts.heatmap(
        WEEKDAYS,
        [f"{h:02d}" for h in range(24)],
        [hours[d * 24 : d * 24 + 24] for d in range(7)],
        chart_id="report-hours",
        title="Mentions per hour of the week",
        desc=f"Local hours in {report.window.tz}; the darker, the busier.",
        width=900,
    )
    intents = report.insight.intents
    out["intents"] = charts.bar_chart(
        [
            charts.Bar(
                NAMES.get(c.value, c.value), c.mentions, charts.PALETTE[0], f"{c.mentions:,}"
            )
            for c in intents
        ],
        chart_id="report-why",
        width=420,
        row=34,
        title="Why they posted: mentions per intent",
        desc=", ".join(f"{c.value}: {c.mentions}" for c in intents) or "No intents.",
    )
    out["legend"] = Markup(
        "".join(
            f'<li><svg viewBox="0 0 10 10" aria-hidden="true"><rect width="10" height="10" '
            f'rx="2" fill="{colors[s.name]}"/></svg>{Markup.escape(s.name)}</li>'
            for s in shown
        )
    )
    return out


def _busiest(hours: Sequence[int]) -> str:
    if not any(hours):
        return ""
    peak = max(range(len(hours)), key=lambda i: (hours[i], -i))
    return f"{WEEKDAYS[peak // 24]} {peak % 24:02d}:00–{(peak % 24 + 1) % 24:02d}:00"


def _audit(report: Report) -> dict[str, Any] | None:
    if report.audit is None:
        return None
    figures = report.audit.figures
    account = figures.get("account", {})
    change = figures.get("changes", {})
    mix, target = account.get("voice_mix", {}) or {}, figures.get("target_mix", {}) or {}
    recs = sorted(report.audit.recommendations, key=lambda r: LEVELS.get(r.get("level", ""), 4))
    return {
        "created": report.audit.created,
        "days": report.audit.window,
        "rows": [
            (label, format_value(name, account.get(name)), format_change(name, change.get(name)))
            for name, label in AUDIT_LABELS.items()
            if name in account
        ],
        "mix": [
            (v, charts.percent(mix.get(v, 0) or 0), charts.percent(target.get(v, 0) or 0))
            for v in ("promotion", "conversation", "sharing")
        ],
        "recs": [
            (r.get("level", "info"), MARKS.get(r.get("level", ""), "·"), r["text"]) for r in recs
        ],
    }


_env = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["thousands"] = lambda n: f"{int(n):,}"
_env.filters["percent"] = charts.percent
_env.filters["network"] = _network


def render_html(report: Report) -> str:
    """The report as one HTML document (UTF-8 text) that loads nothing from anywhere."""
    tz = report.window.tz
    figures = [(f, figure_value(f), *change_text(f)) for f in report.figures]
    v = report.insight
    total = v.totals.mentions
    return _env.get_template("report.html").render(
        r=report,
        ws=report.workspace,
        css=Markup(CSS),
        figures=figures,
        chart=_charts(report),
        created=_local(report.created, tz),
        previous=report.window.previous.label,
        local=lambda moment: _local(moment, tz),
        handle=lambda name, network: name if network == "rss" or not name else f"@{name}",
        rows=lambda found, whole=total: _rows(found, whole),
        busiest=_busiest(v.hours),
        engagement_per=(v.totals.engagement / total) if total else None,
        goal_title=goal_title,
        goal_label=goal_label,
        goal_value=goal_value,
        audit=_audit(report),
        names=NAMES,
    )
