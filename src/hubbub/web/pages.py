"""Rendering a page: the template plus what every page needs (user, CSRF token, nav)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

__all__ = ["NAV", "render"]

#: The pages of the workbench, as (label, path below /w/{slug}/); ``None`` marks a
#: page not built yet, shown disabled so the layout already has its final shape.
NAV: tuple[tuple[str, str | None], ...] = (
    ("Overview", ""),
    ("Streams", "streams"),
    ("Mentions", "mentions"),
    ("Insight", "insight"),
    ("Inbox", "inbox"),
    ("Audit", "audit"),
    ("Publish", "publish"),
    ("Goals", "goals"),
    ("Settings", "settings"),
)


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    """Render ``name`` with the session, its CSRF token and the nav in the context."""
    templates: Jinja2Templates = request.app.state.templates
    session = getattr(request.state, "session_user", None)
    base: dict[str, Any] = {
        "session": session,
        "csrf_token": session.csrf_token if session is not None else "",
        "nav": NAV,
        "asset_version": request.app.state.asset_version,
    }
    base.update(context or {})
    return templates.TemplateResponse(request, name, base, status_code=status_code)
