"""Sending a reply from the inbox through the network's own client.

Where posting is configured for the item's network (a :class:`Publisher` from
:func:`hubbub.sources.publishers.publisher_for`), the reply is validated as the
network counts it, posted threaded under the mention, and only then recorded: the
item becomes ``replied`` (its first response time is the moment the network took
it) and the audit log keeps the network's id and address of the reply. Where it is
not configured, the inbox falls back to "copy and mark replied"
(:func:`hubbub.inbox.actions.mark_replied`).

The network call happens outside any database transaction, so a slow network never
holds a write lock. The idempotency key is derived from the item and the text, so
pressing Send twice (or a retry after a lost answer) never posts the same reply twice
on networks that honour it (Mastodon's Idempotency-Key, Bluesky's record key; X
checks its recent posts).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy import select

from hubbub.inbox.actions import record_audit, set_state
from hubbub.inbox.rules import TRANSITIONS, InboxError, reply_length
from hubbub.model import Published
from hubbub.sources.base import Publisher, PublishError
from hubbub.store import Store
from hubbub.store.tables import inbox_items

__all__ = ["reply_key", "send_reply"]


def reply_key(workspace_id: int, item_id: int, text: str) -> str:
    """The idempotency key of one reply: the same item and text give the same key."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return f"inbox-{workspace_id}-{item_id}-{digest}"


def send_reply(
    store: Store,
    workspace_id: int,
    item_id: int,
    reply_text: str,
    actor_id: int | None,
    *,
    network: str,
    reply_to: str,
    publisher: Publisher,
    now: datetime | None = None,
) -> Published:
    """Post ``reply_text`` under the post ``reply_to`` and record the item as replied.

    Raises :class:`InboxError` with one line when the text does not fit the network
    or the network refuses it; nothing is recorded then.
    """
    text = reply_text.strip()
    if not text:
        raise InboxError("reply: must not be empty")
    length, limit, fits = reply_length(text, network)
    if not fits:
        raise InboxError(f"reply: {length} characters, over {network}'s limit of {limit}")
    with store.connect() as conn:  # refuse before posting, not after
        state = conn.execute(
            select(inbox_items.c.state).where(
                inbox_items.c.id == item_id, inbox_items.c.workspace_id == workspace_id
            )
        ).scalar()
    if state is None:
        raise InboxError(f"no inbox item {item_id} in this workspace")
    if "replied" not in TRANSITIONS[state]:
        raise InboxError(f"this item is {state}: reopen it before sending a reply")
    try:
        published = publisher.publish(
            text, reply_to=reply_to, idempotency_key=reply_key(workspace_id, item_id, text)
        )
    except PublishError as exc:
        later = " (try again in a moment)" if exc.transient else ""
        raise InboxError(f"{network} did not take the reply: {exc}{later}") from exc
    when = now or datetime.now(UTC)
    with store.begin() as conn:
        set_state(conn, workspace_id, item_id, "replied", actor_id, now=when, reply_text=text)
        record_audit(
            conn,
            workspace_id,
            actor_id,
            "inbox.sent",
            f"inbox_item:{item_id}",
            {"network": published.network, "id": published.id, "url": published.url},
            now=when,
        )
    return published
