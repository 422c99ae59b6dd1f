"""The Goals page: a panel per goal with its figures, trend and what to do; leads and codes.

``GET /w/{slug}/goals?days=30`` renders :func:`hubbub.goals.measure_trends` (the function
``hubbub goals`` prints) over whole local days, like the Overview's window; each
panel's figures come with their plain meaning (:mod:`hubbub.goals.explain`), the change
against the window before and a small column chart of the headline per day or week
(:func:`hubbub.web.charts.column_chart`). Nothing is computed here.

Forms, each with the session's CSRF token: a lead's status (any member: staff work
leads as they work the inbox; htmx swaps the lead's row, without JavaScript the page
reloads), and declaring or removing a promo code (manager or owner). Changes go
through :mod:`hubbub.goals.leads` and :mod:`hubbub.store.goals`, which audit them; a
lead or code of another workspace answers 404.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, HTTPException, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import Connection

from hubbub import configure
from hubbub.days import day_bound, days_text
from hubbub.goals import GoalTrend, measure_trends
from hubbub.goals.explain import GOAL_INFO, figure_info, format_change, format_value, hint
from hubbub.goals.leads import contact_time, set_status, status_of
from hubbub.store import load_workspace
from hubbub.store.goals import (
    LEAD_STATUSES,
    GoalStoreError,
    LeadRow,
    add_promo_code,
    delete_promo_code,
    lead_of_item,
    lead_rows,
)
from hubbub.store.inbox import AuditEntry, audit_entries
from hubbub.store.users import user_workspaces
from hubbub.team import allowed, least_role
from hubbub.web import charts
from hubbub.web.deps import ConnDep, CurrentUser, CurrentWorkspace, StoreDep, require_role
from hubbub.web.pages import render
from hubbub.web.routes.overview import DAY_CHOICES, DEFAULT_DAYS, window_for

__all__ = ["item_history", "lead_for_item", "router"]

router = APIRouter()

LEADS_SHOWN = 15
GOAL_COLORS = dict(
    zip(
        ("traffic", "promotions", "leads", "visits", "events", "customer_service", "loyalty"),
        charts.PALETTE,
        strict=False,
    )
)
STATUS_WORDS = {"open": "Open", "contacted": "Contacted", "won": "Won", "lost": "Lost"}


def _days(raw: str | None) -> int:
    try:
        value = int(raw or DEFAULT_DAYS)
    except ValueError:
        return DEFAULT_DAYS
    return value if value in DAY_CHOICES else DEFAULT_DAYS


def _target(conn: Connection, slug: str, ws_id: int) -> float:
    ws = load_workspace(conn, slug)
    default = ws.response_target_hours if ws is not None else 4.0
    return configure.response_target_hours(conn, ws_id, default)


def _bucket_label(start: datetime, tz: str) -> str:
    local = start.astimezone(ZoneInfo(tz))
    return f"{local:%b} {local.day}"


def _panel(trend: GoalTrend, tz: str, target: float) -> dict[str, Any]:
    """What the template shows for one goal: rows of figures, the headline, the chart."""
    name = trend.goal.name
    info = GOAL_INFO[name]
    headline = trend.headline
    head_info = figure_info(name, headline.figure)
    rows = []
    for figure, value in trend.goal.figures.items():
        fi = figure_info(name, figure)
        change = trend.change(figure)
        rows.append(
            {
                "name": figure,
                "label": fi.label,
                "meaning": fi.meaning,
                "value": format_value(fi.kind, value),
                "previous": format_value(fi.kind, trend.previous.figures.get(figure)),
                "change": change,
                "change_text": format_change(change),
            }
        )
    daily = len(trend.buckets) > 1 and trend.buckets[1] - trend.buckets[0] <= timedelta(days=1)
    labels = [_bucket_label(b, tz) for b in trend.buckets]
    scale = 100.0 if head_info.kind == "share" else 1.0
    values = [None if v is None else v * scale for v in trend.values]
    texts = [format_value(head_info.kind, v) for v in trend.values]
    unit = "per day" if daily else "per week"
    title = f"{head_info.label} {unit}" + (" (%)" if scale != 1 else "")
    desc = "; ".join(f"{label}: {text}" for label, text in zip(labels, texts, strict=True))
    chart = charts.column_chart(
        labels,
        values,
        chart_id=f"trend-{name}",
        title=title,
        desc=desc or "No data.",
        color=GOAL_COLORS.get(name, charts.PALETTE[0]),
        texts=texts,
        width=360,
        height=150,
        max_labels=6,
        partial_last=True,
    )
    change = trend.change(headline.figure)
    good = None
    if change:
        good = (change > 0) == (headline.better == "up")
    direction = "same" if change == 0 else ("up" if change and change > 0 else "down")
    return {
        "name": name,
        "title": info.title,
        "what": info.what,
        "rows": rows,
        "headline_label": head_info.label,
        "headline_value": format_value(head_info.kind, trend.goal.figures.get(headline.figure)),
        "headline_previous": format_value(
            head_info.kind, trend.previous.figures.get(headline.figure)
        ),
        "headline_change": format_change(change).lstrip("+-"),
        "headline_direction": direction,
        "headline_good": good,
        "chart": chart,
        "chart_title": title,
        "hint": hint(trend.goal, trend.previous, target),
        "details": trend.details,
    }


def lead_view(lead: LeadRow) -> dict[str, Any]:
    """A lead as the list shows it: its current status and when it was contacted."""
    return {"lead": lead, "status": status_of(lead), "contacted": contact_time(lead)}


@router.get("/w/{slug}/goals")
def goals_page(
    request: Request,
    access: CurrentWorkspace,
    user: CurrentUser,
    conn: ConnDep,
    days: str | None = None,
    done: str = "",
    error: str = "",
) -> Response:
    ws = access.workspace
    window = window_for(request.app.state.clock(), _days(days), ws.timezone)
    target = _target(conn, ws.slug, ws.id)
    trends = measure_trends(conn, ws.id, window.since, window.until, target, tz=ws.timezone)
    panels = [_panel(t, ws.timezone, target) for t in trends]
    by_name = {p["name"]: p for p in panels}
    leads = by_name["leads"]["details"].get("leads", [])
    zone = ZoneInfo(ws.timezone)
    last_day = (window.until - timedelta(seconds=1)).astimezone(zone).date()
    first_day = window.since.astimezone(zone).date()
    return render(
        request,
        "goals.html",
        {
            "workspace": ws,
            "workspaces": user_workspaces(conn, user.user.id),
            "role": access.role,
            "window": window,
            "day_choices": DAY_CHOICES,
            "first_day": first_day,
            "last_day": last_day,
            "panels": panels,
            "by_name": by_name,
            "leads": [lead_view(lead) for lead in leads[:LEADS_SHOWN]],
            "leads_total": len(leads),
            "statuses": LEAD_STATUSES,
            "status_words": STATUS_WORDS,
            "can_leads": allowed(access.role, "goals.leads"),
            "can_codes": allowed(access.role, "goals.codes"),
            "target": target,
            "done": done[:200],
            "error": error[:300],
            "event_days": {
                row.stream.id: days_text(row.stream.starts, row.stream.ends, ws.timezone)
                for row in by_name["events"]["details"].get("events", [])
            },
            "code_runs": {
                row.code: days_text(row.declared.starts, row.declared.ends, ws.timezone)
                for row in by_name["promotions"]["details"].get("codes", [])
                if row.declared is not None
            },
        },
    )


def _back(slug: str, days: str, **params: str) -> str:
    query = {"days": str(_days(days)), **{k: v for k, v in params.items() if v}}
    return f"/w/{slug}/goals?{urlencode(query)}"


@router.post("/w/{slug}/goals/leads/{mention_id}/status")
def lead_status(
    request: Request,
    mention_id: int,
    access: CurrentWorkspace,
    user: CurrentUser,
    store: StoreDep,
    status: Annotated[str, Form()] = "",
    days: Annotated[str, Form()] = "",
) -> Response:
    """Set a lead's status; htmx gets the lead's row back, a plain form the page."""
    require_role(access, least_role("goals.leads"))
    ws = access.workspace
    now: datetime = request.app.state.clock()
    try:
        with store.begin() as conn:
            set_status(conn, ws.id, mention_id, status, user.user.id, now=now)
    except GoalStoreError as exc:
        if "not a lead" in str(exc):
            raise HTTPException(status_code=404, detail="No such lead") from None
        if request.headers.get("hx-request"):
            return Response(str(exc), status_code=422)
        return RedirectResponse(_back(ws.slug, days, error=str(exc)), status_code=303)
    if request.headers.get("hx-request"):
        with store.connect() as conn:
            (lead,) = lead_rows(conn, ws.id, mention_id=mention_id)
        return render(
            request,
            "goals_lead.html",
            {
                "workspace": ws,
                "v": lead_view(lead),
                "statuses": LEAD_STATUSES,
                "status_words": STATUS_WORDS,
                "can_leads": True,
                "days": _days(days),
                "saved": True,
            },
        )
    target = _back(ws.slug, days, done=f"Lead marked {status}.") + f"#lead-{mention_id}"
    return RedirectResponse(target, status_code=303)


@router.post("/w/{slug}/goals/codes")
def code_add(
    request: Request,
    access: CurrentWorkspace,
    user: CurrentUser,
    store: StoreDep,
    code: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    starts: Annotated[str, Form()] = "",
    ends: Annotated[str, Form()] = "",
    days: Annotated[str, Form()] = "",
) -> Response:
    require_role(access, least_role("goals.codes"))
    ws = access.workspace
    try:
        try:
            first = day_bound(starts, ws.timezone)
            last = day_bound(ends, ws.timezone, end=True)
        except ValueError as exc:
            raise GoalStoreError(str(exc)) from None
        with store.begin() as conn:
            add_promo_code(
                conn,
                ws.id,
                code,
                description,
                first,
                last,
                user_id=user.user.id,
                now=request.app.state.clock(),
            )
    except GoalStoreError as exc:
        message = str(exc)
        return RedirectResponse(_back(ws.slug, days, error=message) + "#codes", status_code=303)
    done = f"Declared code {code.strip().upper()}."
    return RedirectResponse(_back(ws.slug, days, done=done) + "#codes", status_code=303)


@router.post("/w/{slug}/goals/codes/{code_id}/delete")
def code_delete(
    request: Request,
    code_id: int,
    access: CurrentWorkspace,
    user: CurrentUser,
    store: StoreDep,
    days: Annotated[str, Form()] = "",
) -> Response:
    require_role(access, least_role("goals.codes"))
    ws = access.workspace
    with store.begin() as conn:
        removed = delete_promo_code(
            conn, ws.id, code_id, user_id=user.user.id, now=request.app.state.clock()
        )
    if removed is None:
        raise HTTPException(status_code=404, detail="No such code")
    done = f"Removed code {removed}; its redemptions stay counted."
    return RedirectResponse(_back(ws.slug, days, done=done) + "#codes", status_code=303)


# --- a lead from its inbox item ----------------------------------------------------------


def lead_for_item(conn: Connection, ws_id: int, item_id: int) -> dict[str, Any] | None:
    """The inbox item's lead (its status, when contacted, the statuses to choose), or
    None when the item's mention is not a lead."""
    mention_id = lead_of_item(conn, ws_id, item_id)
    if mention_id is None:
        return None
    found = lead_rows(conn, ws_id, mention_id=mention_id)
    if not found:
        return None
    return {
        "mention_id": mention_id,
        "status": status_of(found[0]),
        "contacted": contact_time(found[0]),
        "statuses": LEAD_STATUSES,
    }


def item_history(conn: Connection, ws_id: int, item_id: int) -> list[AuditEntry]:
    """The item's audit log with its lead's status changes, newest first."""
    entries = audit_entries(conn, ws_id, subject=f"inbox_item:{item_id}")
    mention_id = lead_of_item(conn, ws_id, item_id)
    if mention_id is not None:
        entries += audit_entries(conn, ws_id, subject=f"lead:{mention_id}")
    return sorted(entries, key=lambda e: (e.created, e.id), reverse=True)


@router.post("/w/{slug}/inbox/{item_id}/lead")
def item_lead(
    request: Request,
    item_id: int,
    access: CurrentWorkspace,
    user: CurrentUser,
    store: StoreDep,
    status: Annotated[str, Form()] = "",
) -> Response:
    """Set the status of the lead an inbox item is about; back to the item."""
    require_role(access, least_role("goals.leads"))
    ws = access.workspace
    with store.begin() as conn:
        mention_id = lead_of_item(conn, ws.id, item_id)
        if mention_id is None:
            raise HTTPException(status_code=404, detail="No such lead")
        try:
            set_status(conn, ws.id, mention_id, status, user.user.id, now=request.app.state.clock())
        except GoalStoreError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from None
    return RedirectResponse(f"/w/{ws.slug}/inbox/{item_id}", status_code=303)
