"""Reads and writes for the goals' own records: promo codes, redemptions and leads.

:mod:`hubbub.goals` computes every figure from the plain dataclasses returned here;
the mention rows the visits, loyalty, events and customer-service goals read are in
:mod:`hubbub.store.goal_rows`. Functions take a connection (a transaction for the
writes, which never commit) and check the workspace, so a route cannot reach
another business's code or lead. Every change a person makes is appended to
``audit_log`` (``promo.add``, ``promo.delete``, ``lead.status``).

Codes are kept upper-case: the business types ``Sourdough10`` once and it is the
same code as ``SOURDOUGH10`` on a receipt or in a mention.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Text, and_, cast, delete, exists, func, insert, or_, select

from hubbub.store.tables import (
    accounts,
    audit_log,
    inbox_items,
    leads,
    mention_streams,
    mentions,
    posts,
    promo_codes,
    promo_redemptions,
    streams,
)
from hubbub.store.types import as_utc, opt_utc

__all__ = [
    "CODE_PATTERN",
    "LEAD_INTENTS",
    "LEAD_STATUSES",
    "NOT_PEOPLE",
    "GoalStoreError",
    "LeadRow",
    "PromoCode",
    "Redemption",
    "add_promo_code",
    "delete_promo_code",
    "has_intent",
    "insert_redemptions",
    "is_lead_clause",
    "lead_of_item",
    "lead_rows",
    "lead_status_counts",
    "normalize_code",
    "promo_codes_of",
    "redemptions",
    "set_lead_status",
]

#: what a promo code may look like: letters, digits, ``-`` and ``_``, 3 to 32 of them
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,30}[A-Za-z0-9]$")
LEAD_STATUSES = ("open", "contacted", "won", "lost")
#: intent -> the kinds of stream that make a mention with it a lead of the business: a
#: purchase intent about the business itself, a recommendation request about it or its trade
LEAD_INTENTS: dict[str, tuple[str, ...]] = {
    "purchase_intent": ("brand",),
    "recommendation_request": ("brand", "industry"),
}
#: authors whose mentions are never leads, loyal people or visitors: the business itself
#: and those who speak for it or against it
NOT_PEOPLE = ("business", "staff", "competitor")


class GoalStoreError(ValueError):
    """A change to a code or lead that cannot be made as asked; one line saying why."""


def normalize_code(code: str) -> str:
    """A code as it is stored and compared: stripped and upper-case."""
    return code.strip().upper()


def _audit(
    conn: Connection,
    ws_id: int,
    user_id: int | None,
    action: str,
    subject: str,
    detail: dict[str, Any],
    now: datetime,
) -> None:
    conn.execute(
        insert(audit_log).values(
            workspace_id=ws_id,
            user_id=user_id,
            action=action,
            subject=subject,
            detail=detail,
            created=now,
        )
    )


# --- promo codes ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PromoCode:
    id: int
    code: str  # upper-case
    description: str
    starts: datetime | None
    ends: datetime | None
    created: datetime

    def active_in(self, start: datetime, end: datetime) -> bool:
        """Whether the code runs during any part of [start, end)."""
        return (self.starts is None or self.starts < end) and (
            self.ends is None or self.ends > start
        )


def promo_codes_of(conn: Connection, ws_id: int) -> list[PromoCode]:
    """The workspace's declared codes, by code."""
    c = promo_codes.c
    rows = conn.execute(
        select(c.id, c.code, c.description, c.starts, c.ends, c.created)
        .where(c.workspace_id == ws_id)
        .order_by(c.code)
    )
    return [
        PromoCode(
            r.id, r.code, r.description, opt_utc(r.starts), opt_utc(r.ends), as_utc(r.created)
        )
        for r in rows
    ]


def add_promo_code(
    conn: Connection,
    ws_id: int,
    code: str,
    description: str = "",
    starts: datetime | None = None,
    ends: datetime | None = None,
    *,
    user_id: int | None = None,
    now: datetime | None = None,
) -> int:
    """Declare a code; return its id. :class:`GoalStoreError` when the code is not
    3-32 letters, digits, ``-`` or ``_``, is taken, or ends before it starts."""
    now = now or datetime.now(UTC)
    cleaned = normalize_code(code)
    if not CODE_PATTERN.match(cleaned):
        raise GoalStoreError(
            f"code {code.strip()!r}: use 3 to 32 letters, digits, '-' or '_' "
            "(starting and ending with a letter or digit)"
        )
    if starts is not None and ends is not None and ends <= starts:
        raise GoalStoreError(f"code {cleaned}: the end must be after the start")
    taken = conn.execute(
        select(promo_codes.c.id).where(
            promo_codes.c.workspace_id == ws_id, promo_codes.c.code == cleaned
        )
    ).first()
    if taken is not None:
        raise GoalStoreError(f"code {cleaned} is already declared")
    code_id: int = conn.execute(
        insert(promo_codes)
        .values(
            workspace_id=ws_id,
            code=cleaned,
            description=" ".join(description.split())[:300],
            starts=starts,
            ends=ends,
            created=now,
            created_by=user_id,
        )
        .returning(promo_codes.c.id)
    ).scalar_one()
    detail = {
        "code": cleaned,
        "starts": starts.isoformat() if starts else None,
        "ends": ends.isoformat() if ends else None,
    }
    _audit(conn, ws_id, user_id, "promo.add", f"promo_code:{code_id}", detail, now)
    return code_id


def delete_promo_code(
    conn: Connection,
    ws_id: int,
    code_id: int,
    *,
    user_id: int | None = None,
    now: datetime | None = None,
) -> str | None:
    """Remove a declared code (its redemptions stay); return the code, or None when the
    workspace has no such code."""
    now = now or datetime.now(UTC)
    found = conn.execute(
        select(promo_codes.c.code).where(
            promo_codes.c.workspace_id == ws_id, promo_codes.c.id == code_id
        )
    ).scalar()
    if found is None:
        return None
    conn.execute(delete(promo_codes).where(promo_codes.c.id == code_id))
    _audit(conn, ws_id, user_id, "promo.delete", f"promo_code:{code_id}", {"code": found}, now)
    return str(found)


# --- redemptions ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Redemption:
    code: str
    redeemed: datetime
    amount: float | None


def insert_redemptions(conn: Connection, ws_id: int, rows: Sequence[dict[str, Any]]) -> int:
    """Store redemptions (dicts of ``code``, ``redeemed``, ``amount``, ``ref``, ``source``,
    ``line``, ``imported``); one whose ``ref`` is stored already is skipped. Returns how
    many were new."""
    if not rows:
        return 0
    refs = [r["ref"] for r in rows]
    known: set[str] = set()
    for i in range(0, len(refs), 500):
        known.update(
            conn.execute(
                select(promo_redemptions.c.ref).where(
                    promo_redemptions.c.workspace_id == ws_id,
                    promo_redemptions.c.ref.in_(refs[i : i + 500]),
                )
            ).scalars()
        )
    new: list[dict[str, Any]] = []
    for r in rows:
        if r["ref"] in known:
            continue
        known.add(r["ref"])
        new.append({**r, "workspace_id": ws_id, "code": normalize_code(r["code"])})
    if new:
        conn.execute(insert(promo_redemptions), new)
    return len(new)


def redemptions(conn: Connection, ws_id: int, start: datetime, end: datetime) -> list[Redemption]:
    """Redemptions in [start, end), oldest first."""
    c = promo_redemptions.c
    rows = conn.execute(
        select(c.code, c.redeemed, c.amount)
        .where(c.workspace_id == ws_id, c.redeemed >= start, c.redeemed < end)
        .order_by(c.redeemed, c.id)
    )
    return [Redemption(r.code, as_utc(r.redeemed), r.amount) for r in rows]


# --- leads ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LeadRow:
    """A lead: a purchase-intent or recommendation-request mention, with what a person
    set (``status`` None: never set) and the inbox's first answer to it."""

    mention_id: int
    created: datetime
    network: str
    url: str
    text: str
    author_handle: str
    author_name: str
    intents: tuple[str, ...]
    sentiment: str
    status: str | None
    contacted: datetime | None
    closed: datetime | None
    first_response: datetime | None  # the inbox item's, when there is one
    inbox_item_id: int | None


def has_intent(intent: str) -> Any:
    # the JSON list is stored as text on both databases; a quoted label is a whole element
    return cast(mentions.c.intents, Text).like(f'%"{intent}"%')


def _matched_by(kinds: Sequence[str]) -> Any:
    return exists(
        select(mention_streams.c.mention_id)
        .join(streams, streams.c.id == mention_streams.c.stream_id)
        .where(mention_streams.c.mention_id == mentions.c.id, streams.c.kind.in_(list(kinds)))
    )


def is_lead_clause() -> Any:
    """The SQL condition that makes a mention a lead (see :data:`LEAD_INTENTS`)."""
    return and_(
        mentions.c.relationship.not_in(NOT_PEOPLE),
        mentions.c.network != "rss",
        mentions.c.post_type != "repost",
        ~has_intent("spam_promo"),
        ~has_intent("complaint"),  # "my cake order was wrong" is not someone about to buy
        or_(*(and_(has_intent(i), _matched_by(k)) for i, k in LEAD_INTENTS.items())),
    )


def lead_rows(
    conn: Connection,
    ws_id: int,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    mention_id: int | None = None,
    limit: int | None = None,
) -> list[LeadRow]:
    """The leads whose mention was made in [start, end) (either bound may be left out),
    or only the lead ``mention_id``; newest first."""
    m = mentions.c
    query = (
        select(
            m.id,
            m.created,
            m.network,
            m.intents,
            m.sentiment_label,
            posts.c.url,
            posts.c.text,
            accounts.c.handle,
            accounts.c.name,
            leads.c.status,
            leads.c.contacted,
            leads.c.closed,
            inbox_items.c.first_response,
            inbox_items.c.id.label("item_id"),
        )
        .select_from(mentions)
        .join(posts, posts.c.id == m.post_id)
        .join(accounts, accounts.c.id == m.author_id)
        .outerjoin(leads, leads.c.mention_id == m.id)
        .outerjoin(inbox_items, inbox_items.c.mention_id == m.id)
        .where(m.workspace_id == ws_id, is_lead_clause())
        .order_by(m.created.desc(), m.id.desc())
    )
    if mention_id is not None:
        query = query.where(m.id == mention_id)
    if start is not None:
        query = query.where(m.created >= start)
    if end is not None:
        query = query.where(m.created < end)
    if limit is not None:
        query = query.limit(limit)
    return [
        LeadRow(
            mention_id=r.id,
            created=as_utc(r.created),
            network=r.network,
            url=r.url,
            text=r.text,
            author_handle=r.handle,
            author_name=r.name or "",
            intents=tuple(r.intents or ()),
            sentiment=r.sentiment_label,
            status=r.status,
            contacted=opt_utc(r.contacted),
            closed=opt_utc(r.closed),
            first_response=opt_utc(r.first_response),
            inbox_item_id=r.item_id,
        )
        for r in conn.execute(query)
    ]


def lead_of_item(conn: Connection, ws_id: int, item_id: int) -> int | None:
    """The mention id of an inbox item when its mention is a lead, else None."""
    found = conn.execute(
        select(mentions.c.id)
        .join(inbox_items, inbox_items.c.mention_id == mentions.c.id)
        .where(
            inbox_items.c.id == item_id,
            inbox_items.c.workspace_id == ws_id,
            mentions.c.workspace_id == ws_id,
            is_lead_clause(),
        )
    ).scalar()
    return None if found is None else int(found)


def set_lead_status(
    conn: Connection,
    ws_id: int,
    mention_id: int,
    status: str,
    *,
    user_id: int | None = None,
    now: datetime | None = None,
) -> str:
    """Set a lead's status; return the status it had. Moving on from ``open`` records
    when it was first contacted (``contacted``, once); ``won`` and ``lost`` record when it
    closed, going back to ``open`` or ``contacted`` clears that. Raises
    :class:`GoalStoreError` for an unknown status or a mention that is not a lead of
    the workspace."""
    now = now or datetime.now(UTC)
    if status not in LEAD_STATUSES:
        raise GoalStoreError(f"status {status!r}: must be one of {', '.join(LEAD_STATUSES)}")
    found = lead_rows(conn, ws_id, mention_id=mention_id)
    if not found:
        raise GoalStoreError(f"mention {mention_id}: not a lead of this workspace")
    lead = found[0]
    before = lead.status or ("contacted" if lead.first_response else "open")
    if status == before and lead.status is not None:
        return before
    contacted = lead.contacted
    if status == "contacted" and contacted is None:
        contacted = now
    closed = now if status in ("won", "lost") else None
    if status in ("won", "lost") and lead.status == status:
        closed = lead.closed
    values: dict[str, Any] = {"status": status, "contacted": contacted, "closed": closed}
    values |= {"updated": now, "updated_by": user_id}
    updated = conn.execute(
        leads.update().where(leads.c.mention_id == mention_id).values(**values)
    ).rowcount
    if not updated:
        conn.execute(insert(leads).values(workspace_id=ws_id, mention_id=mention_id, **values))
    detail = {"from": before, "to": status}
    _audit(conn, ws_id, user_id, "lead.status", f"lead:{mention_id}", detail, now)
    return before


def lead_status_counts(conn: Connection, ws_id: int) -> dict[str, int]:
    """Stored statuses of the workspace's leads (a check for tests and the CLI)."""
    rows = conn.execute(
        select(leads.c.status, func.count())
        .where(leads.c.workspace_id == ws_id)
        .group_by(leads.c.status)
    )
    return {str(s): int(n) for s, n in rows}
