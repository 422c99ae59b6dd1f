"""The Publish page: compose, check per network, schedule, and the calendar.

``GET /w/{slug}/publish`` shows the composer, the week or month calendar
(``view=week|month``, ``at=YYYY-MM-DD``), the balance guard for the next 14 days,
the best time to post and the tracked links' clicks. ``POST .../publish/check`` (htmx,
on every keystroke after a pause) answers the per-network counters and the preview;
``POST .../publish`` (``multipart/form-data``) stores the images chosen, then saves a
draft (any member), schedules (manager or owner), suggests a thread split, attaches
the images or removes one (those re-show the form). ``GET .../publish/media/SHA`` is
an image's thumbnail, for members of its workspace only. Everything is computed in
:mod:`hubbub.publish`; this module and :mod:`~hubbub.web.routes.publish_media` parse
forms and pick templates. Thread parts are separated in the text by a line holding
only ``---``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, HTTPException, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import Connection

from hubbub.configure import promotion_share
from hubbub.publish import plan
from hubbub.publish.compose import NETWORKS, Composition, check, split_thread
from hubbub.publish.links import clicks_by
from hubbub.publish.media import media_root, thumbnail
from hubbub.publish.posts import PostForm, local_to_utc, save
from hubbub.store import publish as queries
from hubbub.store.media import media_by_sha
from hubbub.store.users import user_workspaces
from hubbub.web.deps import (
    ConnDep,
    CurrentUser,
    CurrentWorkspace,
    SettingsDep,
    StoreDep,
    require_role,
)
from hubbub.web.pages import render
from hubbub.web.routes.publish_media import (
    Slot,
    SlotsDep,
    attachments,
    slot_views,
    store_uploads,
    without,
)

__all__ = ["PART_BREAK", "join_parts", "router", "split_parts"]

router = APIRouter()

PART_BREAK = "---"
KIND_LABELS = {
    "conversation": "Conversation",
    "sharing": "Sharing (others' news, tips)",
    "self_promotion": "Self-promotion",
}
NETWORK_LABELS = {"x": "X", "mastodon": "Mastodon", "bluesky": "Bluesky"}


def split_parts(text: str) -> tuple[str, ...]:
    """The thread parts of the composer's text (a line of ``---`` between parts)."""
    parts: list[list[str]] = [[]]
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.strip() == PART_BREAK:
            parts.append([])
        else:
            parts[-1].append(line)
    return tuple("\n".join(p).strip() for p in parts)


def join_parts(parts: list[str]) -> str:
    return f"\n{PART_BREAK}\n".join(parts)


def _now(request: Request) -> datetime:
    now: datetime = request.app.state.clock()
    return now


def _form_state(
    text: str,
    networks: list[str],
    slots: list[Slot],
    when: str,
    kind: str,
    campaign: str,
    no_track: str,
) -> dict[str, object]:
    return {
        "text": text,
        "networks": networks,
        "slots": slots,
        "when": when,
        "kind": kind,
        "campaign": campaign,
        "no_track": bool(no_track),
    }


def _page(
    request: Request,
    access: CurrentWorkspace,
    user: CurrentUser,
    conn: Connection,
    *,
    view: str = "week",
    at: str = "",
    form: dict[str, object] | None = None,
    composition: Composition | None = None,
    errors: tuple[str, ...] = (),
    errors_title: str = "",
    done: str = "",
    status_code: int = 200,
) -> Response:
    ws = access.workspace
    now = _now(request)
    zone = ZoneInfo(ws.timezone)
    today = now.astimezone(zone).date()
    try:
        anchor = date.fromisoformat(at) if at else today
    except ValueError:
        anchor = today
    view = view if view in ("week", "month") else "week"
    _, _, shown, shown_end = plan.calendar_range(anchor, view)
    start_utc, end_utc = plan.day_bounds(shown, shown_end, ws.timezone)
    posts = queries.list_posts(conn, ws.id, start=start_utc, end=end_utc)
    first, end, weeks = plan.calendar(posts, anchor, view, ws.timezone)
    step = timedelta(days=7) if view == "week" else timedelta(days=31)
    prev_at = (first - timedelta(days=1)).replace(day=1) if view == "month" else first - step
    stats = queries.link_stats(conn, ws.id)
    form = form or {
        "text": "",
        "networks": ["x", "mastodon", "bluesky"],
        "slots": [],
        "when": "",
        "kind": "conversation",
        "campaign": "",
        "no_track": False,
    }
    slots: list[Slot] = list(form["slots"])  # type: ignore[call-overload]
    base = f"/w/{ws.slug}/publish"
    if composition is None:
        composition = check(
            split_parts(str(form["text"])),
            list(form["networks"]),  # type: ignore[call-overload]
            attachments(conn, ws.id, slots),
        )

    def cal_url(**changes: str) -> str:
        params = {"view": view, "at": anchor.isoformat(), **changes}
        return f"/w/{ws.slug}/publish?" + urlencode(params)

    return render(
        request,
        "publish.html",
        {
            "workspace": ws,
            "workspaces": user_workspaces(conn, user.user.id),
            "role": access.role,
            "can_schedule": access.role in ("manager", "owner"),
            "form": form,
            "media_slots": slot_views(conn, ws.id, slots, base),
            "base": base,
            "errors_title": errors_title,
            "composition": composition,
            "errors": errors,
            "done": done,
            "networks": NETWORKS,
            "network_labels": NETWORK_LABELS,
            "kind_labels": KIND_LABELS,
            "view": view,
            "weeks": weeks,
            "first": first,
            "today": today,
            "cal_prev": cal_url(at=prev_at.isoformat()),
            "cal_next": cal_url(at=end.isoformat()),
            "cal_week": cal_url(view="week"),
            "cal_month": cal_url(view="month"),
            "balance": plan.plan_balance(conn, ws.id, now, promotion_share(conn, ws.id)),
            "best": plan.best_time(conn, ws.id, ws.timezone, now),
            "drafts": queries.list_posts(conn, ws.id, states=["draft", "failed"], limit=20),
            "links": stats[:20],
            "campaigns": clicks_by(stats, "campaign"),
            "tracking": bool(request.app.state.settings.public_base_url),
            "tz": ws.timezone,
            "hour_minute": lambda moment: f"{moment.astimezone(zone):%H:%M}",
        },
        status_code=status_code,
    )


@router.get("/w/{slug}/publish")
def publish_page(
    request: Request,
    access: CurrentWorkspace,
    user: CurrentUser,
    conn: ConnDep,
    view: str = "week",
    at: str = "",
    done: str = "",
) -> Response:
    return _page(request, access, user, conn, view=view, at=at, done=done)


@router.post("/w/{slug}/publish/check")
def publish_check(
    request: Request,
    access: CurrentWorkspace,
    conn: ConnDep,
    slots: SlotsDep,
    text: Annotated[str, Form()] = "",
    networks: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """The counters and messages for the text so far (an htmx fragment)."""
    ws = access.workspace
    composition = check(split_parts(text), networks or [], attachments(conn, ws.id, slots))
    return render(
        request,
        "publish_counters.html",
        {
            "composition": composition,
            "network_labels": NETWORK_LABELS,
            "workspace": ws,
            "base": f"/w/{ws.slug}/publish",
            "oob": True,  # the preview comes along, swapped in by its id
        },
    )


@router.get("/w/{slug}/publish/media/{sha}")
def publish_media_thumbnail(
    access: CurrentWorkspace, conn: ConnDep, settings: SettingsDep, sha: str
) -> Response:
    """The thumbnail of one of the workspace's images (404 for anyone else's)."""
    row = media_by_sha(conn, access.workspace.id, [sha.lower()]).get(sha.lower())
    if row is None:
        raise HTTPException(status_code=404, detail="No such image")
    try:
        data, mime = thumbnail(media_root(settings), row)
    except (OSError, ValueError):
        raise HTTPException(status_code=404, detail="The image file is missing") from None
    return Response(data, media_type=mime, headers={"Cache-Control": "private, max-age=86400"})


@router.post("/w/{slug}/publish")
def publish_save(
    request: Request,
    access: CurrentWorkspace,
    user: CurrentUser,
    conn: ConnDep,
    store: StoreDep,
    settings: SettingsDep,
    slots: SlotsDep,
    action: Annotated[str, Form()] = "draft",
    text: Annotated[str, Form()] = "",
    networks: Annotated[list[str] | None, Form()] = None,
    when: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "conversation",
    campaign: Annotated[str, Form()] = "",
    no_track: Annotated[str, Form()] = "",
) -> Response:
    ws = access.workspace
    kept, upload_errors = store_uploads(
        store,
        media_root(settings),
        ws.id,
        slots,
        now=_now(request),
        user_id=user.user.id,
    )
    conn.rollback()  # end the read snapshot taken before the uploads: see their rows
    if action.startswith("remove-"):
        kept = without(kept, action)
    state = _form_state(text, networks or [], kept, when, kind, campaign, no_track)
    if action == "split":
        parts = [p for p in split_parts(text) if p]
        suggested = [s for p in parts for s in split_thread(p, networks or list(NETWORKS))]
        state["text"] = join_parts(suggested)
    if action in ("split", "attach") or action.startswith("remove-"):
        return _page(
            request,
            access,
            user,
            conn,
            form=state,
            errors=tuple(upload_errors),
            errors_title="Not attached:",
        )
    if upload_errors:
        return _page(
            request, access, user, conn, form=state, errors=tuple(upload_errors), status_code=422
        )
    schedule = action == "schedule"
    if schedule:
        require_role(access, "manager")
    scheduled_for = local_to_utc(when, ws.timezone)
    if when.strip() and scheduled_for is None:
        return _page(
            request,
            access,
            user,
            conn,
            form=state,
            errors=("the time is not a date and time",),
            status_code=422,
        )
    form = PostForm(
        parts=split_parts(text),
        networks=tuple(networks or ()),
        media=attachments(conn, ws.id, kept),
        scheduled_for=scheduled_for,
        kind=kind,
        campaign=campaign,
        track_links=not no_track,
    )
    result = save(store, ws.id, form, schedule=schedule, now=_now(request), user_id=user.user.id)
    if not result.ok:
        return _page(
            request,
            access,
            user,
            conn,
            form=state,
            composition=result.composition,
            errors=result.errors,
            status_code=422,
        )
    message = "Scheduled." if schedule else "Saved as a draft."
    at = ""
    if scheduled_for is not None:
        at = scheduled_for.astimezone(ZoneInfo(ws.timezone)).date().isoformat()
    query = urlencode({"done": message, **({"at": at} if at else {})})
    return RedirectResponse(f"/w/{ws.slug}/publish?{query}", status_code=303)


@router.post("/w/{slug}/publish/{post_id}/unschedule")
def publish_unschedule(
    request: Request, access: CurrentWorkspace, store: StoreDep, post_id: int
) -> Response:
    """Take a scheduled (or failed) post back to the drafts (manager or owner)."""
    require_role(access, "manager")
    ws = access.workspace
    with store.begin() as conn:
        post = queries.get_post(conn, post_id, ws.id)
        if post is None:
            raise HTTPException(status_code=404, detail="No such post")
        changed = queries.set_schedule(
            conn, post_id, ws.id, state="draft", scheduled_for=post.scheduled_for, now=_now(request)
        )
    message = "Back in the drafts." if changed else f"Too late: the post is {post.state}."
    return RedirectResponse(f"/w/{ws.slug}/publish?{urlencode({'done': message})}", status_code=303)
