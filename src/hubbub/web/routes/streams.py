"""The Streams page: a workspace's standing searches, and the form to make or change one.

Reads and changes go through :mod:`hubbub.store.streams`; the query is checked by
:func:`hubbub.querycheck.check_query` as it is typed (htmx asks ``/streams/check``
300 ms after the last keystroke and swaps in a small fragment: the error with a caret
under the spot, or the terms, the length against X's limits and a preview on the
latest stored posts from :func:`hubbub.rematch.preview`). Without JavaScript the
form posts as usual and a bad query comes back with the same fragment.

After a stream is made, or its query changes, :func:`hubbub.rematch.rematch` runs the
query over the last 30 days of stored posts, newest first, for up to
:data:`SYNC_SECONDS` before the redirect, so the stream's recent mentions are there
when the page shows the result; what is left of the 30 days goes on in a background
task after the response (the 30-day demo, 9,300 posts, takes 1-1.5 s on an idle
2-core machine, 3-5 s under load: bench/rematch.py). ``hubbub streams rematch
--days`` goes further back.

Everyone in the workspace sees the list; making, editing, pausing and resuming need
the manager role. Streams from hubbub.toml are read-only here: the file is read on
every listener start and would undo a change made in the web.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, BackgroundTasks, Form, HTTPException, Request, Response
from fastapi.responses import RedirectResponse

from hubbub.days import day_bound, day_field, days_text
from hubbub.model import STREAM_KINDS, WINDOWED_KINDS
from hubbub.query import SEARCH_MAX_LENGTH, STREAM_MAX_LENGTH, QueryError
from hubbub.querycheck import check_query
from hubbub.rematch import DEFAULT_DAYS, PREVIEW_POSTS, preview, rematch
from hubbub.store.streams import (
    StreamError,
    StreamRow,
    Window,
    create_stream,
    get_stream,
    list_streams,
    set_paused,
    update_stream,
)
from hubbub.store.users import user_workspaces
from hubbub.web.deps import (
    ROLE_RANK,
    ConnDep,
    CurrentUser,
    CurrentWorkspace,
    StoreDep,
    WorkspaceAccess,
    require_role,
)
from hubbub.web.pages import render

__all__ = ["router"]

router = APIRouter()

EDIT_ROLE = "manager"
MAX_QUERY_INPUT = 4000  # longer input is refused before parsing (the limit is 1,024)
#: seconds of rematching before the page answers; the older posts go on in the background
SYNC_SECONDS = 1.5


def _can_edit(access: WorkspaceAccess) -> bool:
    return ROLE_RANK.get(access.role, -1) >= ROLE_RANK[EDIT_ROLE]


def _list_url(slug: str, message: str = "") -> str:
    return f"/w/{slug}/streams" + ("?" + urlencode({"done": message}) if message else "")


def _rematch(
    request: Request, store: StoreDep, background: BackgroundTasks, slug: str, name: str
) -> str:
    """Match the stream over the stored posts, newest first, for :data:`SYNC_SECONDS`;
    leave the rest to a background task run after the response. Returns the message."""
    now = request.app.state.clock()
    report = rematch(store, slug, [name], days=DEFAULT_DAYS, now=now, budget=SYNC_SECONDS)
    message = report.summary()
    if report.resume_before is not None:
        background.add_task(
            rematch, store, slug, [name], days=DEFAULT_DAYS, now=now, before_id=report.resume_before
        )
        message += " The older posts are being matched in the background: reload to see them."
    return message


def _stream(conn: ConnDep, access: WorkspaceAccess, stream_id: int) -> StreamRow:
    found = get_stream(conn, access.workspace.id, stream_id)
    if found is None:
        raise HTTPException(status_code=404, detail="No such stream")
    return found


@router.get("/w/{slug}/streams")
def stream_list(
    request: Request, access: CurrentWorkspace, user: CurrentUser, conn: ConnDep, done: str = ""
) -> Response:
    ws = access.workspace
    rows = list_streams(conn, ws.id, now=request.app.state.clock())
    return render(
        request,
        "streams.html",
        {
            "workspace": ws,
            "workspaces": user_workspaces(conn, user.user.id),
            "role": access.role,
            "streams": rows,
            "windows": {
                s.id: days_text(s.starts, s.ends, ws.timezone) for s in rows if s.starts or s.ends
            },
            "can_edit": _can_edit(access),
            "done": done[:500],
        },
    )


def _form(
    request: Request,
    access: WorkspaceAccess,
    conn: ConnDep,
    user_id: int,
    *,
    stream: StreamRow | None,
    values: dict[str, str],
    error: str = "",
    status_code: int = 200,
) -> Response:
    check = check_query(values.get("query", "")) if values.get("query", "").strip() else None
    store = request.app.state.store
    return render(
        request,
        "stream_form.html",
        {
            "workspace": access.workspace,
            "workspaces": user_workspaces(conn, user_id),
            "role": access.role,
            "stream": stream,
            "values": values,
            "kinds": STREAM_KINDS,
            "windowed_kinds": WINDOWED_KINDS,
            "error": error,
            "check": check,
            "preview": preview(store, check.query) if check and check.valid else None,
            "limits": {"search": SEARCH_MAX_LENGTH, "stream": STREAM_MAX_LENGTH},
            "days": DEFAULT_DAYS,
        },
        status_code=status_code,
    )


@router.get("/w/{slug}/streams/new")
def stream_new(
    request: Request, access: CurrentWorkspace, user: CurrentUser, conn: ConnDep
) -> Response:
    require_role(access, EDIT_ROLE)
    values = {"name": "", "kind": "campaign", "query": "", "note": "", "starts": "", "ends": ""}
    return _form(request, access, conn, user.user.id, stream=None, values=values)


def _values(
    name: str, kind: str, query: str, note: str, starts: str = "", ends: str = ""
) -> dict[str, str]:
    return {
        "name": name,
        "kind": kind,
        "query": query[:MAX_QUERY_INPUT],
        "note": note[:1000],
        "starts": starts[:10],
        "ends": ends[:10],
    }


def _window(values: dict[str, str], tz: str) -> Window:
    """The form's dates as the stream's window (local days, the end day included)."""
    try:
        return day_bound(values["starts"], tz), day_bound(values["ends"], tz, end=True)
    except ValueError as exc:
        raise StreamError(f"the window: {exc}") from None


@router.post("/w/{slug}/streams/new")
def stream_create(
    request: Request,
    access: CurrentWorkspace,
    user: CurrentUser,
    conn: ConnDep,
    store: StoreDep,
    background: BackgroundTasks,
    name: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "campaign",
    query: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    starts: Annotated[str, Form()] = "",
    ends: Annotated[str, Form()] = "",
) -> Response:
    require_role(access, EDIT_ROLE)
    ws = access.workspace
    values = _values(name, kind, query, note, starts, ends)
    try:
        window = _window(values, ws.timezone)
        with store.begin() as tx:
            create_stream(
                tx,
                ws.id,
                name,
                values["query"],
                kind,
                user_id=user.user.id,
                note=values["note"],
                window=window,
            )
    except (StreamError, QueryError) as exc:
        error = f"Query: {exc}" if isinstance(exc, QueryError) else str(exc).capitalize()
        return _form(
            request,
            access,
            conn,
            user.user.id,
            stream=None,
            values=values,
            error=error,
            status_code=422,
        )
    saved = " ".join(name.split())
    message = f"Made stream {saved!r}. " + _rematch(request, store, background, ws.slug, saved)
    return RedirectResponse(_list_url(ws.slug, message), status_code=303)


@router.get("/w/{slug}/streams/check")
def stream_check(
    request: Request, access: CurrentWorkspace, store: StoreDep, query: str = ""
) -> Response:
    """The fragment under the query box: the error and its caret, or what it matches."""
    require_role(access, EDIT_ROLE)
    check = check_query(query[:MAX_QUERY_INPUT])
    found = preview(store, check.query) if check.valid else None
    return render(
        request,
        "stream_check.html",
        {
            "check": check,
            "preview": found,
            "preview_posts": PREVIEW_POSTS,
            "workspace": access.workspace,
            "limits": {"search": SEARCH_MAX_LENGTH, "stream": STREAM_MAX_LENGTH},
        },
    )


@router.get("/w/{slug}/streams/{stream_id}/edit")
def stream_edit(
    request: Request, stream_id: int, access: CurrentWorkspace, user: CurrentUser, conn: ConnDep
) -> Response:
    require_role(access, EDIT_ROLE)
    found = _stream(conn, access, stream_id)
    tz = access.workspace.timezone
    values = {
        "name": found.name,
        "kind": found.kind,
        "query": found.query,
        "note": found.note,
        "starts": day_field(found.starts, tz),
        "ends": day_field(found.ends, tz, end=True),
    }
    return _form(request, access, conn, user.user.id, stream=found, values=values)


@router.post("/w/{slug}/streams/{stream_id}/edit")
def stream_update(
    request: Request,
    stream_id: int,
    access: CurrentWorkspace,
    user: CurrentUser,
    conn: ConnDep,
    store: StoreDep,
    background: BackgroundTasks,
    name: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "campaign",
    query: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    starts: Annotated[str, Form()] = "",
    ends: Annotated[str, Form()] = "",
) -> Response:
    require_role(access, EDIT_ROLE)
    ws = access.workspace
    found = _stream(conn, access, stream_id)
    values = _values(name, kind, query, note, starts, ends)
    try:
        window = _window(values, ws.timezone)
        with store.begin() as tx:
            changed = update_stream(
                tx,
                ws.id,
                stream_id,
                name=name,
                kind=kind,
                query=values["query"],
                note=values["note"],
                window=window,
                user_id=user.user.id,
            )
    except (StreamError, QueryError) as exc:
        error = f"Query: {exc}" if isinstance(exc, QueryError) else str(exc).capitalize()
        return _form(
            request,
            access,
            conn,
            user.user.id,
            stream=found,
            values=values,
            error=error,
            status_code=422,
        )
    saved = " ".join(name.split())
    message = f"Saved stream {saved!r}."
    if changed:
        message += " " + _rematch(request, store, background, ws.slug, saved)
    return RedirectResponse(_list_url(ws.slug, message), status_code=303)


def _pause(store: StoreDep, access: WorkspaceAccess, user_id: int, stream_id: int, on: bool) -> str:
    require_role(access, EDIT_ROLE)
    with store.begin() as tx:
        found = get_stream(tx, access.workspace.id, stream_id)
        if found is None:
            raise HTTPException(status_code=404, detail="No such stream")
        try:
            set_paused(tx, access.workspace.id, stream_id, on, user_id=user_id)
        except StreamError as exc:
            return str(exc).capitalize()
    return f"{'Paused' if on else 'Resumed'} stream {found.name!r}."


@router.post("/w/{slug}/streams/{stream_id}/pause")
def stream_pause(
    stream_id: int, access: CurrentWorkspace, user: CurrentUser, store: StoreDep
) -> Response:
    message = _pause(store, access, user.user.id, stream_id, True)
    return RedirectResponse(_list_url(access.workspace.slug, message), status_code=303)


@router.post("/w/{slug}/streams/{stream_id}/resume")
def stream_resume(
    stream_id: int, access: CurrentWorkspace, user: CurrentUser, store: StoreDep
) -> Response:
    message = _pause(store, access, user.user.id, stream_id, False)
    return RedirectResponse(_list_url(access.workspace.slug, message), status_code=303)
