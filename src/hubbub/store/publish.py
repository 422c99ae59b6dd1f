"""Reads and writes for the publish step: drafts, scheduled posts, deliveries, links.

The scheduler's safety rests on three statements here:

- :func:`claim` moves one post to ``publishing`` with a fresh claim token by an
  ``UPDATE ... WHERE id = ? AND state = ? AND claim_token IS ?``: on SQLite the write
  transaction is ``BEGIN IMMEDIATE`` (writers queue), on PostgreSQL the row lock makes a
  second worker re-check the ``WHERE`` after the first commits, so exactly one of two
  workers sees one row updated and owns the post.
- :func:`record_delivery` stores what a network took for one thread part as soon as it
  answers; a retry reads :func:`deliveries` and skips those parts. :func:`begin_attempt`
  notes a part just before it is sent; an attempt with no delivery (:func:`attempts`)
  is one whose outcome nobody saw, which a retry first looks for on the network.
- :func:`finish` only changes a post whose claim token is still the caller's, so a
  worker that lost its claim (it was too slow and another took the post over) cannot
  overwrite the newer worker's outcome.

Rows come back as the plain dataclasses below; nothing here knows about networks.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, or_, select, update

from hubbub.model import Published
from hubbub.store.tables import (
    link_clicks,
    mentions,
    post_attempts,
    post_deliveries,
    scheduled_posts,
    tracked_links,
)
from hubbub.store.types import as_utc, opt_utc

__all__ = [
    "POST_KINDS",
    "POST_STATES",
    "Delivery",
    "LinkRow",
    "LinkStat",
    "StoredPost",
    "add_link",
    "attempts",
    "begin_attempt",
    "claim",
    "click_counts",
    "create_post",
    "deliveries",
    "due_posts",
    "engagement_times",
    "finish",
    "get_post",
    "kind_counts",
    "link_destination",
    "link_stats",
    "links_for_post",
    "list_posts",
    "published_count",
    "record_click",
    "record_delivery",
    "set_schedule",
]

POST_STATES = ("draft", "scheduled", "publishing", "published", "failed")
POST_KINDS = ("self_promotion", "conversation", "sharing")


@dataclass(frozen=True, slots=True)
class Delivery:
    """One thread part as one network took it."""

    network: str
    part: int
    native_id: str
    url: str
    published: datetime


@dataclass(frozen=True, slots=True)
class StoredPost:
    id: int
    workspace_id: int
    text: str
    thread: tuple[str, ...]
    networks: tuple[str, ...]
    scheduled_for: datetime | None
    state: str
    attempts: int
    next_try: datetime | None
    last_error: str | None
    idempotency_key: str
    claim_token: str | None
    claimed_at: datetime | None
    created_by: int | None
    goal: str | None
    kind: str
    track_links: bool
    campaign: str
    created: datetime
    updated: datetime

    @property
    def parts(self) -> tuple[str, ...]:
        """Every part of the post: the first, then the thread."""
        return (self.text, *self.thread)


@dataclass(frozen=True, slots=True)
class LinkRow:
    code: str
    url: str
    target: str
    campaign: str
    post_id: int | None
    network: str | None


@dataclass(frozen=True, slots=True)
class LinkStat:
    code: str
    target: str
    campaign: str
    post_id: int | None
    network: str | None
    clicks: int


def _post(row: Any) -> StoredPost:
    return StoredPost(
        id=row.id,
        workspace_id=row.workspace_id,
        text=row.text,
        thread=tuple(row.thread or ()),
        networks=tuple(row.networks or ()),
        scheduled_for=opt_utc(row.scheduled_for),
        state=row.state,
        attempts=row.attempts,
        next_try=opt_utc(row.next_try),
        last_error=row.last_error,
        idempotency_key=row.idempotency_key,
        claim_token=row.claim_token,
        claimed_at=opt_utc(row.claimed_at),
        created_by=row.created_by,
        goal=row.goal,
        kind=row.kind,
        track_links=bool(row.track_links),
        campaign=row.campaign,
        created=as_utc(row.created),
        updated=as_utc(row.updated),
    )


# --- posts --------------------------------------------------------------------------------


def create_post(
    conn: Connection,
    workspace_id: int,
    *,
    text: str,
    now: datetime,
    thread: Sequence[str] = (),
    networks: Sequence[str] = ("x",),
    state: str = "draft",
    scheduled_for: datetime | None = None,
    created_by: int | None = None,
    goal: str | None = None,
    kind: str = "conversation",
    track_links: bool = True,
    campaign: str = "",
) -> int:
    """Store a draft or scheduled post; its idempotency key is made here, once. Its
    images are rows of ``post_media`` (:func:`hubbub.store.media.set_post_media`)."""
    if state not in POST_STATES:
        raise ValueError(f"state {state!r} is not one of {', '.join(POST_STATES)}")
    if kind not in POST_KINDS:
        raise ValueError(f"kind {kind!r} is not one of {', '.join(POST_KINDS)}")
    result = conn.execute(
        insert(scheduled_posts).values(
            workspace_id=workspace_id,
            text=text,
            thread=list(thread),
            networks=list(networks),
            scheduled_for=scheduled_for,
            state=state,
            attempts=0,
            idempotency_key=secrets.token_hex(16),
            created_by=created_by,
            goal=goal,
            kind=kind,
            track_links=track_links,
            campaign=campaign,
            created=now,
            updated=now,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def get_post(conn: Connection, post_id: int, workspace_id: int | None = None) -> StoredPost | None:
    """The post, or None (also when it belongs to another workspace than the one given)."""
    query = select(scheduled_posts).where(scheduled_posts.c.id == post_id)
    if workspace_id is not None:
        query = query.where(scheduled_posts.c.workspace_id == workspace_id)
    row = conn.execute(query).first()
    return None if row is None else _post(row)


def list_posts(
    conn: Connection,
    workspace_id: int,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    states: Sequence[str] | None = None,
    limit: int = 500,
) -> list[StoredPost]:
    """Posts of the workspace, by time; ``start``/``end`` bound ``scheduled_for``
    (half-open); drafts without a time come only when no bound is given."""
    c = scheduled_posts.c
    query = select(scheduled_posts).where(c.workspace_id == workspace_id)
    if start is not None:
        query = query.where(c.scheduled_for >= start)
    if end is not None:
        query = query.where(c.scheduled_for < end)
    if states is not None:
        query = query.where(c.state.in_(list(states)))
    query = query.order_by(c.scheduled_for.is_(None), c.scheduled_for, c.id).limit(limit)
    return [_post(r) for r in conn.execute(query)]


def set_schedule(
    conn: Connection,
    post_id: int,
    workspace_id: int,
    *,
    state: str,
    scheduled_for: datetime | None,
    now: datetime,
) -> bool:
    """Schedule a draft (or take a scheduled or failed post back to draft); False when
    the post is not in one of those states (publishing or published posts stay)."""
    c = scheduled_posts.c
    result = conn.execute(
        update(scheduled_posts)
        .where(
            c.id == post_id,
            c.workspace_id == workspace_id,
            c.state.in_(["draft", "scheduled", "failed"]),
        )
        .values(
            state=state,
            scheduled_for=scheduled_for,
            next_try=None,
            attempts=0,
            last_error=None,
            updated=now,
        )
    )
    return result.rowcount == 1


# --- the scheduler's claims ---------------------------------------------------------------


def due_posts(
    conn: Connection, now: datetime, *, stale_before: datetime, limit: int = 20
) -> list[tuple[int, str, str | None]]:
    """(id, state, claim token) of the posts a worker may claim now: scheduled ones
    whose time (and next retry) has come, and ``publishing`` ones whose claim is older
    than ``stale_before`` (their worker died mid-publish)."""
    c = scheduled_posts.c
    ready = and_(
        c.state == "scheduled",
        c.scheduled_for <= now,
        or_(c.next_try.is_(None), c.next_try <= now),
    )
    stale = and_(c.state == "publishing", c.claimed_at < stale_before)
    rows = conn.execute(
        select(c.id, c.state, c.claim_token)
        .where(or_(ready, stale))
        .order_by(c.scheduled_for, c.id)
        .limit(limit)
    )
    return [(r.id, r.state, r.claim_token) for r in rows]


def claim(
    conn: Connection,
    post_id: int,
    *,
    expected_state: str,
    expected_token: str | None,
    token: str,
    now: datetime,
) -> bool:
    """Take the post for one worker: True only for the one caller whose update hit it."""
    c = scheduled_posts.c
    same_token = (
        c.claim_token.is_(None) if expected_token is None else c.claim_token == expected_token
    )
    result = conn.execute(
        update(scheduled_posts)
        .where(c.id == post_id, c.state == expected_state, same_token)
        .values(
            state="publishing",
            claim_token=token,
            claimed_at=now,
            attempts=c.attempts + 1,
            updated=now,
        )
    )
    return result.rowcount == 1


def begin_attempt(conn: Connection, post_id: int, network: str, part: int, now: datetime) -> None:
    """Note that ``part`` is about to be sent to ``network`` (kept from the first try
    on: a later lookup for a lost post starts from when it may first have been made)."""
    c = post_attempts.c
    found = conn.execute(
        select(c.started).where(c.post_id == post_id, c.network == network, c.part == part)
    ).first()
    if found is None:
        conn.execute(
            insert(post_attempts).values(post_id=post_id, network=network, part=part, started=now)
        )


def attempts(conn: Connection, post_id: int) -> dict[tuple[str, int], datetime]:
    """(network, part) -> when it was first tried, for the parts tried and not stored:
    the network may or may not have taken them."""
    c = post_attempts.c
    rows = conn.execute(select(c.network, c.part, c.started).where(c.post_id == post_id))
    return {(r.network, r.part): as_utc(r.started) for r in rows}


def record_delivery(
    conn: Connection, post_id: int, part: int, published: Published, now: datetime
) -> None:
    """Store what the network took for one part (its id and address); its attempt is
    settled."""
    c = post_attempts.c
    conn.execute(
        delete(post_attempts).where(
            c.post_id == post_id, c.network == published.network, c.part == part
        )
    )
    conn.execute(
        insert(post_deliveries).values(
            post_id=post_id,
            network=published.network,
            part=part,
            native_id=published.id,
            url=published.url,
            published=published.created or now,
        )
    )


def deliveries(conn: Connection, post_id: int) -> list[Delivery]:
    c = post_deliveries.c
    rows = conn.execute(
        select(post_deliveries).where(c.post_id == post_id).order_by(c.network, c.part)
    )
    return [Delivery(r.network, r.part, r.native_id, r.url, as_utc(r.published)) for r in rows]


def finish(
    conn: Connection,
    post_id: int,
    token: str,
    *,
    state: str,
    now: datetime,
    last_error: str | None = None,
    next_try: datetime | None = None,
) -> bool:
    """End a claim: ``published``, ``failed``, or back to ``scheduled`` for a retry at
    ``next_try``. False (and nothing changed) if the claim is no longer ``token``'s."""
    c = scheduled_posts.c
    result = conn.execute(
        update(scheduled_posts)
        .where(c.id == post_id, c.state == "publishing", c.claim_token == token)
        .values(
            state=state,
            claim_token=None,
            claimed_at=None,
            last_error=last_error,
            next_try=next_try,
            updated=now,
        )
    )
    return result.rowcount == 1


# --- tracked links ------------------------------------------------------------------------


def add_link(
    conn: Connection,
    workspace_id: int,
    *,
    code: str,
    url: str,
    target: str,
    now: datetime,
    campaign: str = "",
    post_id: int | None = None,
    network: str | None = None,
) -> None:
    conn.execute(
        insert(tracked_links).values(
            code=code,
            workspace_id=workspace_id,
            url=url,
            target=target,
            campaign=campaign,
            post_id=post_id,
            network=network,
            created=now,
        )
    )


def links_for_post(conn: Connection, post_id: int) -> list[LinkRow]:
    c = tracked_links.c
    rows = conn.execute(select(tracked_links).where(c.post_id == post_id).order_by(c.id))
    return [LinkRow(r.code, r.url, r.target, r.campaign, r.post_id, r.network) for r in rows]


def link_destination(conn: Connection, code: str) -> str | None:
    """Where a short code leads (its URL with UTM parameters), or None."""
    found: str | None = conn.execute(
        select(tracked_links.c.url).where(tracked_links.c.code == code)
    ).scalar_one_or_none()
    return found


def record_click(
    conn: Connection,
    code: str,
    *,
    time: datetime,
    referrer: str,
    network: str | None,
    agent: str,
) -> None:
    conn.execute(
        insert(link_clicks).values(
            code=code, time=time, referrer=referrer[:500], network=network, agent=agent
        )
    )


def link_stats(
    conn: Connection,
    workspace_id: int,
    *,
    post_id: int | None = None,
    since: datetime | None = None,
) -> list[LinkStat]:
    """Clicks per tracked link of the workspace (optionally of one post, since a time),
    most clicked first; links nobody clicked are listed with 0."""
    tl, lc = tracked_links.c, link_clicks.c
    on = lc.code == tl.code
    if since is not None:
        on = and_(on, lc.time >= since)
    query = (
        select(tl.code, tl.target, tl.campaign, tl.post_id, tl.network, func.count(lc.id))
        .select_from(tracked_links.outerjoin(link_clicks, on))
        .where(tl.workspace_id == workspace_id)
        .group_by(tl.code, tl.target, tl.campaign, tl.post_id, tl.network)
        .order_by(func.count(lc.id).desc(), tl.code)
    )
    if post_id is not None:
        query = query.where(tl.post_id == post_id)
    return [LinkStat(r[0], r[1], r[2], r[3], r[4], int(r[5])) for r in conn.execute(query)]


# --- what the page's guards read ----------------------------------------------------------


def kind_counts(
    conn: Connection, workspace_id: int, start: datetime, end: datetime
) -> dict[str, int]:
    """Scheduled and published posts per kind with a time in [start, end)."""
    c = scheduled_posts.c
    rows = conn.execute(
        select(c.kind, func.count())
        .where(
            c.workspace_id == workspace_id,
            c.state.in_(["scheduled", "publishing", "published"]),
            c.scheduled_for >= start,
            c.scheduled_for < end,
        )
        .group_by(c.kind)
    )
    return {r[0]: int(r[1]) for r in rows}


def engagement_times(
    conn: Connection, workspace_id: int, since: datetime, *, own: bool
) -> list[tuple[datetime, int]]:
    """(time, engagement) of the workspace's mentions since a time: only the business's
    own posts (relationship ``business``) when ``own``, else every mention."""
    c = mentions.c
    query = select(c.created, c.engagement).where(
        c.workspace_id == workspace_id, c.created >= since
    )
    if own:
        query = query.where(c.relationship == "business")
    return [(as_utc(r.created), int(r.engagement or 0)) for r in conn.execute(query)]


def click_counts(
    conn: Connection, workspace_id: int, start: datetime, end: datetime
) -> dict[str | None, int]:
    """Clicks on the workspace's tracked links in [start, end), by the network guessed
    from the referrer (None: no referrer)."""
    tl, lc = tracked_links.c, link_clicks.c
    rows = conn.execute(
        select(lc.network, func.count())
        .select_from(link_clicks.join(tracked_links, tl.code == lc.code))
        .where(tl.workspace_id == workspace_id, lc.time >= start, lc.time < end)
        .group_by(lc.network)
    )
    return {r[0]: int(r[1]) for r in rows}


def published_count(conn: Connection, workspace_id: int, start: datetime, end: datetime) -> int:
    """Posts published by hubbub in [start, end) (by their scheduled time)."""
    c = scheduled_posts.c
    found = conn.execute(
        select(func.count()).where(
            c.workspace_id == workspace_id,
            c.state == "published",
            c.scheduled_for >= start,
            c.scheduled_for < end,
        )
    ).scalar_one()
    return int(found)
