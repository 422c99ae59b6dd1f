"""The tracked-link redirect: ``GET /l/{code}``, no login.

It answers 302 to the link's destination (with its UTM parameters) and records the
click (one insert, robots left out; see :mod:`hubbub.publish.links`); an unknown code
answers 404. The response may not be cached, so every click reaches hubbub.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import RedirectResponse

from hubbub.publish.links import click
from hubbub.web.deps import StoreDep

__all__ = ["router"]

router = APIRouter()


@router.get("/l/{code}")
def follow(code: str, request: Request, store: StoreDep) -> Response:
    now: datetime = request.app.state.clock()
    destination = click(
        store,
        code,
        referrer=request.headers.get("referer", ""),
        user_agent=request.headers.get("user-agent", ""),
        now=now,
    )
    if destination is None:
        raise HTTPException(status_code=404, detail="No such link")
    return RedirectResponse(destination, status_code=302, headers={"Cache-Control": "no-store"})
