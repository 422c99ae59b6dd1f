"""Read queries behind the Inbox: its items, one item with its thread, notes, canned
replies, the team, response times and the audit log.

The inbox's rules (which mentions need a person, priority, states) live in
:mod:`hubbub.inbox`; this module only reads, and returns plain dataclasses, so the
web routes never touch tables (DESIGN.md: views read the store through ``store/``).

Priority has a time-independent part stored on the row and an age part that grows
as an item waits. The age part is a step function of the item's ``created`` time,
so it is passed in as ``age_steps`` (cutoff, points) pairs that
:func:`hubbub.inbox.age_steps` computes for "now"; the query turns them into one
``CASE`` expression, so ordering by the current priority happens in the database on
both SQLite and PostgreSQL without rewriting rows as time passes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Text,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import aliased

from hubbub.model import Entities
from hubbub.store.tables import (
    accounts,
    audit_log,
    canned_replies,
    inbox_items,
    inbox_notes,
    memberships,
    mentions,
    posts,
    users,
)
from hubbub.store.types import as_utc, entities_from_json, opt_utc

__all__ = [
    "OPEN_STATES",
    "AgeStep",
    "AuditEntry",
    "CannedReply",
    "ItemDetail",
    "ItemPage",
    "ItemRow",
    "Member",
    "Note",
    "ResponseRow",
    "ThreadPost",
    "audit_entries",
    "canned_reply_list",
    "item_detail",
    "item_network",
    "list_items",
    "members",
    "notes",
    "reply_target",
    "response_durations",
    "response_rows",
    "state_counts",
    "thread",
]

OPEN_STATES = ("new", "assigned")

#: ``(cutoff, points)``: an item created at or before ``cutoff`` (and after the next
#: step's cutoff) gets ``points``; steps run from the newest cutoff to the oldest.
AgeStep = tuple[datetime, float]


@dataclass(frozen=True, slots=True)
class ItemRow:
    id: int
    mention_id: int
    state: str
    assignee_id: int | None
    assignee: str  # the assignee's display name, "" when unassigned
    priority: float  # the current priority: stored part plus age part
    reason: str
    created: datetime
    first_response: datetime | None
    resolved: datetime | None
    overdue: bool
    network: str
    native_id: str
    url: str
    text: str
    entities: Entities | None
    author_handle: str
    author_name: str
    author_followers: int | None
    sentiment: str
    sentiment_score: float
    intents: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ItemPage:
    items: list[ItemRow]
    total: int  # matching items, before limit and offset


@dataclass(frozen=True, slots=True)
class ItemDetail:
    item: ItemRow
    reply_text: str
    conversation_id: str | None
    reply_to: str | None
    reply_to_handle: str | None
    insight: dict[str, Any]  # codec.to_dict(Insight)
    first_responder: str
    resolver: str


@dataclass(frozen=True, slots=True)
class ThreadPost:
    network: str
    native_id: str
    text: str
    created: datetime
    author_handle: str
    author_name: str
    url: str
    entities: Entities | None
    is_item: bool  # the post the inbox item is about


@dataclass(frozen=True, slots=True)
class Note:
    id: int
    author: str
    text: str
    created: datetime


@dataclass(frozen=True, slots=True)
class CannedReply:
    id: int
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class Member:
    id: int
    username: str
    name: str
    role: str

    @property
    def label(self) -> str:
        return self.name or self.username


@dataclass(frozen=True, slots=True)
class ResponseRow:
    """One item's times, for per-item and per-member figures."""

    item_id: int
    created: datetime
    first_response: datetime | None
    first_responder_id: int | None
    resolved: datetime | None
    resolver_id: int | None
    assignee_id: int | None
    state: str


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    user: str  # "" for hubbub itself
    action: str
    subject: str
    detail: dict[str, Any]
    created: datetime


def _age_points(steps: Sequence[AgeStep]) -> ColumnElement[float]:
    if not steps:
        return literal(0.0)
    whens = [(inbox_items.c.created > cutoff, literal(float(points))) for cutoff, points in steps]
    return case(*whens, else_=literal(0.0))


def _overdue(deadline: datetime) -> ColumnElement[bool]:
    """Still open and waiting since before ``deadline`` (now minus the target)."""
    return and_(inbox_items.c.state.in_(OPEN_STATES), inbox_items.c.created < deadline)


_assignee = aliased(users)


def _item_select(steps: Sequence[AgeStep], deadline: datetime) -> Select[Any]:
    current = (inbox_items.c.priority + _age_points(steps)).label("current")
    return (
        select(
            inbox_items.c.id,
            inbox_items.c.mention_id,
            inbox_items.c.state,
            inbox_items.c.assignee_id,
            _assignee.c.name.label("assignee_name"),
            _assignee.c.username.label("assignee_username"),
            current,
            inbox_items.c.reason,
            inbox_items.c.created,
            inbox_items.c.first_response,
            inbox_items.c.resolved,
            _overdue(deadline).label("overdue"),
            mentions.c.network,
            mentions.c.sentiment_label,
            mentions.c.sentiment_score,
            mentions.c.intents,
            posts.c.native_id,
            posts.c.url,
            posts.c.text,
            posts.c.entities,
            accounts.c.handle,
            accounts.c.name,
            accounts.c.followers,
        )
        .select_from(inbox_items)
        .join(mentions, mentions.c.id == inbox_items.c.mention_id)
        .join(posts, posts.c.id == mentions.c.post_id)
        .join(accounts, accounts.c.id == mentions.c.author_id)
        .outerjoin(_assignee, _assignee.c.id == inbox_items.c.assignee_id)
    )


def _row(r: Any) -> ItemRow:
    return ItemRow(
        id=r.id,
        mention_id=r.mention_id,
        state=r.state,
        assignee_id=r.assignee_id,
        assignee=r.assignee_name or r.assignee_username or "",
        priority=round(float(r.current), 1),
        reason=r.reason,
        created=as_utc(r.created),
        first_response=opt_utc(r.first_response),
        resolved=opt_utc(r.resolved),
        overdue=bool(r.overdue),
        network=r.network,
        native_id=r.native_id,
        url=r.url,
        text=r.text,
        entities=entities_from_json(r.entities),
        author_handle=r.handle,
        author_name=r.name,
        author_followers=r.followers,
        sentiment=r.sentiment_label,
        sentiment_score=float(r.sentiment_score),
        intents=tuple(r.intents or ()),
    )


def list_items(
    conn: Connection,
    workspace_id: int,
    *,
    age_steps: Sequence[AgeStep],
    deadline: datetime,
    states: Sequence[str] | None = None,
    assignee: int | None = None,
    unassigned: bool = False,
    intent: str | None = None,
    overdue: bool = False,
    limit: int = 50,
    offset: int = 0,
    since: datetime | None = None,
    until: datetime | None = None,
) -> ItemPage:
    """The workspace's items matching the filters, highest current priority first.

    ``deadline`` is now minus the workspace's response target: an open item created
    before it is overdue. ``intent`` matches items whose mention has that intent, or
    the reason ``reply``/``mention`` (addressed to the business). ``since`` and
    ``until`` keep the items created in ``[since, until)`` (a report's window).
    """
    where: list[ColumnElement[bool]] = [inbox_items.c.workspace_id == workspace_id]
    if since is not None:
        where.append(inbox_items.c.created >= as_utc(since))
    if until is not None:
        where.append(inbox_items.c.created < as_utc(until))
    if states:
        where.append(inbox_items.c.state.in_(list(states)))
    if unassigned:
        where.append(inbox_items.c.assignee_id.is_(None))
    elif assignee is not None:
        where.append(inbox_items.c.assignee_id == assignee)
    if intent:
        # the JSON list is stored as text on both databases' JSON types; a quoted
        # label is a whole element, since no intent label contains another's quotes
        where.append(
            or_(
                inbox_items.c.reason == intent,
                cast(mentions.c.intents, Text).like(f'%"{intent}"%'),
            )
        )
    if overdue:
        where.append(_overdue(deadline))
    # the items alone first (the mention only for the intent filter): ordering by the
    # current priority needs every matching item, and joining posts and authors to
    # each of them before the LIMIT cost more than the rest of the page
    matching = select(inbox_items.c.id).select_from(inbox_items)
    if intent:
        matching = matching.join(mentions, mentions.c.id == inbox_items.c.mention_id)
    matching = matching.where(*where)
    total = conn.execute(select(func.count()).select_from(matching.subquery())).scalar_one()
    order = (
        (inbox_items.c.priority + _age_points(age_steps)).desc(),
        inbox_items.c.created.desc(),
        inbox_items.c.id.desc(),
    )
    page = matching.order_by(*order).limit(limit).offset(offset)
    query = _item_select(age_steps, deadline).where(inbox_items.c.id.in_(page)).order_by(*order)
    return ItemPage(items=[_row(r) for r in conn.execute(query)], total=int(total))


def item_network(conn: Connection, workspace_id: int, item_id: int) -> str | None:
    """The network of an item's post, or ``None`` when the workspace has no such item."""
    value = conn.execute(
        select(mentions.c.network)
        .join(inbox_items, inbox_items.c.mention_id == mentions.c.id)
        .where(inbox_items.c.id == item_id, inbox_items.c.workspace_id == workspace_id)
    ).scalar()
    return None if value is None else str(value)


def reply_target(conn: Connection, workspace_id: int, item_id: int) -> tuple[str, str] | None:
    """``(network, native post id)`` a reply to the item goes under, or ``None``."""
    row = conn.execute(
        select(posts.c.network, posts.c.native_id)
        .join(mentions, mentions.c.post_id == posts.c.id)
        .join(inbox_items, inbox_items.c.mention_id == mentions.c.id)
        .where(inbox_items.c.id == item_id, inbox_items.c.workspace_id == workspace_id)
    ).first()
    return None if row is None else (str(row.network), str(row.native_id))


def item_detail(
    conn: Connection,
    workspace_id: int,
    item_id: int,
    *,
    age_steps: Sequence[AgeStep],
    deadline: datetime,
) -> ItemDetail | None:
    """One item of the workspace with its post's thread links and insight, or ``None``."""
    responder, resolver = aliased(users), aliased(users)
    query = (
        _item_select(age_steps, deadline)
        .add_columns(
            inbox_items.c.reply_text,
            posts.c.conversation_id,
            posts.c.reply_to,
            posts.c.reply_to_handle,
            mentions.c.insight,
            func.coalesce(responder.c.name, responder.c.username, "").label("responder"),
            func.coalesce(resolver.c.name, resolver.c.username, "").label("resolver"),
        )
        .outerjoin(responder, responder.c.id == inbox_items.c.first_responder_id)
        .outerjoin(resolver, resolver.c.id == inbox_items.c.resolver_id)
        .where(inbox_items.c.workspace_id == workspace_id, inbox_items.c.id == item_id)
    )
    r = conn.execute(query).first()
    if r is None:
        return None
    return ItemDetail(
        item=_row(r),
        reply_text=r.reply_text or "",
        conversation_id=r.conversation_id,
        reply_to=r.reply_to,
        reply_to_handle=r.reply_to_handle,
        insight=dict(r.insight or {}),
        first_responder=r.responder or "",
        resolver=r.resolver or "",
    )


def thread(
    conn: Connection,
    network: str,
    native_id: str,
    conversation_id: str | None,
    reply_to: str | None,
    *,
    limit: int = 30,
) -> list[ThreadPost]:
    """The item's conversation, oldest first: every stored post of the conversation
    (or, without a conversation id, the post it replies to and the post itself)."""
    cond: ColumnElement[bool]
    if conversation_id:
        cond = (posts.c.conversation_id == conversation_id) | (posts.c.native_id == native_id)
    else:
        ids = [native_id] + ([reply_to] if reply_to else [])
        cond = posts.c.native_id.in_(ids)
    rows = conn.execute(
        select(
            posts.c.network,
            posts.c.native_id,
            posts.c.text,
            posts.c.created,
            posts.c.url,
            posts.c.entities,
            accounts.c.handle,
            accounts.c.name,
        )
        .join(accounts, accounts.c.id == posts.c.account_id)
        .where(posts.c.network == network, cond, posts.c.repost_of.is_(None))
        .order_by(posts.c.created, posts.c.id)
        .limit(limit)
    ).all()
    return [
        ThreadPost(
            network=r.network,
            native_id=r.native_id,
            text=r.text,
            created=as_utc(r.created),
            author_handle=r.handle,
            author_name=r.name,
            url=r.url,
            entities=entities_from_json(r.entities),
            is_item=r.native_id == native_id,
        )
        for r in rows
    ]


def notes(conn: Connection, item_id: int) -> list[Note]:
    """An item's notes, oldest first."""
    rows = conn.execute(
        select(
            inbox_notes.c.id,
            inbox_notes.c.text,
            inbox_notes.c.created,
            func.coalesce(users.c.name, users.c.username, "").label("author"),
        )
        .outerjoin(users, users.c.id == inbox_notes.c.user_id)
        .where(inbox_notes.c.item_id == item_id)
        .order_by(inbox_notes.c.created, inbox_notes.c.id)
    ).all()
    return [Note(r.id, r.author or "", r.text, as_utc(r.created)) for r in rows]


def canned_reply_list(conn: Connection, workspace_id: int) -> list[CannedReply]:
    """The workspace's canned replies by title."""
    rows = conn.execute(
        select(canned_replies.c.id, canned_replies.c.title, canned_replies.c.text)
        .where(canned_replies.c.workspace_id == workspace_id)
        .order_by(canned_replies.c.title, canned_replies.c.id)
    ).all()
    return [CannedReply(r.id, r.title, r.text) for r in rows]


def members(conn: Connection, workspace_id: int) -> list[Member]:
    """The web users of the workspace (who items can be assigned to), by name."""
    rows = conn.execute(
        select(users.c.id, users.c.username, users.c.name, memberships.c.role)
        .join(memberships, memberships.c.user_id == users.c.id)
        .where(memberships.c.workspace_id == workspace_id)
        .order_by(func.lower(func.coalesce(users.c.name, users.c.username)), users.c.id)
    ).all()
    return [Member(r.id, r.username, r.name or "", r.role) for r in rows]


def state_counts(conn: Connection, workspace_id: int, deadline: datetime) -> dict[str, int]:
    """Items per state, plus ``"overdue"``: open items waiting since before ``deadline``."""
    # one pass over ix_inbox_items_workspace_state, which holds state and created
    late = case((inbox_items.c.created < deadline, 1), else_=0)
    rows = conn.execute(
        select(inbox_items.c.state, func.count(), func.sum(late))
        .where(inbox_items.c.workspace_id == workspace_id)
        .group_by(inbox_items.c.state)
    ).all()
    found = {str(state): int(n) for state, n, _ in rows}
    found["overdue"] = sum(int(n or 0) for state, _, n in rows if state in OPEN_STATES)
    return found


def response_rows(
    conn: Connection, workspace_id: int, since: datetime | None = None
) -> list[ResponseRow]:
    """Every item's times (created since ``since``, when given).

    A month of a busy workspace is tens of thousands of rows, read for every Inbox
    page: on SQLite the times come back as their stored text and are parsed here
    once, which costs a quarter of going through the column type per value.
    """
    sqlite = conn.dialect.name == "sqlite"
    times = [
        type_coerce(c, Text) if sqlite else c
        for c in (inbox_items.c.created, inbox_items.c.first_response, inbox_items.c.resolved)
    ]
    query = select(
        inbox_items.c.id,
        *times,
        inbox_items.c.first_responder_id,
        inbox_items.c.resolver_id,
        inbox_items.c.assignee_id,
        inbox_items.c.state,
    ).where(inbox_items.c.workspace_id == workspace_id)
    if since is not None:
        query = query.where(inbox_items.c.created >= since)
    out = []
    for r in conn.execute(query):
        first, resolved = r[2], r[3]
        out.append(
            ResponseRow(
                item_id=r[0],
                created=_utc(r[1]),
                first_response=None if first is None else _utc(first),
                first_responder_id=r[4],
                resolved=None if resolved is None else _utc(resolved),
                resolver_id=r[5],
                assignee_id=r[6],
                state=r[7],
            )
        )
    return out


#: One item's ``(first_responder_id, microseconds to the first response,
#: resolver_id, microseconds to the resolution)``; a time not yet reached is None.
Durations = tuple[int | None, int | None, int | None, int | None]

_MICRO = timedelta(microseconds=1)


def _sqlite_micros(start: Any, end: Any) -> Any:
    """``end - start`` in whole microseconds, from SQLite's fixed-width UTC text
    (``YYYY-MM-DD HH:MM:SS.ffffff``): whole seconds from strftime, then the fraction;
    integers throughout, so exactly what Python's datetime subtraction gives."""
    a, b = type_coerce(start, Text), type_coerce(end, Text)
    return (func.strftime("%s", b) - func.strftime("%s", a)) * 1_000_000 + (
        func.substr(b, 21, 6) - func.substr(a, 21, 6)
    )


def response_durations(
    conn: Connection, workspace_id: int, since: datetime | None = None
) -> list[Durations]:
    """Every item's response and resolution durations (created since ``since``), who
    responded and who resolved: the response-time figures need nothing else, and on
    SQLite the subtraction is done in SQL, so no time is parsed in Python."""
    sqlite = conn.dialect.name == "sqlite"
    c = inbox_items.c
    if sqlite:
        cols: list[Any] = [
            c.first_responder_id,
            _sqlite_micros(c.created, c.first_response),
            c.resolver_id,
            _sqlite_micros(c.created, c.resolved),
        ]
    else:
        cols = [c.first_responder_id, c.created, c.first_response, c.resolver_id, c.resolved]
    query = select(*cols).where(c.workspace_id == workspace_id)
    if since is not None:
        query = query.where(c.created >= since)
    rows = conn.execute(query).all()
    if sqlite:
        return [
            (r[0], None if r[1] is None else int(r[1]), r[2], None if r[3] is None else int(r[3]))
            for r in rows
        ]
    return [
        (
            r[0],
            None if r[2] is None else (r[2] - r[1]) // _MICRO,
            r[3],
            None if r[4] is None else (r[4] - r[1]) // _MICRO,
        )
        for r in rows
    ]


def _utc(value: datetime | str) -> datetime:
    """A stored time as aware UTC, from SQLite's text or PostgreSQL's datetime."""
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return as_utc(value)


def audit_entries(
    conn: Connection, workspace_id: int, *, subject: str | None = None, limit: int = 100
) -> list[AuditEntry]:
    """The workspace's audit log (of one subject, e.g. ``inbox_item:7``), newest first."""
    query = (
        select(
            audit_log.c.id,
            audit_log.c.action,
            audit_log.c.subject,
            audit_log.c.detail,
            audit_log.c.created,
            func.coalesce(users.c.name, users.c.username, "").label("user"),
        )
        .outerjoin(users, users.c.id == audit_log.c.user_id)
        .where(audit_log.c.workspace_id == workspace_id)
        .order_by(audit_log.c.created.desc(), audit_log.c.id.desc())
        .limit(limit)
    )
    if subject is not None:
        query = query.where(audit_log.c.subject == subject)
    return [
        AuditEntry(r.id, r.user or "", r.action, r.subject, dict(r.detail), as_utc(r.created))
        for r in conn.execute(query)
    ]
