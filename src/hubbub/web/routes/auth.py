"""Logging in and out, accepting an invitation, changing one's password, and the front door.

``/`` sends you to your workspace. Logins are rate limited per username and per
client address (:mod:`hubbub.team`: five failures within 15 minutes lock that key
for 15 minutes, answered with 429 and the time left); the count lives in the
database, so it holds across processes. The client address is the direct peer's:
behind a reverse proxy, run uvicorn with ``--proxy-headers`` so it is the visitor's.
"""

from __future__ import annotations

import math
import secrets
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import Connection

from hubbub import team
from hubbub.store.team import workspace_name
from hubbub.store.users import (
    authenticate,
    create_session,
    end_session,
    hash_token,
    user_workspaces,
)
from hubbub.web.deps import ConnDep, CurrentUser, MaybeUser, SettingsDep, StoreDep
from hubbub.web.pages import render
from hubbub.web.security import LOGIN_COOKIE, SESSION_COOKIE, login_csrf_token

__all__ = ["locked_message", "router", "safe_next"]

router = APIRouter()


def safe_next(target: str | None) -> str:
    """Where to go after login: a path on this site, never another origin."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _now(request: Request) -> datetime:
    now: datetime = request.app.state.clock()
    return now


def _public_form(
    request: Request, template: str, context: dict[str, Any], *, status: int = 200
) -> Response:
    """A form posted without a session, with a signed double-submit CSRF token.

    The nonce is kept in a cookie and the form carries HMAC(secret key, nonce).
    """
    nonce = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)
    key: bytes = request.app.state.secret_key
    response = render(
        request,
        template,
        {"login_csrf": login_csrf_token(key, nonce), **context},
        status_code=status,
    )
    response.set_cookie(
        LOGIN_COOKIE,
        nonce,
        max_age=3600 * 24,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )
    return response


def _login_page(
    request: Request, *, next_url: str, error: str = "", username: str = "", status: int = 200
) -> Response:
    return _public_form(
        request,
        "login.html",
        {"next_url": next_url, "error": error, "username": username},
        status=status,
    )


def locked_message(until: datetime, now: datetime) -> str:
    """What a locked-out visitor reads: why, and how long to wait (rounded up)."""
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return (
        "Too many failed logins for this username or from this address. "
        f"Try again in {minutes} {unit}."
    )


def _start_session(
    request: Request, response: Response, token: str, settings: SettingsDep
) -> Response:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )
    response.delete_cookie(LOGIN_COOKIE)
    return response


@router.get("/login")
def login_form(request: Request, session: MaybeUser, next: str = "/") -> Response:
    if session is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_page(request, next_url=safe_next(next))


@router.post("/login")
def login(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    now = _now(request)
    client = request.client.host if request.client else None
    new = None
    with store.begin() as conn:
        until = team.login_locked_until(conn, username, client, now) if username else None
        if until is None and username:
            user = authenticate(conn, username, password) if password else None
            if user is not None:
                team.note_login_success(conn, username)
                new = create_session(conn, user.id, settings.session_hours)
            else:
                until = team.note_login_failure(conn, username, client, now)
    if until is not None:
        response = _login_page(
            request,
            next_url=safe_next(next),
            error=locked_message(until, now),
            username=username,
            status=429,
        )
        response.headers["Retry-After"] = str(max(1, math.ceil((until - now).total_seconds())))
        return response
    if new is None:
        return _login_page(
            request,
            next_url=safe_next(next),
            error="Wrong username or password",
            username=username,
            status=401,
        )
    return _start_session(
        request, RedirectResponse(safe_next(next), status_code=303), new.token, settings
    )


@router.post("/logout")
def logout(request: Request, store: StoreDep, user: CurrentUser) -> Response:
    token = request.cookies.get(SESSION_COOKIE, "")
    with store.begin() as conn:
        end_session(conn, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/")
def home(request: Request, user: CurrentUser, conn: ConnDep) -> Response:
    workspaces = user_workspaces(conn, user.user.id)
    if workspaces:
        return RedirectResponse(f"/w/{workspaces[0].slug}/", status_code=303)
    return render(
        request,
        "error.html",
        {
            "title": "No workspace yet",
            "message": "Your account is not a member of any workspace. Ask the owner "
            "to add you, or create one with the hubbub command.",
        },
    )


# --- invitations ----------------------------------------------------------------------------


def _invite_page(
    request: Request,
    token: str,
    invitation: Any,
    workspace: str,
    *,
    error: str = "",
    username: str = "",
    name: str = "",
    status: int = 200,
) -> Response:
    return _public_form(
        request,
        "invite.html",
        {
            "token": token,
            "invitation": invitation,
            "workspace_name": workspace,
            "error": error,
            "username": username,
            "name": name or invitation.name,
            "min_password": team.MIN_PASSWORD,
        },
        status=status,
    )


def _invite_gone(request: Request, message: str) -> Response:
    return render(
        request, "error.html", {"title": "Invitation not usable", "message": message}, 410
    )


@router.get("/invite/{token}")
def invite_form(request: Request, token: str, conn: ConnDep) -> Response:
    try:
        invitation = team.invitation_for(conn, token, _now(request))
    except team.TeamError as exc:
        return _invite_gone(request, str(exc))
    return _invite_page(request, token, invitation, _workspace_name(conn, invitation.workspace_id))


def _workspace_name(conn: Connection, workspace_id: int) -> str:
    return workspace_name(conn, workspace_id) or "a workspace"


@router.post("/invite/{token}")
def invite_accept(
    request: Request,
    token: str,
    store: StoreDep,
    settings: SettingsDep,
    username: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    password2: Annotated[str, Form()] = "",
) -> Response:
    now = _now(request)
    with store.connect() as conn:
        try:
            invitation = team.invitation_for(conn, token, now)
        except team.TeamError as exc:
            return _invite_gone(request, str(exc))
        workspace = _workspace_name(conn, invitation.workspace_id)
    try:
        if password != password2:
            raise team.TeamError("password: the two passwords differ")
        with store.begin() as conn:
            accepted = team.accept_invitation(conn, token, username, password, name, now=now)
            new = create_session(conn, accepted.user_id, settings.session_hours)
            slug = next(
                w.slug
                for w in user_workspaces(conn, accepted.user_id)
                if w.id == accepted.workspace_id
            )
    except team.TeamError as exc:
        return _invite_page(
            request,
            token,
            invitation,
            workspace,
            error=str(exc),
            username=username,
            name=name,
            status=422,
        )
    response = RedirectResponse(f"/w/{slug}/", status_code=303)
    return _start_session(request, response, new.token, settings)


# --- your password --------------------------------------------------------------------------


@router.get("/account/password")
def password_form(request: Request, user: CurrentUser, done: str = "") -> Response:
    return render(
        request,
        "password.html",
        {"done": bool(done), "error": "", "min_password": team.MIN_PASSWORD},
    )


@router.post("/account/password")
def password_change(
    request: Request,
    store: StoreDep,
    user: CurrentUser,
    current: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    password2: Annotated[str, Form()] = "",
) -> Response:
    keep = hash_token(request.cookies.get(SESSION_COOKIE, ""))
    try:
        if password != password2:
            raise team.TeamError("new password: the two passwords differ")
        with store.begin() as conn:
            team.change_password(
                conn, user.user, current, password, keep_session=keep, now=_now(request)
            )
    except team.TeamError as exc:
        return render(
            request,
            "password.html",
            {"done": False, "error": str(exc), "min_password": team.MIN_PASSWORD},
            status_code=422,
        )
    return RedirectResponse("/account/password?done=1", status_code=303)
