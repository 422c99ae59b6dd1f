"""The Report link: the workspace's report for a window, as the same HTML ``hubbub report``
writes (:func:`hubbub.report.render_html`), to read, save or print from the browser.

The window is the Overview's (``?days=7|30|90``: today and the days before it) or
whole days given as ``?from=YYYY-MM-DD&to=YYYY-MM-DD``. The document carries its own
style sheet inline, so it is served under :data:`hubbub.report.CSP`, which allows that
one style sheet by its hash and nothing else (no scripts, no requests). Login is
required, and another workspace's report is a 404 like every page of it.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse

from hubbub.report import (
    CSP,
    WindowError,
    build_report,
    dates_window,
    last_days,
    parse_day,
    render_html,
)
from hubbub.web.deps import ConnDep, CurrentWorkspace
from hubbub.web.routes.overview import DAY_CHOICES, DEFAULT_DAYS

__all__ = ["router"]

router = APIRouter()


@router.get("/w/{slug}/report")
def report_page(
    request: Request,
    access: CurrentWorkspace,
    conn: ConnDep,
    days: str | None = None,
    first: Annotated[str | None, Query(alias="from")] = None,
    last: Annotated[str | None, Query(alias="to")] = None,
) -> Response:
    ws = access.workspace
    now = request.app.state.clock()
    try:
        if first or last:
            if not (first and last):
                raise WindowError("give both from and to, as YYYY-MM-DD")
            start: date = parse_day(first, "from")
            window = dates_window(start, parse_day(last, "to"), ws.timezone)
        else:
            chosen = int(days) if days and days.isdigit() else DEFAULT_DAYS
            window = last_days(now, chosen if chosen in DAY_CHOICES else DEFAULT_DAYS, ws.timezone)
    except WindowError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None
    made = build_report(conn, ws.slug, window, now=now)
    return HTMLResponse(render_html(made), headers={"Content-Security-Policy": CSP})
