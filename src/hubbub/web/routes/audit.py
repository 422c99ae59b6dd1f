"""The Audit page: the latest dated audit, its trends, and "Run audit now".

The page renders the newest stored report (:mod:`hubbub.store.audit`) and draws the
history as charts (:mod:`hubbub.web.charts`); it computes no figure of its own.
Running an audit calls :func:`hubbub.audit.report.run_audit`, the same function as
``hubbub audit report``, in a background thread, because a crawl of the website
takes a while: the page shows the run's state and, while it runs, refreshes itself
every few seconds with a ``<meta http-equiv="refresh">`` (no JavaScript needed).
Only a manager or the owner may start a run; one run per workspace at a time.
The state of runs lives in the process (``app.state.audit_runs``): a restart
forgets a run in progress, which is harmless since its report is stored at the end.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

import httpx
from fastapi import APIRouter, Form, HTTPException, Request, Response
from fastapi.responses import RedirectResponse
from markupsafe import Markup

from hubbub.audit.render import FIGURE_LABELS, format_change, format_value
from hubbub.audit.report import AuditError, run_audit
from hubbub.store import load_workspace
from hubbub.store.audit import StoredReport, latest_report, report_history
from hubbub.store.users import user_workspaces
from hubbub.web import charts
from hubbub.web.deps import (
    ROLE_RANK,
    ConnDep,
    CurrentUser,
    CurrentWorkspace,
    StoreDep,
    require_role,
)
from hubbub.web.pages import render

__all__ = ["AuditRuns", "RunState", "audit_runs", "router"]

router = APIRouter()

VOICE_COLORS = {"promotion": "#D55E00", "conversation": "#0072B2", "sharing": "#009E73"}
LEVEL_WORDS = {"good": "Good", "warn": "Needs attention", "bad": "Act now", "info": "Note"}
#: the order of the owned-content groups on the page
CONTENT_KINDS = (
    "broken_link",
    "spelling",
    "contact",
    "newsletter",
    "social_link",
    "small_image",
    "blurry_image",
    "missing_alt",
)
CONTENT_TITLES = {
    "broken_link": "Broken links",
    "spelling": "Possible spelling mistakes",
    "contact": "Contact details",
    "newsletter": "Newsletter sign-up",
    "social_link": "Links to your social profiles",
    "small_image": "Images too small",
    "blurry_image": "Blurry images",
    "missing_alt": "Images without alt text",
}


@dataclass(slots=True)
class RunState:
    state: str  # running, done, failed
    started: datetime
    crawl: bool
    finished: datetime | None = None
    message: str = ""
    thread: threading.Thread | None = field(default=None, repr=False)


class AuditRuns:
    """The audit runs of this process, one at a time per workspace."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs: dict[int, RunState] = {}

    def get(self, workspace_id: int) -> RunState | None:
        with self._lock:
            return self._runs.get(workspace_id)

    def start(self, workspace_id: int, state: RunState, work: Callable[[], str]) -> bool:
        """Start ``work`` in a thread unless a run is going; False if one is."""
        with self._lock:
            current = self._runs.get(workspace_id)
            if current is not None and current.state == "running":
                return False
            self._runs[workspace_id] = state

        def target() -> None:
            try:
                message, outcome = work(), "done"
            except AuditError as exc:
                message, outcome = str(exc), "failed"
            except Exception as exc:  # the page must say that a run failed
                message, outcome = f"{type(exc).__name__}: {exc}", "failed"
            with self._lock:
                state.state, state.message = outcome, message
                state.finished = datetime.now(state.started.tzinfo)

        state.thread = threading.Thread(target=target, name=f"audit-{workspace_id}", daemon=True)
        state.thread.start()
        return True

    def wait(self, workspace_id: int, timeout: float = 60.0) -> RunState | None:
        """Block until the workspace's run ends (tests, shutdown)."""
        state = self.get(workspace_id)
        if state is not None and state.thread is not None:
            state.thread.join(timeout)
        return state


def audit_runs(request: Request) -> AuditRuns:
    """The app's run registry, made on first use."""
    runs: AuditRuns | None = getattr(request.app.state, "audit_runs", None)
    if runs is None:
        runs = AuditRuns()
        request.app.state.audit_runs = runs
    return runs


def _trend_charts(history: list[StoredReport]) -> list[tuple[str, Markup, list[charts.Line]]]:
    if len(history) < 2:
        return []
    labels = [f"{h.created:%b} {h.created.day}" for h in history]

    def series(name: str, scale: float = 1.0) -> list[int]:
        out = []
        for h in history:
            value = h.figures.get("account", {}).get(name)
            out.append(round(value * scale) if isinstance(value, (int, float)) else 0)
        return out

    def voice(v: str) -> list[int]:
        return [
            round(h.figures.get("account", {}).get("voice_mix", {}).get(v, 0) * 100)
            for h in history
        ]

    lines_pct = [
        charts.Line("Questionable followers %", series("share_questionable", 100), "#D55E00"),
        charts.Line("Questions answered %", series("asked_answered_share", 100), "#0072B2"),
        charts.Line("Conversation %", voice("conversation"), "#009E73"),
    ]
    lines_cadence = [
        charts.Line("Posts per week", series("posts_per_week"), "#0072B2"),
        charts.Line("Engagement per post", series("engagement_per_post"), "#CC79A7"),
    ]
    out = []
    for chart_id, title, lines in (
        ("trend-shares", "Audience, answers and conversation over audits (%)", lines_pct),
        ("trend-cadence", "Posts per week and engagement per post over audits", lines_cadence),
    ):
        desc = "; ".join(f"{line.label}: " + ", ".join(map(str, line.values)) for line in lines)
        out.append(
            (
                title,
                charts.line_chart(
                    labels, lines, chart_id=chart_id, title=title, desc=desc, width=480, height=220
                ),
                lines,
            )
        )
    return out


def _view(report: StoredReport) -> dict[str, Any]:
    figures = report.figures
    account = figures.get("account", {})
    change = figures.get("changes", {})
    authentic = account.get("followers_authentic", 0)
    questionable = account.get("followers_questionable", 0)
    followers_chart = charts.stacked_bar(
        [
            charts.Bar("Authentic", authentic, "#009E73", f"{authentic:,}"),
            charts.Bar("Questionable", questionable, "#D55E00", f"{questionable:,}"),
        ],
        chart_id="followers",
        title="Followers: authentic and questionable",
        desc=f"Authentic: {authentic:,}; questionable: {questionable:,}",
    )
    mix, target = account.get("voice_mix", {}), figures.get("target_mix", {})

    def mix_bar(chart_id: str, title: str, values: dict[str, float]) -> Markup:
        return charts.stacked_bar(
            [
                charts.Bar(
                    v.capitalize(),
                    values.get(v, 0),
                    VOICE_COLORS[v],
                    f"{values.get(v, 0) * 100:.0f}%",
                )
                for v in VOICE_COLORS
            ],
            chart_id=chart_id,
            title=title,
            desc=", ".join(f"{v}: {values.get(v, 0) * 100:.0f}%" for v in VOICE_COLORS),
        )

    order = {"bad": 0, "warn": 1, "info": 2, "good": 3}
    recs = sorted(report.recommendations, key=lambda r: order.get(r.get("level", ""), 4))
    level_of = {r["figure"]: r["level"] for r in recs}
    rows = [
        {
            "name": name,
            "label": label,
            "value": format_value(name, account.get(name)),
            "change": change.get(name),
            "change_text": format_change(name, change.get(name)),
            "level": level_of.get(name, ""),
        }
        for name, label in FIGURE_LABELS.items()
    ]
    content = figures.get("content")
    groups: list[tuple[str, str, list[dict[str, Any]]]] = []
    if content:
        by_kind: dict[str, list[dict[str, Any]]] = {}
        for f in content.get("findings", []):
            by_kind.setdefault(f["kind"], []).append(f)
        for kind in (*CONTENT_KINDS, *sorted(set(by_kind) - set(CONTENT_KINDS))):
            if kind in by_kind:
                groups.append((kind, CONTENT_TITLES.get(kind, kind), by_kind[kind]))
    return {
        "account": account,
        "rows": rows,
        "recommendations": recs,
        "followers_chart": followers_chart,
        "voice_chart": mix_bar("voice-mix", "Voice of your posts", mix),
        "target_chart": mix_bar("voice-target", "Target voice mix", target),
        "voice_rows": [
            (v, mix.get(v, 0), target.get(v, 0), account.get("voice_counts", {}).get(v, 0))
            for v in VOICE_COLORS
        ],
        "voice_colors": VOICE_COLORS,
        "content": content,
        "groups": groups,
        "since": figures.get("since", ""),
        "until": figures.get("until", ""),
    }


@router.get("/w/{slug}/audit")
def audit_page(
    request: Request,
    access: CurrentWorkspace,
    user: CurrentUser,
    conn: ConnDep,
    done: str | None = None,
) -> Response:
    ws = access.workspace
    report = latest_report(conn, ws.id)
    history = report_history(conn, ws.id, limit=24)
    run = audit_runs(request).get(ws.id)
    context: dict[str, Any] = {
        "workspace": ws,
        "workspaces": user_workspaces(conn, user.user.id),
        "role": access.role,
        "can_run": ROLE_RANK.get(access.role, -1) >= ROLE_RANK["manager"],
        "report": report,
        "history": history,
        "trends": _trend_charts(history),
        "run": run,
        "done": (done or "")[:200],
        "level_words": LEVEL_WORDS,
    }
    if report is not None:
        context.update(_view(report))
    return render(request, "audit.html", context)


@router.post("/w/{slug}/audit/run")
def audit_run(
    request: Request,
    access: CurrentWorkspace,
    user: CurrentUser,
    store: StoreDep,
    crawl: Annotated[str, Form()] = "",
) -> Response:
    require_role(access, "manager")
    ws_info = access.workspace
    with store.connect() as conn:
        workspace = load_workspace(conn, ws_info.slug)
    if workspace is None:
        raise HTTPException(status_code=404, detail="No such workspace")
    now: datetime = request.app.state.clock()
    wants_crawl = crawl == "on"
    client_factory: Callable[[], httpx.Client] | None = getattr(
        request.app.state, "audit_client", None
    )

    def work() -> str:
        client = client_factory() if client_factory is not None and wants_crawl else None
        try:
            report = run_audit(store, workspace, now=now, crawl=wants_crawl, client=client)
        finally:
            if client is not None:
                client.close()
        pages = f", {report.content.pages} pages checked" if report.content else ""
        return f"Audit stored{pages}."

    started = audit_runs(request).start(ws_info.id, RunState("running", now, wants_crawl), work)
    message = "Audit started." if started else "An audit is already running."
    target = f"/w/{ws_info.slug}/audit?" + urlencode({"done": message})
    return RedirectResponse(target, status_code=303)
