"""Who is talking: their relationship to the business and how authentic the account looks.

Relationship is decided from the workspace (a pure function): the business's own
handles, then the team's, then competitors'. Everyone else is ``new`` unless the
author's history says more: ``customer`` and ``fan`` need the author's earlier
mentions, which the pipeline cannot read (no I/O), so the runner reads them from
the store (:func:`hubbub.store.history.author_history`) and passes them in as a
plain mapping; :func:`relationship_from_history` decides:

- ``customer``: an earlier mention showed purchase intent (or asked for a
  recommendation) and a later one, this one included, praised or was positive:
  they came, bought and liked it;
- ``fan``: at least :data:`FAN_POSITIVE` positive mentions within
  :data:`FAN_DAYS` days, this one included.

The authenticity score is the shipped model's (:mod:`hubbub.insight.authenticity`):
the probability that the author is a genuine account, from its profile at the
post's time. Features a network does not give are missing, not zero; with nothing
known (an RSS author) the score is ``None``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from hubbub.insight.authenticity import authenticity
from hubbub.model import Account, Post, Relationship, SentimentLabel, Who, Workspace
from hubbub.query.tokens import fold

__all__ = [
    "FAN_DAYS",
    "FAN_POSITIVE",
    "History",
    "PastMention",
    "authenticity",
    "forget_relationships",
    "relationship",
    "relationship_from_history",
    "same_handle",
    "who",
]

FAN_POSITIVE = 3
FAN_DAYS = 90
_BUYING = frozenset({"purchase_intent", "recommendation_request"})


@dataclass(frozen=True, slots=True)
class PastMention:
    """One earlier mention of the workspace by an author, as the store keeps it."""

    created: datetime
    sentiment: SentimentLabel
    intents: tuple[str, ...] = ()


#: (network, the author's native id) -> their earlier mentions of the workspace
History = Mapping[tuple[str, str], Sequence[PastMention]]


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def relationship_from_history(
    past: Sequence[PastMention], current: PastMention
) -> Literal["customer", "fan"] | None:
    """``customer``, ``fan`` or None from an author's earlier mentions and this one."""
    now = _utc(current.created)
    earlier = sorted((p for p in past if _utc(p.created) < now), key=lambda p: _utc(p.created))
    timeline = [*earlier, current]
    bought_at: datetime | None = None
    for item in timeline:
        liked = item.sentiment == "positive" or "praise" in item.intents
        if bought_at is not None and _utc(item.created) > bought_at and liked:
            return "customer"
        if bought_at is None and _BUYING & set(item.intents):
            bought_at = _utc(item.created)
    since = now - timedelta(days=FAN_DAYS)
    positive = sum(
        1 for item in timeline if item.sentiment == "positive" and _utc(item.created) >= since
    )
    return "fan" if positive >= FAN_POSITIVE else None


def _norm(handle: str) -> str:
    return fold(handle.strip().removeprefix("@"))


def same_handle(a: str, b: str) -> bool:
    """Handles equal case-insensitively; ``user`` equals ``user@instance`` (Mastodon)."""
    a, b = _norm(a), _norm(b)
    if not a or not b:
        return False
    if a == b:
        return True
    if ("@" in a) != ("@" in b):
        return a.split("@", 1)[0] == b.split("@", 1)[0]
    return False


def _any_handle(account: Account, handles: Iterable[Mapping[str, str]]) -> bool:
    for mapping in handles:
        handle = mapping.get(account.network)
        if handle and same_handle(account.handle, handle):
            return True
    return False


class _Memo:
    """Relationships already decided, by (network, handle), for the workspace last asked.

    A batch asks about the same workspace post after post, and its authors repeat;
    folding every handle of the business, its team and its competitors for each post
    was a tenth of the pipeline's time. Bounded; a new workspace object starts afresh
    (the workspace is frozen, and one whose handles change is a new object).
    """

    LIMIT = 65_536

    def __init__(self) -> None:
        # One (workspace, found) pair, replaced whole: a thread reading it keeps its own
        # pair, so it never writes one workspace's answer into another's.
        self.current: tuple[Workspace | None, dict[tuple[str, str], Relationship]] = (None, {})

    def get(self, account: Account, workspace: Workspace) -> Relationship:
        current = self.current
        if current[0] is not workspace:
            current = self.current = (workspace, {})
        found = current[1]
        key = (account.network, account.handle)
        relation = found.get(key)
        if relation is None:
            if len(found) >= self.LIMIT:
                found.clear()
            relation = found[key] = _relationship(account, workspace)
        return relation


_MEMO = _Memo()


def forget_relationships() -> None:
    """Empty the memo of decided relationships (see :func:`hubbub.insight.clear_caches`)."""
    _MEMO.current = (None, {})


def relationship(account: Account, workspace: Workspace) -> Relationship:
    """business, staff or competitor from the workspace's handles; else new."""
    return _MEMO.get(account, workspace)


def _relationship(account: Account, workspace: Workspace) -> Relationship:
    if _any_handle(account, [workspace.handles]):
        return "business"
    if _any_handle(account, (m.handles for m in workspace.team)):
        return "staff"
    if _any_handle(account, (c.handles for c in workspace.competitors)):
        return "competitor"
    return "new"


def who(post: Post, workspace: Workspace) -> Who:
    author = post.author
    return Who(
        handle=author.handle,
        followers=author.followers,
        authenticity=authenticity(author, post.created),
        relationship=relationship(author, workspace),
    )
