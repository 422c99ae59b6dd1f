"""Triage: turning a workspace's mentions into inbox items, idempotently.

:mod:`hubbub.listen` calls :func:`triage` after each batch in the batch's own
transaction with ``since`` = the batch's oldest post, so a batch costs a scan of its
own time range (served by ``ix_mentions_workspace_created``) plus, only when the
batch holds answers by the business, a look at the open items older than it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, false, func, insert, or_, select, update

from hubbub import codec
from hubbub.inbox.actions import record_audit
from hubbub.inbox.rules import Candidate, InboxError, base_priority, needs_person, same_any
from hubbub.model import Workspace
from hubbub.store.inbox import OPEN_STATES
from hubbub.store.tables import (
    accounts,
    inbox_items,
    mention_streams,
    mentions,
    posts,
    streams,
    workspaces,
)
from hubbub.store.types import as_utc, entities_from_json

__all__ = ["TriageReport", "triage"]

# --- triage --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TriageReport:
    examined: int = 0
    created: int = 0
    refreshed: int = 0
    auto_replied: int = 0


def _workspace(conn: Connection, workspace_id: int) -> Workspace:
    config = conn.execute(
        select(workspaces.c.config).where(workspaces.c.id == workspace_id)
    ).scalar_one_or_none()
    if config is None:
        raise InboxError(f"workspace id {workspace_id}: no such workspace")
    ws: Workspace = codec.from_dict(Workspace, config, f"workspaces[{workspace_id}].config")
    return ws


def _responder_ids(conn: Connection, ws: Workspace) -> set[int]:
    """Account ids of the business's and its team's handles."""
    wanted: dict[str, list[str]] = defaultdict(list)
    for mapping in [ws.handles, *(m.handles for m in ws.team)]:
        for network, handle in mapping.items():
            wanted[network].append(handle)
    found: set[int] = set()
    for network, handles in wanted.items():
        stems = {h.strip().lstrip("@").split("@", 1)[0].lower() for h in handles}
        rows = conn.execute(
            select(accounts.c.id, accounts.c.handle)
            .where(accounts.c.network == network)
            .where(accounts.c.handle.in_(list(stems) + list(handles)) | _like_any(stems))
        )
        found.update(r.id for r in rows if same_any([r.handle], handles))
    return found


def _like_any(stems: Iterable[str]) -> Any:
    clauses = [func.lower(accounts.c.handle).like(f"{s}%") for s in stems if s]
    return or_(*clauses) if clauses else false()


def _answers(
    conn: Connection, responders: set[int], since: datetime | None
) -> tuple[dict[tuple[str, str], list[datetime]], dict[tuple[str, str], list[datetime]]]:
    """Times of the responders' replies by (network, conversation) and (network, parent)."""
    by_conv: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    by_parent: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    if not responders:
        return by_conv, by_parent
    query = select(
        posts.c.network, posts.c.conversation_id, posts.c.reply_to, posts.c.created
    ).where(posts.c.account_id.in_(sorted(responders)), posts.c.reply_to.is_not(None))
    if since is not None:
        query = query.where(posts.c.created >= since)
    for r in conn.execute(query):
        when = as_utc(r.created)
        if r.conversation_id:
            by_conv[(r.network, r.conversation_id)].append(when)
        by_parent[(r.network, r.reply_to)].append(when)
    return by_conv, by_parent


def _stream_kinds(
    conn: Connection, workspace_id: int, since: datetime | None, until: datetime | None
) -> dict[int, tuple[str, ...]]:
    query = (
        select(mention_streams.c.mention_id, streams.c.kind)
        .join(streams, streams.c.id == mention_streams.c.stream_id)
        .join(mentions, mentions.c.id == mention_streams.c.mention_id)
        .where(mentions.c.workspace_id == workspace_id)
    )
    if since is not None:
        query = query.where(mentions.c.created >= since)
    if until is not None:
        query = query.where(mentions.c.created <= until)
    found: dict[int, set[str]] = defaultdict(set)
    for mention_id, kind in conn.execute(query):
        found[int(mention_id)].add(str(kind))
    return {k: tuple(sorted(v)) for k, v in found.items()}


def _first_answer(
    network: str,
    native_id: str,
    conversation: str | None,
    created: datetime,
    by_conv: Mapping[tuple[str, str], list[datetime]],
    by_parent: Mapping[tuple[str, str], list[datetime]],
) -> datetime | None:
    times = list(by_parent.get((network, native_id), ()))
    if conversation:
        times += by_conv.get((network, conversation), ())
    later = [t for t in times if t > created]
    return min(later) if later else None


def triage(
    conn: Connection,
    workspace_id: int,
    since: datetime | None = None,
    *,
    until: datetime | None = None,
    now: datetime | None = None,
) -> TriageReport:
    """Create or refresh the inbox items of a workspace's mentions created in [since, until].

    The runner passes one batch's time span, so a source that pages newest first
    (X search) does not make every batch rescan all that is newer. Answers by the
    business are looked for from ``since`` on, however late, since an answer may
    have been stored before the post it answers.

    Idempotent: a mention gets at most one item; a known item keeps its state, and an
    open one takes the current base priority and is marked ``replied`` (by hubbub,
    audited) once the business has answered in its thread. Runs in the caller's
    transaction.
    """
    now = now or datetime.now(UTC)
    ws = _workspace(conn, workspace_id)
    by_conv, by_parent = _answers(conn, _responder_ids(conn, ws), since)
    query = (
        select(
            mentions.c.id,
            mentions.c.created,
            mentions.c.network,
            mentions.c.intents,
            mentions.c.relationship,
            mentions.c.post_type,
            mentions.c.sentiment_label,
            mentions.c.sentiment_score,
            mentions.c.reach,
            posts.c.native_id,
            posts.c.conversation_id,
            posts.c.reply_to_handle,
            posts.c.entities,
            accounts.c.handle,
            accounts.c.followers,
            inbox_items.c.id.label("item_id"),
            inbox_items.c.state,
            inbox_items.c.priority,
            inbox_items.c.reason,
        )
        .join(posts, posts.c.id == mentions.c.post_id)
        .join(accounts, accounts.c.id == mentions.c.author_id)
        .outerjoin(inbox_items, inbox_items.c.mention_id == mentions.c.id)
        .where(mentions.c.workspace_id == workspace_id)
    )
    auto = 0
    if since is not None:
        query = query.where(mentions.c.created >= since)
    if until is not None:
        query = query.where(mentions.c.created <= until)
    if since is not None:
        # open items older than the window may have been answered in it
        auto = _answer_old_items(conn, workspace_id, since, by_conv, by_parent, now)
    kinds = _stream_kinds(conn, workspace_id, since, until)
    new_rows: list[dict[str, Any]] = []
    refreshed = examined = 0
    for r in conn.execute(query).all():
        examined += 1
        if r.item_id is not None and r.state not in OPEN_STATES:
            continue
        ents = entities_from_json(r.entities)
        cand = Candidate(
            network=r.network,
            author_handle=r.handle,
            relationship=r.relationship,
            post_type=r.post_type,
            intents=tuple(r.intents or ()),
            sentiment_label=r.sentiment_label,
            sentiment_score=float(r.sentiment_score),
            followers=r.followers if r.followers is not None else r.reach,
            reply_to_handle=r.reply_to_handle,
            mentioned=tuple(s.text for s in ents.mentions) if ents else (),
            stream_kinds=kinds.get(r.id, ()),
        )
        created = as_utc(r.created)
        answered = _first_answer(
            r.network, r.native_id, r.conversation_id, created, by_conv, by_parent
        )
        if r.item_id is not None:
            if answered is not None:
                _auto_replied(conn, workspace_id, r.item_id, r.state, answered, now)
                auto += 1
                continue
            priority = base_priority(cand, ws)
            if priority != r.priority:
                conn.execute(
                    update(inbox_items)
                    .where(inbox_items.c.id == r.item_id)
                    .values(priority=priority, updated=now)
                )
                refreshed += 1
            continue
        reason = needs_person(cand, ws)
        if reason is None or answered is not None:
            continue
        new_rows.append(
            {
                "workspace_id": workspace_id,
                "mention_id": r.id,
                "state": "new",
                "assignee_id": None,
                "priority": base_priority(cand, ws),
                "reason": reason,
                "created": created,
                "triaged": now,
                "updated": now,
            }
        )
    if new_rows:
        conn.execute(insert(inbox_items), new_rows)
    report = TriageReport(examined, len(new_rows), refreshed, auto)
    if new_rows or auto:
        record_audit(
            conn,
            workspace_id,
            None,
            "inbox.triage",
            f"workspace:{workspace_id}",
            {"created": len(new_rows), "auto_replied": auto},
            now=now,
        )
    return report


def _answer_old_items(
    conn: Connection,
    workspace_id: int,
    since: datetime,
    by_conv: Mapping[tuple[str, str], list[datetime]],
    by_parent: Mapping[tuple[str, str], list[datetime]],
    now: datetime,
) -> int:
    """Mark ``replied`` the open items from before ``since`` answered since then."""
    if not by_conv and not by_parent:
        return 0  # the usual case: no answers by the business in this window
    rows = conn.execute(
        select(
            inbox_items.c.id,
            inbox_items.c.state,
            inbox_items.c.created,
            posts.c.network,
            posts.c.native_id,
            posts.c.conversation_id,
        )
        .join(mentions, mentions.c.id == inbox_items.c.mention_id)
        .join(posts, posts.c.id == mentions.c.post_id)
        .where(
            inbox_items.c.workspace_id == workspace_id,
            inbox_items.c.state.in_(OPEN_STATES),
            inbox_items.c.created < since,
        )
    ).all()
    done = 0
    for r in rows:
        created = as_utc(r.created)
        answered = _first_answer(
            r.network, r.native_id, r.conversation_id, created, by_conv, by_parent
        )
        if answered is not None:
            _auto_replied(conn, workspace_id, r.id, r.state, answered, now)
            done += 1
    return done


def _auto_replied(
    conn: Connection, workspace_id: int, item_id: int, state: str, answered: datetime, now: datetime
) -> None:
    conn.execute(
        update(inbox_items)
        .where(inbox_items.c.id == item_id)
        .values(state="replied", first_response=answered, updated=now)
    )
    record_audit(
        conn,
        workspace_id,
        None,
        "inbox.state",
        f"inbox_item:{item_id}",
        {"from": state, "to": "replied", "why": "answered in its thread"},
        now=now,
    )
