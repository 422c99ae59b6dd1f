"""Who is talking: their relationship to the business and how authentic the account looks.

Relationship is decided from the workspace alone (a pure function): the
business's own handles, then the team's, then competitors'; everyone else is
``new``. ``customer`` and ``fan`` need the author's history in the store, so
they are assigned later, not here.

The authenticity score is the shipped model's (:mod:`hubbub.insight.authenticity`):
the probability that the author is a genuine account, from its profile at the
post's time. Features a network does not give are missing, not zero; with nothing
known (an RSS author) the score is ``None``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from hubbub.insight.authenticity import authenticity
from hubbub.model import Account, Post, Relationship, Who, Workspace
from hubbub.query.tokens import fold

__all__ = ["authenticity", "relationship", "same_handle", "who"]


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


def relationship(account: Account, workspace: Workspace) -> Relationship:
    """business, staff or competitor from the workspace's handles; else new."""
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
