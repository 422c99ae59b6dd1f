"""The Settings page: the workspace's settings, its team, invitations, audit log, credentials.

Every member sees the page (the roles table, the team, their own password link);
what they may change follows :data:`hubbub.team.PERMISSIONS`: managers invite staff
and read the audit log, owners change the workspace settings, roles, members and
the network credentials. A form the role may not use is not shown, and posting it
anyway answers 403. Changes go through :mod:`hubbub.team` and
:mod:`hubbub.configure`, which check them and write the audit log; this module only
parses forms and picks templates. After a change the page is shown again through a
redirect (``done`` or ``error`` in the query), except a new invitation, whose link
is shown once on the answer itself and nowhere after.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Request, Response
from fastapi.responses import RedirectResponse

from hubbub import configure, team
from hubbub.report import digest as digests
from hubbub.store import team as queries
from hubbub.store.users import user_workspaces
from hubbub.store.write import load_workspace
from hubbub.team import NewInvitation
from hubbub.web.deps import (
    ConnDep,
    CurrentUser,
    CurrentWorkspace,
    SettingsDep,
    StoreDep,
    WorkspaceAccess,
    require_role,
)
from hubbub.web.pages import render

__all__ = ["AUDIT_PAGE", "router"]

router = APIRouter()

AUDIT_PAGE = 50
AUDIT_RECENT = 8


def _now(request: Request) -> datetime:
    now: datetime = request.app.state.clock()
    return now


def _need(access: WorkspaceAccess, action: str) -> None:
    require_role(access, team.least_role(action))


def _back(slug: str, *, done: str = "", error: str = "", part: str = "") -> Response:
    query = urlencode({k: v for k, v in (("done", done), ("error", error)) if v})
    target = f"/w/{slug}/settings" + (f"?{query}" if query else "") + (f"#{part}" if part else "")
    return RedirectResponse(target, status_code=303)


def _page(
    request: Request,
    access: WorkspaceAccess,
    user_id: int,
    conn: ConnDep,
    settings: SettingsDep,
    *,
    done: str = "",
    error: str = "",
    new_invitation: NewInvitation | None = None,
) -> Response:
    ws = access.workspace
    stored = load_workspace(conn, ws.slug)
    default_target = stored.response_target_hours if stored is not None else 4.0
    role = access.role
    can = team.permissions_for(role)
    base = str(request.base_url).rstrip("/")
    return render(
        request,
        "settings.html",
        {
            "workspace": ws,
            "workspaces": user_workspaces(conn, user_id),
            "role": role,
            "can": can,
            "me": user_id,
            "permissions": team.PERMISSIONS,
            "roles": ("staff", "manager", "owner"),
            "at_least": team.at_least,
            "values": configure.workspace_settings(
                conn, ws.id, settings, default_target=default_target
            ),
            "default_target": default_target,
            "digest": digests.digest_settings(conn, ws.id),
            "digest_days": digests.WEEKDAYS,
            "members": queries.member_list(conn, ws.id),
            "invite_roles": team.invite_roles(role),
            "invitations": queries.invitation_list(conn, ws.id) if can["team.invite_staff"] else [],
            "new_invitation": new_invitation,
            "invite_url": base + new_invitation.path if new_invitation else "",
            "invite_days": team.INVITE_DAYS,
            "audit": queries.audit_page(conn, ws.id, limit=AUDIT_RECENT)
            if can["settings.audit"]
            else [],
            "now": _now(request),
            "done": done,
            "error": error,
        },
    )


@router.get("/w/{slug}/settings")
def settings_page(
    request: Request,
    access: CurrentWorkspace,
    user: CurrentUser,
    conn: ConnDep,
    settings: SettingsDep,
    done: str = "",
    error: str = "",
) -> Response:
    return _page(request, access, user.user.id, conn, settings, done=done, error=error)


@router.post("/w/{slug}/settings/workspace")
def save_workspace(
    request: Request,
    access: CurrentWorkspace,
    user: CurrentUser,
    store: StoreDep,
    response_target_hours: Annotated[str, Form()] = "",
    promotion_percent: Annotated[str, Form()] = "",
    x_monthly_read_cap: Annotated[str, Form()] = "",
) -> Response:
    _need(access, "settings.workspace")
    slug = access.workspace.slug
    try:
        with store.begin() as conn:
            configure.save_workspace_settings(
                conn,
                access.workspace.id,
                response_target_hours=response_target_hours,
                promotion_percent=promotion_percent,
                x_monthly_read_cap=x_monthly_read_cap,
                user_id=user.user.id,
                now=_now(request),
            )
    except configure.ConfigureError as exc:
        return _back(slug, error=str(exc), part="workspace")
    return _back(slug, done="Saved the workspace settings", part="workspace")


@router.post("/w/{slug}/settings/digest")
def save_digest(
    request: Request,
    access: CurrentWorkspace,
    user: CurrentUser,
    store: StoreDep,
    recipients: Annotated[str, Form()] = "",
    weekday: Annotated[str, Form()] = "",
    hour: Annotated[str, Form()] = "",
) -> Response:
    _need(access, "settings.workspace")
    slug = access.workspace.slug
    try:
        with store.begin() as conn:
            saved = digests.save_digest_settings(
                conn,
                access.workspace.id,
                recipients=recipients,
                weekday=weekday,
                hour=hour,
                user_id=user.user.id,
                now=_now(request),
            )
    except digests.DigestError as exc:
        return _back(slug, error=str(exc), part="digest")
    done = "Saved the weekly digest" if saved.enabled else "The weekly digest is off"
    return _back(slug, done=done, part="digest")


# --- the team -------------------------------------------------------------------------------


@router.post("/w/{slug}/settings/members/{member_id}/role")
def member_role(
    request: Request,
    member_id: int,
    access: CurrentWorkspace,
    user: CurrentUser,
    store: StoreDep,
    role: Annotated[str, Form()] = "",
) -> Response:
    _need(access, "team.manage")
    try:
        with store.begin() as conn:
            team.change_role(
                conn,
                access.workspace.id,
                member_id,
                role,
                by_user_id=user.user.id,
                now=_now(request),
            )
    except team.TeamError as exc:
        return _back(access.workspace.slug, error=str(exc), part="team")
    return _back(access.workspace.slug, done="Changed a role", part="team")


@router.post("/w/{slug}/settings/members/{member_id}/remove")
def member_remove(
    request: Request, member_id: int, access: CurrentWorkspace, user: CurrentUser, store: StoreDep
) -> Response:
    _need(access, "team.manage")
    try:
        with store.begin() as conn:
            team.remove_member(
                conn, access.workspace.id, member_id, by_user_id=user.user.id, now=_now(request)
            )
    except team.TeamError as exc:
        return _back(access.workspace.slug, error=str(exc), part="team")
    return _back(access.workspace.slug, done="Removed a member", part="team")


@router.post("/w/{slug}/settings/invitations")
def invitation_new(
    request: Request,
    access: CurrentWorkspace,
    user: CurrentUser,
    store: StoreDep,
    settings: SettingsDep,
    role: Annotated[str, Form()] = "staff",
    email: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
) -> Response:
    _need(access, "team.invite_staff")
    if role not in team.invite_roles(access.role):
        raise HTTPException(status_code=403, detail=f"A {access.role} cannot invite a {role}.")
    try:
        with store.begin() as conn:
            new = team.invite(
                conn,
                access.workspace.id,
                role=role,
                email=email,
                name=name,
                by_user_id=user.user.id,
                by_role=access.role,
                now=_now(request),
            )
    except team.TeamError as exc:
        return _back(access.workspace.slug, error=str(exc), part="invitations")
    with store.connect() as conn:
        return _page(request, access, user.user.id, conn, settings, new_invitation=new)


@router.post("/w/{slug}/settings/invitations/{invitation_id}/revoke")
def invitation_revoke(
    request: Request,
    invitation_id: int,
    access: CurrentWorkspace,
    user: CurrentUser,
    store: StoreDep,
) -> Response:
    _need(access, "team.invite_staff")
    try:
        with store.begin() as conn:
            team.revoke_invitation(
                conn,
                access.workspace.id,
                invitation_id,
                by_user_id=user.user.id,
                by_role=access.role,
                now=_now(request),
            )
    except team.TeamError as exc:
        return _back(access.workspace.slug, error=str(exc), part="invitations")
    return _back(access.workspace.slug, done="Revoked the invitation", part="invitations")


# --- the audit log --------------------------------------------------------------------------


@router.get("/w/{slug}/settings/audit")
def audit_log(
    request: Request, access: CurrentWorkspace, user: CurrentUser, conn: ConnDep, page: int = 1
) -> Response:
    _need(access, "settings.audit")
    ws = access.workspace
    total = queries.audit_count(conn, ws.id)
    pages = max(1, -(-total // AUDIT_PAGE))
    page = min(max(1, page), pages)
    return render(
        request,
        "settings_audit.html",
        {
            "workspace": ws,
            "workspaces": user_workspaces(conn, user.user.id),
            "lines": queries.audit_page(
                conn, ws.id, limit=AUDIT_PAGE, offset=(page - 1) * AUDIT_PAGE
            ),
            "page": page,
            "pages": pages,
            "total": total,
        },
    )


# --- network credentials --------------------------------------------------------------------


def _credentials_page(
    request: Request,
    access: WorkspaceAccess,
    user_id: int,
    conn: ConnDep,
    settings: SettingsDep,
    *,
    done: str = "",
    error: str = "",
    status: int = 200,
) -> Response:
    box = configure.secret_box(settings)
    views = configure.credential_views(conn, settings, box)
    groups: dict[str, list[Any]] = {}
    for view in views:
        groups.setdefault(view.field.network, []).append(view)
    return render(
        request,
        "settings_credentials.html",
        {
            "workspace": access.workspace,
            "workspaces": user_workspaces(conn, user_id),
            "groups": groups,
            "done": done,
            "error": error,
        },
        status_code=status,
    )


@router.get("/w/{slug}/settings/credentials")
def credentials_page(
    request: Request,
    access: CurrentWorkspace,
    user: CurrentUser,
    conn: ConnDep,
    settings: SettingsDep,
    done: str = "",
) -> Response:
    _need(access, "settings.credentials")
    return _credentials_page(request, access, user.user.id, conn, settings, done=done)


@router.post("/w/{slug}/settings/credentials")
def credentials_save(
    request: Request,
    access: CurrentWorkspace,
    user: CurrentUser,
    store: StoreDep,
    settings: SettingsDep,
    x_bearer_token: Annotated[str, Form()] = "",
    x_client_id: Annotated[str, Form()] = "",
    x_client_secret: Annotated[str, Form()] = "",
    x_user_token: Annotated[str, Form()] = "",
    x_user_refresh_token: Annotated[str, Form()] = "",
    mastodon_base_url: Annotated[str, Form()] = "",
    mastodon_access_token: Annotated[str, Form()] = "",
    bluesky_handle: Annotated[str, Form()] = "",
    bluesky_app_password: Annotated[str, Form()] = "",
    clear: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Store the credentials typed in (blank fields keep what is stored); never echoed back."""
    _need(access, "settings.credentials")
    values = {
        "x_bearer_token": x_bearer_token,
        "x_client_id": x_client_id,
        "x_client_secret": x_client_secret,
        "x_user_token": x_user_token,
        "x_user_refresh_token": x_user_refresh_token,
        "mastodon_base_url": mastodon_base_url,
        "mastodon_access_token": mastodon_access_token,
        "bluesky_handle": bluesky_handle,
        "bluesky_app_password": bluesky_app_password,
    }
    try:
        with store.begin() as conn:
            changed = configure.save_credentials(
                conn,
                configure.secret_box(settings),
                values,
                set(clear or ()),
                workspace_id=access.workspace.id,
                user_id=user.user.id,
                now=_now(request),
            )
    except configure.ConfigureError as exc:
        with store.connect() as conn:
            return _credentials_page(
                request, access, user.user.id, conn, settings, error=str(exc), status=422
            )
    done = f"Saved {len(changed)} credential{'' if len(changed) == 1 else 's'}"
    target = f"/w/{access.workspace.slug}/settings/credentials?" + urlencode({"done": done})
    return RedirectResponse(target, status_code=303)
