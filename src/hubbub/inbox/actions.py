"""Inbox actions by people: assign, change state, reply by hand, notes, canned replies,
bulk changes, and the response-time figures; every change is written to the audit log.

Each function runs in the caller's transaction and checks that the item belongs to
the workspace it is asked about, so a route cannot reach another business's item.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from hubbub.inbox.rules import RESOLVED_STATES, TRANSITIONS, InboxError, reply_length
from hubbub.model import INBOX_STATES
from hubbub.store.inbox import response_durations
from hubbub.store.tables import audit_log, canned_replies, inbox_items, inbox_notes, memberships

__all__ = [
    "BulkResult",
    "MemberTimes",
    "add_canned_reply",
    "add_note",
    "assign",
    "bulk",
    "delete_canned_reply",
    "mark_replied",
    "member_times",
    "record_audit",
    "set_state",
]

# --- audit ---------------------------------------------------------------------------------


def record_audit(
    conn: Connection,
    workspace_id: int,
    user_id: int | None,
    action: str,
    subject: str,
    detail: Mapping[str, Any] | None = None,
    *,
    now: datetime | None = None,
) -> None:
    """Append one line to the audit log (``user_id`` None: hubbub itself)."""
    conn.execute(
        insert(audit_log).values(
            workspace_id=workspace_id,
            user_id=user_id,
            action=action,
            subject=subject,
            detail=dict(detail or {}),
            created=now or datetime.now(UTC),
        )
    )


# --- actions -----------------------------------------------------------------------------


def _item(conn: Connection, workspace_id: int, item_id: int) -> Any:
    row = conn.execute(
        select(inbox_items).where(
            inbox_items.c.id == item_id, inbox_items.c.workspace_id == workspace_id
        )
    ).first()
    if row is None:
        raise InboxError(f"inbox item {item_id}: not in this workspace")
    return row


def _is_member(conn: Connection, workspace_id: int, user_id: int) -> bool:
    found = conn.execute(
        select(memberships.c.user_id).where(
            memberships.c.workspace_id == workspace_id, memberships.c.user_id == user_id
        )
    ).first()
    return found is not None


def assign(
    conn: Connection,
    workspace_id: int,
    item_id: int,
    assignee_id: int | None,
    actor_id: int | None,
    *,
    now: datetime | None = None,
) -> str:
    """Assign an item to a member of the workspace (``None`` unassigns); return its state.

    A ``new`` item becomes ``assigned``; unassigning an ``assigned`` item makes it
    ``new`` again; other states keep their state and only change hands.
    """
    now = now or datetime.now(UTC)
    row = _item(conn, workspace_id, item_id)
    if assignee_id is not None and not _is_member(conn, workspace_id, assignee_id):
        raise InboxError(f"user {assignee_id}: not a member of this workspace")
    state = row.state
    if assignee_id is not None and state == "new":
        state = "assigned"
    elif assignee_id is None and state == "assigned":
        state = "new"
    if (assignee_id, state) == (row.assignee_id, row.state):
        return str(state)
    conn.execute(
        update(inbox_items)
        .where(inbox_items.c.id == item_id)
        .values(assignee_id=assignee_id, state=state, updated=now)
    )
    detail = {"from": row.assignee_id, "to": assignee_id, "state": [row.state, state]}
    record_audit(
        conn, workspace_id, actor_id, "inbox.assign", f"inbox_item:{item_id}", detail, now=now
    )
    return str(state)


def set_state(
    conn: Connection,
    workspace_id: int,
    item_id: int,
    state: str,
    actor_id: int | None,
    *,
    now: datetime | None = None,
    reply_text: str | None = None,
) -> None:
    """Move an item to ``state`` along :data:`TRANSITIONS`, recording the times.

    ``replied`` sets the first response (once: time and who); ``done`` and ``ignored``
    set the resolution; going back to ``new`` clears the resolution (and the assignee).
    """
    now = now or datetime.now(UTC)
    if state not in INBOX_STATES:
        raise InboxError(f"state {state!r}: must be one of {', '.join(INBOX_STATES)}")
    row = _item(conn, workspace_id, item_id)
    if state == "assigned":
        raise InboxError("state 'assigned': assign the item to someone instead")
    if state not in TRANSITIONS[row.state]:
        raise InboxError(f"inbox item {item_id}: cannot go from {row.state} to {state}")
    values: dict[str, Any] = {"state": state, "updated": now}
    if state == "replied":
        if row.first_response is None:
            values.update(first_response=now, first_responder_id=actor_id)
        if reply_text is not None:
            values["reply_text"] = reply_text
    elif state in RESOLVED_STATES:
        values.update(resolved=now, resolver_id=actor_id)
    elif state == "new":
        values.update(resolved=None, resolver_id=None, assignee_id=None)
    conn.execute(update(inbox_items).where(inbox_items.c.id == item_id).values(**values))
    record_audit(
        conn,
        workspace_id,
        actor_id,
        "inbox.state",
        f"inbox_item:{item_id}",
        {"from": row.state, "to": state},
        now=now,
    )


def mark_replied(
    conn: Connection,
    workspace_id: int,
    item_id: int,
    reply_text: str,
    actor_id: int | None,
    *,
    network: str,
    now: datetime | None = None,
) -> None:
    """Record a reply made by hand (copied and pasted on the network): validates it for
    ``network``, keeps its text and marks the item ``replied``."""
    text = reply_text.strip()
    if not text:
        raise InboxError("reply: must not be empty")
    length, limit, fits = reply_length(text, network)
    if not fits:
        raise InboxError(f"reply: {length} characters, over {network}'s limit of {limit}")
    set_state(conn, workspace_id, item_id, "replied", actor_id, now=now, reply_text=text)


def add_note(
    conn: Connection,
    workspace_id: int,
    item_id: int,
    text: str,
    user_id: int | None,
    *,
    now: datetime | None = None,
) -> int:
    """Add a note to an item (for the team, never posted); return its id."""
    now = now or datetime.now(UTC)
    body = text.strip()
    if not body:
        raise InboxError("note: must not be empty")
    if len(body) > 5000:
        raise InboxError("note: longer than 5,000 characters")
    _item(conn, workspace_id, item_id)
    result = conn.execute(
        insert(inbox_notes).values(item_id=item_id, user_id=user_id, text=body, created=now)
    )
    record_audit(conn, workspace_id, user_id, "inbox.note", f"inbox_item:{item_id}", now=now)
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def add_canned_reply(
    conn: Connection, workspace_id: int, title: str, text: str, user_id: int | None
) -> int:
    """Save a canned reply for the workspace; return its id."""
    title, text = title.strip(), text.strip()
    if not title or not text:
        raise InboxError("canned reply: title and text must not be empty")
    exists = conn.execute(
        select(canned_replies.c.id).where(
            canned_replies.c.workspace_id == workspace_id, canned_replies.c.title == title
        )
    ).first()
    if exists is not None:
        raise InboxError(f"canned reply {title!r}: a reply with this title exists")
    now = datetime.now(UTC)
    result = conn.execute(
        insert(canned_replies).values(
            workspace_id=workspace_id, title=title[:200], text=text, created=now
        )
    )
    record_audit(conn, workspace_id, user_id, "inbox.canned_add", f"canned:{title}", now=now)
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def delete_canned_reply(
    conn: Connection, workspace_id: int, reply_id: int, user_id: int | None
) -> None:
    """Delete one of the workspace's canned replies."""
    deleted = conn.execute(
        canned_replies.delete().where(
            canned_replies.c.id == reply_id, canned_replies.c.workspace_id == workspace_id
        )
    ).rowcount
    if not deleted:
        raise InboxError(f"canned reply {reply_id}: not in this workspace")
    record_audit(conn, workspace_id, user_id, "inbox.canned_delete", f"canned:{reply_id}")


@dataclass(frozen=True, slots=True)
class BulkResult:
    changed: int
    skipped: list[str]  # one line per item that could not be changed, and why


def bulk(
    conn: Connection,
    workspace_id: int,
    item_ids: Sequence[int],
    action: str,
    actor_id: int | None,
    *,
    assignee_id: int | None = None,
    now: datetime | None = None,
) -> BulkResult:
    """``assign`` (to ``assignee_id``), ``done`` or ``ignore`` many items at once.

    Items that cannot take the action (e.g. already done) are skipped and listed."""
    if action not in ("assign", "done", "ignore"):
        raise InboxError(f"bulk action {action!r}: must be assign, done or ignore")
    if action == "assign" and assignee_id is None:
        raise InboxError("bulk assign: choose whom to assign to")
    changed, skipped = 0, []
    for item_id in dict.fromkeys(item_ids):
        try:
            if action == "assign":
                assign(conn, workspace_id, item_id, assignee_id, actor_id, now=now)
            else:
                target = "done" if action == "done" else "ignored"
                set_state(conn, workspace_id, item_id, target, actor_id, now=now)
        except InboxError as exc:
            skipped.append(str(exc))
        else:
            changed += 1
    return BulkResult(changed, skipped)


# --- response times ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MemberTimes:
    """First-response and resolution figures of one member (``user_id`` None: everyone)."""

    user_id: int | None
    responded: int
    resolved: int
    median_first_response_hours: float | None
    median_resolution_hours: float | None
    within_target: float | None  # share of first responses within the target, 0..1


def _figures(
    user_id: int | None, firsts: list[float], fixes: list[float], target: float
) -> MemberTimes:
    return MemberTimes(
        user_id=user_id,
        responded=len(firsts),
        resolved=len(fixes),
        median_first_response_hours=statistics.median(firsts) if firsts else None,
        median_resolution_hours=statistics.median(fixes) if fixes else None,
        within_target=sum(h <= target for h in firsts) / len(firsts) if firsts else None,
    )


def member_times(
    conn: Connection, workspace_id: int, target_hours: float, since: datetime | None = None
) -> list[MemberTimes]:
    """The whole team's figures first, then each member's: first responses count for
    whoever responded, resolutions for whoever resolved.

    Reads only the durations (:func:`~hubbub.store.inbox.response_durations`, worked
    out in SQL on SQLite) in one pass: a month of a busy workspace is tens of thousands
    of items, and this runs for every Inbox page. Hours are microseconds / 10**6 / 3600,
    as ``timedelta.total_seconds() / 3600`` gives them, so the figures are the same."""
    firsts: list[float] = []
    fixes: list[float] = []
    mine: dict[int, tuple[list[float], list[float]]] = {}
    for responder, first_us, resolver, fix_us in response_durations(conn, workspace_id, since):
        if responder is not None and responder not in mine:
            mine[responder] = ([], [])
        if resolver is not None and resolver not in mine:
            mine[resolver] = ([], [])
        if first_us is not None:
            hours = first_us / 1_000_000 / 3600
            firsts.append(hours)
            if responder is not None:
                mine[responder][0].append(hours)
        if fix_us is not None:
            hours = fix_us / 1_000_000 / 3600
            fixes.append(hours)
            if resolver is not None:
                mine[resolver][1].append(hours)
    out = [_figures(None, firsts, fixes, target_hours)]
    for uid in sorted(mine):
        out.append(_figures(uid, *mine[uid], target_hours))
    return out
