"""FastAPI dependencies as ``Annotated`` aliases, so routes declare what they need.

``StoreDep``, ``SettingsDep`` and ``ConnDep`` give a route the store, the settings
and a read connection; ``CurrentUser`` the logged-in user (a visitor without a
session is sent to the login page); ``CurrentWorkspace`` the workspace named in
the path, answering 404 alike for a workspace that does not exist and one the
user is not a member of (so workspace slugs do not leak). ``csrf_protect`` runs on
every request of the app and refuses any POST without a valid token with 403.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy import Connection

from hubbub.settings import Settings
from hubbub.store import Store
from hubbub.store.queries import WorkspaceInfo, workspace_by_slug
from hubbub.store.users import SessionUser, membership_role, session_user
from hubbub.web.security import (
    CSRF_FIELD,
    CSRF_HEADER,
    LOGIN_COOKIE,
    SESSION_COOKIE,
    tokens_match,
    verify_login_csrf,
)

__all__ = [
    "ROLE_RANK",
    "ConnDep",
    "CsrfError",
    "CurrentUser",
    "CurrentWorkspace",
    "LoginRequired",
    "MaybeUser",
    "SettingsDep",
    "StoreDep",
    "WorkspaceAccess",
    "csrf_protect",
    "get_conn",
    "get_session",
    "require_role",
]

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class LoginRequired(Exception):
    """No live session: the app answers with a redirect to the login page."""


class CsrfError(Exception):
    """A state-changing request without a valid CSRF token: the app answers 403."""


@dataclass(frozen=True, slots=True)
class WorkspaceAccess:
    """The workspace of the path and the current user's role in it."""

    workspace: WorkspaceInfo
    role: str


#: owner > manager > staff: a role may do what the roles below it may do
ROLE_RANK: dict[str, int] = {"staff": 0, "manager": 1, "owner": 2}


def require_role(access: WorkspaceAccess, role: str) -> None:
    """Answer 403 unless the user's role in the workspace is ``role`` or above."""
    if ROLE_RANK.get(access.role, -1) < ROLE_RANK[role]:
        raise HTTPException(
            status_code=403, detail=f"This needs the {role} role; yours is {access.role}."
        )


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_conn(store: StoreDep) -> Iterator[Connection]:
    """A read connection for the request, closed after it."""
    with store.connect() as conn:
        yield conn


ConnDep = Annotated[Connection, Depends(get_conn)]


def get_session(request: Request, store: StoreDep) -> SessionUser | None:
    """The session behind the request's cookie, looked up once per request."""
    if hasattr(request.state, "session_user"):
        cached: SessionUser | None = request.state.session_user
        return cached
    token = request.cookies.get(SESSION_COOKIE, "")
    found = None
    if token:
        with store.connect() as conn:
            found = session_user(conn, token)
    request.state.session_user = found
    return found


MaybeUser = Annotated[SessionUser | None, Depends(get_session)]


def require_user(session: MaybeUser) -> SessionUser:
    if session is None:
        raise LoginRequired()
    return session


CurrentUser = Annotated[SessionUser, Depends(require_user)]


def get_workspace(slug: str, user: CurrentUser, conn: ConnDep) -> WorkspaceAccess:
    workspace = workspace_by_slug(conn, slug)
    role = None if workspace is None else membership_role(conn, user.user.id, workspace.id)
    if workspace is None or role is None:
        raise HTTPException(status_code=404, detail="No such workspace")
    return WorkspaceAccess(workspace=workspace, role=role)


CurrentWorkspace = Annotated[WorkspaceAccess, Depends(get_workspace)]


async def csrf_protect(request: Request, store: StoreDep) -> None:
    """Refuse a state-changing request that does not carry its CSRF token (403).

    The token comes from the form field ``csrf_token`` or the ``X-CSRF-Token``
    header (htmx sends that one). The forms posted before there is a session (login,
    accepting an invitation at ``/invite/TOKEN``) are checked against the signed
    double-submit cookie; everything else against the session's own token.
    """
    if request.method not in UNSAFE_METHODS:
        return
    given = request.headers.get(CSRF_HEADER)
    if given is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            given = value if isinstance(value, str) else None
    if request.url.path == "/login" or request.url.path.startswith("/invite/"):
        key: bytes = request.app.state.secret_key
        if not verify_login_csrf(key, request.cookies.get(LOGIN_COOKIE), given):
            raise CsrfError()
        return
    session = get_session(request, store)
    if session is None or not tokens_match(session.csrf_token, given):
        raise CsrfError()
