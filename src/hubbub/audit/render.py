"""An audit report as plain text or as one self-contained HTML page.

Both read the report's JSON (:meth:`hubbub.audit.report.Report.to_json`, the same
shape that is stored), so ``hubbub audit report --format text|json|html`` says
exactly what the store holds. The HTML has no scripts and no outside assets, so it
can be mailed or archived as it is.
"""

from __future__ import annotations

from html import escape
from typing import Any

__all__ = ["FIGURE_LABELS", "format_change", "format_value", "render_html", "render_text"]

#: the words for each figure, in the order a report lists them
FIGURE_LABELS: dict[str, str] = {
    "followers": "Followers",
    "followers_authentic": "Authentic followers",
    "followers_questionable": "Questionable followers",
    "share_questionable": "Share questionable",
    "posts": "Own posts",
    "engagement_per_post": "Engagement per post",
    "engagement_per_authentic_follower": "Engagement per authentic follower",
    "inbox_answered_share": "Inbox items answered",
    "median_response_hours": "Median first response (h)",
    "asked_answered_share": "Questions answered on the network",
    "median_reply_hours": "Median reply time (h)",
    "posts_per_week": "Posts per week",
    "longest_silence_days": "Longest silence (days)",
}
_SHARES = frozenset({"share_questionable", "inbox_answered_share", "asked_answered_share"})
_MARK = {"good": "✓", "warn": "!", "bad": "✗", "info": "·"}
_ORDER = {"bad": 0, "warn": 1, "info": 2, "good": 3}


def _by_urgency(recs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Act-now first, then needs-attention, notes, and what is good (stable within each)."""
    return sorted(recs, key=lambda r: _ORDER.get(r.get("level", ""), 4))


def format_value(name: str, value: Any) -> str:
    """A figure as a person reads it: shares as percentages, counts with separators."""
    if value is None:
        return "–"
    if name in _SHARES or name.startswith("voice_"):
        return f"{value * 100:.0f}%"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)


def format_change(name: str, value: Any) -> str:
    """A change against the previous window, signed; shares in percentage points."""
    if value is None:
        return ""
    if name in _SHARES or name.startswith("voice_"):
        return f"{value * 100:+.0f} pts"
    return f"{value:+,.2f}".rstrip("0").rstrip(".")


def render_text(report: dict[str, Any]) -> str:
    """The report for a terminal: figures with their change, then recommendations."""
    figures = report["figures"]
    account = figures["account"]
    change = figures.get("changes", {})
    lines = [
        f"Audit of {report['workspace']}, {report['window']} days to {report['created'][:16]} UTC",
        "",
    ]
    width = max(len(v) for v in FIGURE_LABELS.values())
    for name, label in FIGURE_LABELS.items():
        delta = format_change(name, change.get(name))
        value = format_value(name, account.get(name))
        lines.append(f"  {label:<{width}}  {value:>10}  {delta}".rstrip())
    mix, target = account.get("voice_mix", {}), figures.get("target_mix", {})
    lines.append(
        "  Voice: "
        + ", ".join(
            f"{v} {mix.get(v, 0) * 100:.0f}% (target {target.get(v, 0) * 100:.0f}%)"
            for v in ("promotion", "conversation", "sharing")
        )
    )
    content = figures.get("content")
    if content:
        lines += ["", f"Website {content['website']}: {content['pages']} pages read"]
        for f in content["findings"]:
            lines.append(f"  [{f['kind']}] {f['detail']}  ({f['page']})")
        for e in content["errors"]:
            lines.append(f"  could not check: {e}")
    lines += ["", "Recommendations"]
    for rec in _by_urgency(report["recommendations"]):
        lines.append(f"  {_MARK.get(rec['level'], '·')} {rec['text']}")
    return "\n".join(lines) + "\n"


def render_html(report: dict[str, Any]) -> str:
    """The report as one HTML document with inline CSS and no scripts."""
    figures = report["figures"]
    account = figures["account"]
    change = figures.get("changes", {})
    rows = "".join(
        f"<tr><th scope='row'>{escape(label)}</th>"
        f"<td>{escape(format_value(name, account.get(name)))}</td>"
        f"<td>{escape(format_change(name, change.get(name)))}</td></tr>"
        for name, label in FIGURE_LABELS.items()
    )
    recs = "".join(
        f"<li class='{escape(r['level'])}'>{escape(_MARK.get(r['level'], '·'))} "
        f"{escape(r['text'])}</li>"
        for r in _by_urgency(report["recommendations"])
    )
    content = figures.get("content")
    findings = ""
    if content:
        items = "".join(
            f"<li>[{escape(f['kind'])}] {escape(f['detail'])} "
            f"<a href='{escape(f['page'])}'>{escape(f['page'])}</a></li>"
            for f in content["findings"]
        )
        findings = f"<h2>Website</h2><ul>{items}</ul>"
    title = f"Audit of {report['workspace']}, {report['window']} days"
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><style>"
        "body{font-family:system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}"
        "td,th{padding:.2rem .6rem;text-align:left}.bad{color:#a00}.warn{color:#a60}"
        ".good{color:#070}</style></head><body>"
        f"<h1>{escape(title)}</h1><p>{escape(report['created'])}</p>"
        f"<table><thead><tr><th>Figure</th><th>Value</th><th>Change</th></tr></thead>"
        f"<tbody>{rows}</tbody></table><h2>Recommendations</h2><ul>{recs}</ul>{findings}"
        "</body></html>\n"
    )
