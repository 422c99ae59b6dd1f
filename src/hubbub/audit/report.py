"""One dated audit of a workspace: gather, compute, check owned content, store.

:func:`run_audit` is the one function behind ``hubbub audit report`` and the Audit
page's "Run audit now": it reads the window and the one before it from the store
(:mod:`hubbub.store.audit`), judges the followers with the authenticity classifier,
computes the figures and recommendations (:mod:`hubbub.audit.account`), optionally
reads the blog feed and crawls the website (:mod:`hubbub.audit.content`), and
stores the report. The stored JSON is what every view renders, so a report reads
the same in the terminal, as JSON, as HTML and on the page.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx

from hubbub.audit.account import (
    TARGET_MIX,
    AccountFigures,
    Audience,
    Level,
    Recommendation,
    account_figures,
    changes,
    recommend,
)
from hubbub.audit.content import ContentReport, Finding, audit_content, make_client
from hubbub.audit.followers import judge
from hubbub.model import Workspace
from hubbub.store import Store, workspace_id
from hubbub.store import audit as store_audit

__all__ = [
    "CONTENT_ADVICE",
    "AuditError",
    "Report",
    "content_recommendations",
    "run_audit",
]


class AuditError(Exception):
    """The audit cannot run (e.g. the workspace is not in the store); one line."""


def _plural(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


#: what to say about each kind of owned-content finding, given the findings
CONTENT_ADVICE: dict[str, Callable[[list[Finding]], str]] = {
    "spelling": lambda f: (
        _plural(len(f), "possible spelling mistake", "possible spelling mistakes")
        + ": typos on your own site cost trust."
    ),
    "broken_link": lambda f: (
        _plural(len(f), "broken link", "broken links") + ": fix or remove them."
    ),
    "small_image": lambda f: (
        _plural(len(f), "image is", "images are")
        + " too small to be shown large: use bigger originals."
    ),
    "blurry_image": lambda f: (
        _plural(len(f), "blurry image", "blurry images") + ": replace them with sharp photos."
    ),
    "missing_alt": lambda f: (
        _plural(len(f), "image has", "images have")
        + " no alt text: describe them for screen readers and search."
    ),
    "contact": lambda f: (
        "Missing from the site: "
        + ", ".join(x.item for x in f)
        + ". Say how to reach you, where you are and when you are open."
    ),
    "newsletter": lambda f: "No newsletter sign-up: a mailing list is an audience you own.",
    "social_link": lambda f: (
        "The site does not link to your "
        + ", ".join(x.item for x in f)
        + (" profile." if len(f) == 1 else " profiles.")
    ),
}


@dataclass(frozen=True, slots=True)
class Report:
    workspace: str
    created: datetime
    days: int
    since: datetime
    until: datetime
    figures: AccountFigures
    previous: AccountFigures
    recommendations: list[Recommendation]
    content: ContentReport | None
    id: int | None = None

    def figures_json(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "account": self.figures.to_json(),
            "previous": self.previous.to_json(),
            "changes": changes(self.figures, self.previous),
            "target_mix": dict(TARGET_MIX),
            "content": self.content.to_json() if self.content else None,
        }

    def recommendations_json(self) -> list[dict[str, Any]]:
        return [r.to_json() for r in self.recommendations]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "workspace": self.workspace,
            "created": self.created.isoformat(),
            "window": self.days,
            "figures": self.figures_json(),
            "recommendations": self.recommendations_json(),
        }


def content_recommendations(content: ContentReport) -> list[Recommendation]:
    """One recommendation per kind of finding (with its count), the blog's, and the errors."""
    out: list[Recommendation] = []
    if content.blog is not None:
        b = content.blog
        out.append(Recommendation("blog", b.level, b.text, b.days_since_last))
    for kind, found in content.by_kind().items():
        level: Level = "bad" if any(f.level == "bad" for f in found) else "warn"
        advice = CONTENT_ADVICE.get(kind)
        text = advice(found) if advice else f"{len(found):,} × {kind.replace('_', ' ')}."
        out.append(Recommendation(kind, level, text, float(len(found))))
    if content.pages and not content.findings:
        out.append(
            Recommendation("website", "good", f"No problems found on {content.pages} pages.", 0.0)
        )
    for line in content.errors[:5]:
        out.append(Recommendation("website", "info", f"Could not check: {line}"))
    return out


def _audience(
    verdicts: dict[str, bool], first_seen: dict[str, datetime], until: datetime
) -> Audience:
    good = bad = 0
    for key, ok in verdicts.items():
        if first_seen[key] < until:
            if ok:
                good += 1
            else:
                bad += 1
    return Audience(good + bad, good, bad)


def _own_hosts(workspace: Workspace, profile_urls: list[str]) -> list[str]:
    """The business's own sites: hubbub.toml's website and blog, and its profiles' links."""
    hosts = []
    for url in (workspace.website, workspace.blog_feed, *profile_urls):
        host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
        if host:
            hosts.append(host)
    return hosts


def run_audit(
    store: Store,
    workspace: Workspace,
    *,
    now: datetime | None = None,
    days: int = 30,
    crawl: bool = True,
    client: httpx.Client | None = None,
    max_pages: int = 30,
    delay: float = 0.2,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[int, int], None] | None = None,
    save: bool = True,
) -> Report:
    """Audit ``workspace`` over the last ``days`` days (and the ``days`` before, for the
    trend); with ``crawl``, also its blog feed and website. Stores the report when
    ``save``. Raises :class:`AuditError` when the workspace is not in the store."""
    if days < 1:
        raise AuditError(f"--days must be at least 1, not {days}")
    now = now or datetime.now(UTC)
    until, since = now, now - timedelta(days=days)
    before = since - timedelta(days=days)
    with store.connect() as conn:
        ws_id = workspace_id(conn, workspace.slug)
        if ws_id is None:
            raise AuditError(
                f"workspace {workspace.slug!r} is not in the store: run hubbub import or demo first"
            )
        followers = store_audit.follower_accounts(conn, ws_id, until)
        profile_urls = store_audit.own_profile_urls(conn, workspace.handles)
        windows = []
        for start, end in ((since, until), (before, since)):
            windows.append(
                (
                    store_audit.own_posts(conn, ws_id, workspace.handles, start, end),
                    store_audit.inbox_times(conn, ws_id, start, end),
                    store_audit.mentions_needing_reply(conn, ws_id, workspace.handles, start, end),
                )
            )
    verdicts: dict[str, bool] = {}
    first_seen: dict[str, datetime] = {}
    if followers:
        accounts = [f.account for f in followers]
        for follower, verdict in zip(followers, judge(accounts, now, explain=0), strict=True):
            key = f"{follower.account.network}:{follower.account.id}"
            verdicts[key] = verdict.authentic
            first_seen[key] = follower.first_seen
    common: dict[str, Any] = {
        "timezone": workspace.timezone,
        "own_hosts": _own_hosts(workspace, profile_urls),
        "own_handles": list(workspace.handles.values()),
        "own_words": [workspace.name, *workspace.products],
    }
    (posts, inbox, asked), (p_posts, p_inbox, p_asked) = windows
    current = account_figures(
        posts,
        _audience(verdicts, first_seen, until),
        inbox,
        asked,
        since=since,
        until=until,
        **common,
    )
    previous = account_figures(
        p_posts,
        _audience(verdicts, first_seen, since),
        p_inbox,
        p_asked,
        since=before,
        until=since,
        **common,
    )
    recs = recommend(
        current,
        previous,
        target_hours=workspace.response_target_hours,
        timezone=workspace.timezone,
    )
    content: ContentReport | None = None
    if crawl and (workspace.website or workspace.blog_feed):
        own_client = client is None
        http = client or make_client()
        try:
            content = audit_content(
                workspace,
                now,
                http,
                crawl_site=True,
                max_pages=max_pages,
                delay=delay,
                sleep=sleep,
                progress=progress,
            )
        finally:
            if own_client:
                http.close()
        recs += content_recommendations(content)
    report = Report(workspace.slug, now, days, since, until, current, previous, recs, content)
    if not save:
        return report
    with store.begin() as conn:
        report_id = store_audit.save_report(
            conn, ws_id, now, days, report.figures_json(), report.recommendations_json()
        )
    return Report(
        workspace.slug, now, days, since, until, current, previous, recs, content, report_id
    )
