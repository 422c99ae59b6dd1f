"""The Inbox page: the mentions that need a person, one item at a time or in bulk.

Reads go through :mod:`hubbub.store.inbox`, every change through :mod:`hubbub.inbox`
(which checks the state transitions and writes the audit log), so this module only
parses forms and picks templates. Every form posts with the session's CSRF token
(the app's ``csrf_protect`` refuses it otherwise); htmx posts the same forms and
swaps the part of the page it names, and without JavaScript they work as plain forms
answered with a redirect. An item id of another workspace answers 404.

Where posting is configured for the item's network, "Send reply" posts it threaded
under the mention through that network's client (:mod:`hubbub.inbox.send`). Where it
is not, "Copy reply" copies the text for pasting on the network (static/inbox.js)
and records the reply by hand: the item becomes ``replied`` and its first response
time is taken then.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import Connection

from hubbub import configure, inbox
from hubbub.inbox.send import send_reply
from hubbub.model import INBOX_STATES
from hubbub.settings import Settings
from hubbub.sources.base import Publisher
from hubbub.sources.publishers import publisher_for
from hubbub.store import inbox as queries
from hubbub.store.users import user_workspaces
from hubbub.store.write import load_workspace, workspace_id
from hubbub.team import least_role, permissions_for
from hubbub.web.deps import (
    ConnDep,
    CurrentUser,
    CurrentWorkspace,
    StoreDep,
    WorkspaceAccess,
    require_role,
)
from hubbub.web.pages import render
from hubbub.web.routes.goals import item_history, lead_for_item

__all__ = ["PAGE_SIZE", "router", "waited"]

router = APIRouter()

PAGE_SIZE = 50
INTENT_CHOICES = (*inbox.ACTIONABLE_INTENTS, "reply", "mention")
BULK_ACTIONS = ("assign", "done", "ignore")
TIMES_DAYS = 30  # response times cover the items of the last 30 days


def waited(since: datetime, until: datetime) -> str:
    """How long between two times, short: ``45 min``, ``3 h``, ``2 d``."""
    minutes = max(0, int((until - since).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // 1440} d"


def _hours(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value * 60:.0f} min" if value < 1 else f"{value:.1f} h"


def _target(conn: Connection, slug: str) -> float:
    ws = load_workspace(conn, slug)
    if ws is None:
        return 4.0
    ws_id = workspace_id(conn, slug)
    default = ws.response_target_hours
    return default if ws_id is None else configure.response_target_hours(conn, ws_id, default)


def _now(request: Request) -> datetime:
    now: datetime = request.app.state.clock()
    return now


def _item_url(slug: str, item_id: int) -> str:
    return f"/w/{slug}/inbox/{item_id}"


def _done(request: Request, target: str) -> Response:
    return RedirectResponse(target, status_code=303)


# --- the list -------------------------------------------------------------------------------


@router.get("/w/{slug}/inbox")
def inbox_list(
    request: Request,
    access: CurrentWorkspace,
    user: CurrentUser,
    conn: ConnDep,
    state: str = "open",
    assignee: str = "",
    intent: str = "",
    overdue: str = "",
    page: int = 1,
    done: str = "",
) -> Response:
    ws = access.workspace
    now = _now(request)
    target = _target(conn, ws.slug)
    team = queries.members(conn, ws.id)
    states: list[str] | None
    if state == "open":
        states = list(queries.OPEN_STATES)
    elif state in INBOX_STATES:
        states = [state]
    else:
        state, states = "all", None
    who: int | None = None
    if assignee == "me":
        who = user.user.id
    elif assignee.isdigit() and any(m.id == int(assignee) for m in team):
        who = int(assignee)
    elif assignee != "none":
        assignee = ""
    intent = intent if intent in INTENT_CHOICES else ""
    page = max(1, page)
    found = queries.list_items(
        conn,
        ws.id,
        age_steps=inbox.age_steps(now, target),
        deadline=inbox.response_deadline(now, target),
        states=states,
        assignee=who,
        unassigned=assignee == "none",
        intent=intent or None,
        overdue=bool(overdue),
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    filters = {"state": state, "assignee": assignee, "intent": intent, "overdue": overdue}
    kept = {k: v for k, v in filters.items() if v}

    def page_url(n: int) -> str:
        return f"/w/{ws.slug}/inbox?" + urlencode({**kept, "page": n})

    times = inbox.member_times(conn, ws.id, target, since=now - timedelta(days=TIMES_DAYS))
    names = {m.id: m.label for m in team}
    return render(
        request,
        "inbox.html",
        {
            "workspace": ws,
            "workspaces": user_workspaces(conn, user.user.id),
            "role": access.role,
            "can": permissions_for(access.role),
            "items": found.items,
            "total": found.total,
            "page": page,
            "pages": max(1, -(-found.total // PAGE_SIZE)),
            "page_url": page_url,
            "filters": filters,
            "query": urlencode(kept),
            "counts": queries.state_counts(conn, ws.id, inbox.response_deadline(now, target)),
            "team": team,
            "me": user.user.id,
            "states": INBOX_STATES,
            "intents": INTENT_CHOICES,
            "canned": queries.canned_reply_list(conn, ws.id),
            "times": [(names.get(t.user_id, "?") if t.user_id else "Everyone", t) for t in times],
            "hours": _hours,
            "target": target,
            "times_days": TIMES_DAYS,
            "now": now,
            "waited": waited,
            "done": done,
        },
    )


@router.post("/w/{slug}/inbox/bulk")
def inbox_bulk(
    request: Request,
    access: CurrentWorkspace,
    user: CurrentUser,
    store: StoreDep,
    ids: Annotated[list[int] | None, Form()] = None,
    action: Annotated[str, Form()] = "",
    assignee: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
) -> Response:
    require_role(access, least_role("inbox.bulk"))
    slug = access.workspace.slug
    back_query = back if back and "/" not in back and "\\" not in back else ""
    if action not in BULK_ACTIONS or not ids:
        message = "Choose items and an action" if not ids else "Unknown action"
        return _done(request, f"/w/{slug}/inbox?{back_query}&done=" + message)
    assignee_id = int(assignee) if assignee.isdigit() else None
    try:
        with store.begin() as conn:
            result = inbox.bulk(
                conn,
                access.workspace.id,
                ids,
                action,
                user.user.id,
                assignee_id=assignee_id,
                now=_now(request),
            )
    except inbox.InboxError as exc:
        message = str(exc)
    else:
        message = f"{result.changed} changed" + (
            f", {len(result.skipped)} skipped" if result.skipped else ""
        )
    target = f"/w/{slug}/inbox?" + (back_query + "&" if back_query else "")
    return _done(request, target + urlencode({"done": message}))


@router.post("/w/{slug}/inbox/canned")
def canned_add(
    request: Request,
    access: CurrentWorkspace,
    user: CurrentUser,
    store: StoreDep,
    title: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
) -> Response:
    require_role(access, least_role("inbox.canned"))
    try:
        with store.begin() as conn:
            inbox.add_canned_reply(conn, access.workspace.id, title, text, user.user.id)
        message = f"Saved canned reply {title.strip()!r}"
    except inbox.InboxError as exc:
        message = str(exc)
    return _done(request, f"/w/{access.workspace.slug}/inbox?" + urlencode({"done": message}))


@router.post("/w/{slug}/inbox/canned/{reply_id}/delete")
def canned_delete(
    request: Request, reply_id: int, access: CurrentWorkspace, user: CurrentUser, store: StoreDep
) -> Response:
    require_role(access, least_role("inbox.canned"))
    try:
        with store.begin() as conn:
            inbox.delete_canned_reply(conn, access.workspace.id, reply_id, user.user.id)
    except inbox.InboxError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    return _done(request, f"/w/{access.workspace.slug}/inbox?done=Deleted+a+canned+reply")


# --- one item -------------------------------------------------------------------------------


def _publisher(request: Request, network: str) -> Publisher | None:
    """The item network's publisher with the credentials in effect, or None.

    Tests set ``app.state.publisher_for`` to hand in a fake; otherwise the
    credentials come from the environment and the Settings page.
    """
    store = request.app.state.store
    settings: Settings = request.app.state.settings
    factory = getattr(request.app.state, "publisher_for", None) or publisher_for
    found: Publisher | None = factory(network, configure.effective_settings(store, settings))
    return found


def _release(publisher: Publisher | None) -> None:
    close = getattr(publisher, "close", None)
    if callable(close):
        close()


def _item_page(
    request: Request,
    access: WorkspaceAccess,
    user_id: int,
    conn: Connection,
    item_id: int,
    *,
    error: str = "",
    draft: str | None = None,
) -> Response:
    ws = access.workspace
    now = _now(request)
    target = _target(conn, ws.slug)
    detail = queries.item_detail(
        conn,
        ws.id,
        item_id,
        age_steps=inbox.age_steps(now, target),
        deadline=inbox.response_deadline(now, target),
    )
    if detail is None:
        raise HTTPException(status_code=404, detail="No such inbox item")
    item = detail.item
    team = queries.members(conn, ws.id)
    reply = detail.reply_text if draft is None else draft
    length, limit, fits = inbox.reply_length(reply, item.network)
    publisher = _publisher(request, item.network)
    _release(publisher)
    return render(
        request,
        "inbox_item.html",
        {
            "workspace": ws,
            "workspaces": user_workspaces(conn, user_id),
            "role": access.role,
            "can": permissions_for(access.role),
            "me": user_id,
            "d": detail,
            "item": item,
            "thread": queries.thread(
                conn, item.network, item.native_id, detail.conversation_id, detail.reply_to
            ),
            "notes": queries.notes(conn, item.id),
            "history": item_history(conn, ws.id, item.id),
            "lead": lead_for_item(conn, ws.id, item.id),
            "team": team,
            "names": {m.id: m.label for m in team},
            "canned": queries.canned_reply_list(conn, ws.id),
            "next_states": sorted(inbox.TRANSITIONS[item.state]),
            "reply": reply,
            "can_send": publisher is not None,
            "count": {"length": length, "limit": limit, "fits": fits or not reply},
            "error": error,
            "waited": waited,
            "now": now,
            "target": target,
        },
        status_code=200 if not error or request.headers.get("hx-request") else 422,
    )


@router.get("/w/{slug}/inbox/{item_id}")
def inbox_item(
    request: Request, item_id: int, access: CurrentWorkspace, user: CurrentUser, conn: ConnDep
) -> Response:
    return _item_page(request, access, user.user.id, conn, item_id)


@router.get("/w/{slug}/inbox/{item_id}/count")
def reply_count(
    request: Request, item_id: int, access: CurrentWorkspace, conn: ConnDep, reply: str = ""
) -> Response:
    """The reply's length as the item's network counts it (htmx asks while typing)."""
    network = queries.item_network(conn, access.workspace.id, item_id)
    if network is None:
        raise HTTPException(status_code=404, detail="No such inbox item")
    length, limit, fits = inbox.reply_length(reply, network)
    return render(
        request,
        "inbox_count.html",
        {"count": {"length": length, "limit": limit, "fits": fits or not reply}},
    )


def _act(
    request: Request,
    access: WorkspaceAccess,
    user_id: int,
    store: StoreDep,
    item_id: int,
    change: str,
    **values: str,
) -> Response:
    """Run one change in a write transaction; redirect to the item, or show the error."""
    ws_id = access.workspace.id
    now = _now(request)
    try:
        with store.begin() as conn:
            if queries.item_network(conn, ws_id, item_id) is None:
                raise HTTPException(status_code=404, detail="No such inbox item")
            if change == "assign":
                raw = values["assignee"]
                inbox.assign(
                    conn, ws_id, item_id, int(raw) if raw.isdigit() else None, user_id, now=now
                )
            elif change == "state":
                inbox.set_state(conn, ws_id, item_id, values["state"], user_id, now=now)
            elif change == "note":
                inbox.add_note(conn, ws_id, item_id, values["text"], user_id, now=now)
            elif change == "replied":
                network = queries.item_network(conn, ws_id, item_id) or "x"
                inbox.mark_replied(
                    conn, ws_id, item_id, values["reply"], user_id, network=network, now=now
                )
    except inbox.InboxError as exc:
        with store.connect() as conn:
            draft = values.get("reply")
            return _item_page(request, access, user_id, conn, item_id, error=str(exc), draft=draft)
    return _done(request, _item_url(access.workspace.slug, item_id))


@router.post("/w/{slug}/inbox/{item_id}/assign")
def item_assign(
    request: Request,
    item_id: int,
    access: CurrentWorkspace,
    user: CurrentUser,
    store: StoreDep,
    assignee: Annotated[str, Form()] = "",
) -> Response:
    # staff may take an item themselves; giving it to someone else (or nobody) is a manager's
    to_self = assignee == str(user.user.id)
    require_role(access, least_role("inbox.assign_self" if to_self else "inbox.assign_others"))
    return _act(request, access, user.user.id, store, item_id, "assign", assignee=assignee)


@router.post("/w/{slug}/inbox/{item_id}/state")
def item_state(
    request: Request,
    item_id: int,
    access: CurrentWorkspace,
    user: CurrentUser,
    store: StoreDep,
    state: Annotated[str, Form()] = "",
) -> Response:
    return _act(request, access, user.user.id, store, item_id, "state", state=state)


@router.post("/w/{slug}/inbox/{item_id}/note")
def item_note(
    request: Request,
    item_id: int,
    access: CurrentWorkspace,
    user: CurrentUser,
    store: StoreDep,
    text: Annotated[str, Form()] = "",
) -> Response:
    return _act(request, access, user.user.id, store, item_id, "note", text=text)


@router.post("/w/{slug}/inbox/{item_id}/replied")
def item_replied(
    request: Request,
    item_id: int,
    access: CurrentWorkspace,
    user: CurrentUser,
    store: StoreDep,
    reply: Annotated[str, Form()] = "",
) -> Response:
    return _act(request, access, user.user.id, store, item_id, "replied", reply=reply)


@router.post("/w/{slug}/inbox/{item_id}/send")
def item_send(
    request: Request,
    item_id: int,
    access: CurrentWorkspace,
    user: CurrentUser,
    store: StoreDep,
    reply: Annotated[str, Form()] = "",
) -> Response:
    """Post the reply on the item's network, threaded under the mention, then record it."""
    ws_id = access.workspace.id
    with store.connect() as conn:
        target = queries.reply_target(conn, ws_id, item_id)
    if target is None:
        raise HTTPException(status_code=404, detail="No such inbox item")
    network, native_id = target
    publisher = _publisher(request, network)
    try:
        if publisher is None:
            raise inbox.InboxError(
                f"posting to {network} is not set up: copy the reply instead "
                "(an owner can add the credentials under Settings)"
            )
        send_reply(
            store,
            ws_id,
            item_id,
            reply,
            user.user.id,
            network=network,
            reply_to=native_id,
            publisher=publisher,
            now=_now(request),
        )
    except inbox.InboxError as exc:
        with store.connect() as conn:
            return _item_page(
                request, access, user.user.id, conn, item_id, error=str(exc), draft=reply
            )
    finally:
        _release(publisher)
    return _done(request, _item_url(access.workspace.slug, item_id))
