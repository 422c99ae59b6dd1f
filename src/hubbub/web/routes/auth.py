"""Logging in and out, and the front door (``/`` sends you to your workspace)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from hubbub.store.users import authenticate, create_session, end_session, user_workspaces
from hubbub.web.deps import ConnDep, CurrentUser, MaybeUser, SettingsDep, StoreDep
from hubbub.web.pages import render
from hubbub.web.security import LOGIN_COOKIE, SESSION_COOKIE, login_csrf_token

__all__ = ["router", "safe_next"]

router = APIRouter()


def safe_next(target: str | None) -> str:
    """Where to go after login: a path on this site, never another origin."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _login_page(
    request: Request, *, next_url: str, error: str = "", username: str = "", status: int = 200
) -> Response:
    """The login form with a signed double-submit CSRF token (nonce kept in a cookie)."""
    nonce = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)
    key: bytes = request.app.state.secret_key
    response = render(
        request,
        "login.html",
        {
            "login_csrf": login_csrf_token(key, nonce),
            "next_url": next_url,
            "error": error,
            "username": username,
        },
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
    with store.begin() as conn:
        user = authenticate(conn, username, password) if username and password else None
        new = None if user is None else create_session(conn, user.id, settings.session_hours)
    if new is None:
        return _login_page(
            request,
            next_url=safe_next(next),
            error="Wrong username or password",
            username=username,
            status=401,
        )
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        new.token,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )
    response.delete_cookie(LOGIN_COOKIE)
    return response


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
