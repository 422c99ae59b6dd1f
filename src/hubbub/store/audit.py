"""The reads and writes behind the account audit: own posts, followers, answers, reports.

:mod:`hubbub.audit.account` computes the figures from plain dataclasses; the SQL that
gathers them lives here, once, as Core that runs on SQLite and PostgreSQL. The
business's "own posts" are those whose author is one of the workspace's handles
(``hubbub.toml``'s ``[business.handles]``), compared without case or a leading ``@``.
Reports are stored whole as JSON (figures and recommendations), one row per run, so
the history is a list of dated reports and trends are read from it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, insert, or_, select, tuple_

from hubbub.model import Account
from hubbub.store.tables import (
    accounts,
    audit_reports,
    followers,
    inbox_items,
    mentions,
    posts,
)
from hubbub.store.types import as_utc, opt_utc

__all__ = [
    "AnsweredMention",
    "Follower",
    "InboxTimes",
    "OwnPost",
    "StoredReport",
    "follower_accounts",
    "follower_count",
    "inbox_times",
    "latest_report",
    "mentions_needing_reply",
    "own_posts",
    "own_profile_urls",
    "report_history",
    "save_report",
]

#: intents that ask the business for an answer on the network itself
NEEDS_REPLY: tuple[str, ...] = ("question", "complaint", "recommendation_request")


@dataclass(frozen=True, slots=True)
class OwnPost:
    """One post by the business, with what the voice and engagement figures need."""

    network: str
    native_id: str
    text: str
    created: datetime
    reply_to: str | None
    reply_to_handle: str | None
    quote_of: str | None
    repost_of: str | None
    urls: tuple[str, ...]
    likes: int
    reposts: int
    replies: int
    quotes: int
    intents: tuple[str, ...]  # from the post's mention, when a stream matched it


@dataclass(frozen=True, slots=True)
class Follower:
    """A follower's profile and when the store first saw it follow."""

    account: Account
    first_seen: datetime


@dataclass(frozen=True, slots=True)
class InboxTimes:
    """An inbox item's wait: when it came in and when someone first answered."""

    created: datetime
    first_response: datetime | None
    state: str


@dataclass(frozen=True, slots=True)
class AnsweredMention:
    """A mention asking for an answer, and when the business first replied on the network."""

    network: str
    created: datetime
    answered: datetime | None


@dataclass(frozen=True, slots=True)
class StoredReport:
    id: int
    created: datetime
    window: int
    figures: dict[str, Any]
    recommendations: list[dict[str, Any]]


def _own_keys(handles: Mapping[str, str]) -> list[tuple[str, str]]:
    return [(net, h.strip().lstrip("@").lower()) for net, h in handles.items() if h.strip()]


def _own_account_ids(conn: Connection, handles: Mapping[str, str]) -> list[int]:
    keys = _own_keys(handles)
    if not keys:
        return []
    query = select(accounts.c.id).where(
        tuple_(accounts.c.network, func.lower(accounts.c.handle)).in_(keys)
    )
    return [r.id for r in conn.execute(query)]


def own_profile_urls(conn: Connection, handles: Mapping[str, str]) -> list[str]:
    """The website links on the business's own profiles (its own site, as the networks say)."""
    ids = _own_account_ids(conn, handles)
    if not ids:
        return []
    query = select(accounts.c.url).where(accounts.c.id.in_(ids), accounts.c.url != "")
    return sorted({r.url for r in conn.execute(query)})


def _urls(entities: Any) -> tuple[str, ...]:
    if not isinstance(entities, dict):
        return ()
    return tuple(str(u[0]) for u in entities.get("urls") or () if u)


def own_posts(
    conn: Connection,
    workspace_id: int,
    handles: Mapping[str, str],
    since: datetime,
    until: datetime,
) -> list[OwnPost]:
    """The business's own posts created in ``[since, until)``, oldest first."""
    ids = _own_account_ids(conn, handles)
    if not ids:
        return []
    query = (
        select(
            posts.c.network,
            posts.c.native_id,
            posts.c.text,
            posts.c.created,
            posts.c.reply_to,
            posts.c.reply_to_handle,
            posts.c.quote_of,
            posts.c.repost_of,
            posts.c.entities,
            posts.c.likes,
            posts.c.reposts,
            posts.c.replies,
            posts.c.quotes,
            mentions.c.intents,
        )
        .outerjoin(
            mentions,
            and_(mentions.c.post_id == posts.c.id, mentions.c.workspace_id == workspace_id),
        )
        .where(
            posts.c.account_id.in_(ids),
            posts.c.created >= as_utc(since),
            posts.c.created < as_utc(until),
        )
        .order_by(posts.c.created, posts.c.id)
    )
    return [
        OwnPost(
            network=r.network,
            native_id=r.native_id,
            text=r.text,
            created=as_utc(r.created),
            reply_to=r.reply_to,
            reply_to_handle=r.reply_to_handle,
            quote_of=r.quote_of,
            repost_of=r.repost_of,
            urls=_urls(r.entities),
            likes=r.likes or 0,
            reposts=r.reposts or 0,
            replies=r.replies or 0,
            quotes=r.quotes or 0,
            intents=tuple(r.intents or ()),
        )
        for r in conn.execute(query)
    ]


def follower_count(conn: Connection, workspace_id: int, until: datetime | None = None) -> int:
    """How many followers the store knows of (first seen before ``until``, when given)."""
    query = (
        select(func.count()).select_from(followers).where(followers.c.workspace_id == workspace_id)
    )
    if until is not None:
        query = query.where(followers.c.first_seen < as_utc(until))
    return int(conn.execute(query).scalar_one())


def follower_accounts(
    conn: Connection, workspace_id: int, until: datetime | None = None
) -> list[Follower]:
    """The followers' profiles (as the authenticity classifier reads them), oldest id first."""
    query = (
        select(accounts, followers.c.first_seen)
        .join(followers, followers.c.account_id == accounts.c.id)
        .where(followers.c.workspace_id == workspace_id)
        .order_by(accounts.c.id)
    )
    if until is not None:
        query = query.where(followers.c.first_seen < as_utc(until))
    return [
        Follower(
            Account(
                network=r.network,
                id=r.native_id,
                handle=r.handle,
                name=r.name or "",
                bio=r.bio or "",
                location=r.location or "",
                url=r.url or "",
                followers=r.followers,
                following=r.following,
                posts=r.posts,
                listed=r.listed,
                created=opt_utc(r.created),
                verified=r.verified,
                default_avatar=r.default_avatar,
                default_profile=r.default_profile,
            ),
            as_utc(r.first_seen),
        )
        for r in conn.execute(query)
    ]


def inbox_times(
    conn: Connection, workspace_id: int, since: datetime, until: datetime
) -> list[InboxTimes]:
    """Every inbox item that came in during ``[since, until)``, with its first response."""
    query = select(inbox_items.c.created, inbox_items.c.first_response, inbox_items.c.state).where(
        inbox_items.c.workspace_id == workspace_id,
        inbox_items.c.created >= as_utc(since),
        inbox_items.c.created < as_utc(until),
    )
    return [
        InboxTimes(as_utc(r.created), opt_utc(r.first_response), r.state)
        for r in conn.execute(query)
    ]


def mentions_needing_reply(
    conn: Connection,
    workspace_id: int,
    handles: Mapping[str, str],
    since: datetime,
    until: datetime,
    intents: Sequence[str] = NEEDS_REPLY,
) -> list[AnsweredMention]:
    """Mentions in the window whose intents ask for an answer (not the business's own),
    each with the time of the business's first reply to it on the network, if any."""
    own = _own_account_ids(conn, handles)
    query = (
        select(mentions.c.network, mentions.c.created, mentions.c.intents, posts.c.native_id)
        .join(posts, posts.c.id == mentions.c.post_id)
        .where(
            mentions.c.workspace_id == workspace_id,
            mentions.c.created >= as_utc(since),
            mentions.c.created < as_utc(until),
        )
    )
    if own:
        query = query.where(mentions.c.author_id.not_in(own))
    wanted = set(intents)
    asked = [r for r in conn.execute(query) if wanted.intersection(r.intents or ())]
    if not asked:
        return []
    first: dict[tuple[str, str], datetime] = {}
    if own:
        replies = select(posts.c.network, posts.c.reply_to, func.min(posts.c.created)).where(
            posts.c.account_id.in_(own), posts.c.reply_to.is_not(None)
        )
        keys = sorted({(r.network, r.native_id) for r in asked})
        for start in range(0, len(keys), 500):  # bounded IN lists on both databases
            chunk = keys[start : start + 500]
            cond = or_(
                *(and_(posts.c.network == net, posts.c.reply_to == native) for net, native in chunk)
            )
            for net, reply_to, when in conn.execute(
                replies.where(cond).group_by(posts.c.network, posts.c.reply_to)
            ):
                first[(net, reply_to)] = as_utc(when)
    return [
        AnsweredMention(r.network, as_utc(r.created), first.get((r.network, r.native_id)))
        for r in asked
    ]


# --- stored reports ---------------------------------------------------------------------


def save_report(
    conn: Connection,
    workspace_id: int,
    created: datetime,
    window: int,
    figures: Mapping[str, Any],
    recommendations: Sequence[Mapping[str, Any]],
) -> int:
    """Store one dated report; returns its id."""
    result = conn.execute(
        insert(audit_reports)
        .values(
            workspace_id=workspace_id,
            created=as_utc(created),
            window=window,
            figures=dict(figures),
            recommendations=[dict(r) for r in recommendations],
        )
        .returning(audit_reports.c.id)
    )
    return int(result.scalar_one())


def _stored(r: Any) -> StoredReport:
    return StoredReport(
        id=r.id,
        created=as_utc(r.created),
        window=r.window,
        figures=dict(r.figures),
        recommendations=list(r.recommendations),
    )


def latest_report(conn: Connection, workspace_id: int) -> StoredReport | None:
    """The workspace's newest report, or ``None`` before the first audit."""
    row = conn.execute(
        select(audit_reports)
        .where(audit_reports.c.workspace_id == workspace_id)
        .order_by(audit_reports.c.created.desc(), audit_reports.c.id.desc())
        .limit(1)
    ).first()
    return None if row is None else _stored(row)


def report_history(conn: Connection, workspace_id: int, limit: int = 24) -> list[StoredReport]:
    """The newest ``limit`` reports, oldest first (for trend charts)."""
    rows = conn.execute(
        select(audit_reports)
        .where(audit_reports.c.workspace_id == workspace_id)
        .order_by(audit_reports.c.created.desc(), audit_reports.c.id.desc())
        .limit(limit)
    ).all()
    return [_stored(r) for r in reversed(rows)]
