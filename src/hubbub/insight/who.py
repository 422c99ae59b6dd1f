"""Who is talking: their relationship to the business and how authentic the account looks.

Relationship is decided from the workspace alone (a pure function): the
business's own handles, then the team's, then competitors'; everyone else is
``new``. ``customer`` and ``fan`` need the author's history in the store, so
they are assigned later, not here.

The authenticity score is transparent on purpose: it is the weighted mean of
the per-feature scores :func:`authenticity_features` returns, so a view can
show exactly why an account looks questionable. A feature the network did not
give (``None``) is skipped, never counted as zero; with no feature known the
score is ``None``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime

from hubbub.model import Account, Post, Relationship, Who, Workspace
from hubbub.query.tokens import fold

__all__ = ["WEIGHTS", "authenticity", "authenticity_features", "relationship", "same_handle", "who"]

#: Weight of each feature in the mean.
WEIGHTS: dict[str, float] = {
    "avatar": 2.0,
    "profile": 1.0,
    "follow_ratio": 2.0,
    "posts": 1.0,
    "age": 2.0,
    "verified": 2.0,
    "bio": 0.5,
    "location": 0.5,
}


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


def _ratio_score(followers: int, following: int) -> float:
    # Following many and followed by few is the classic bot/follow-farm shape.
    ratio = following / max(followers, 1)
    if ratio <= 2.0:
        return 1.0
    if ratio >= 50.0:
        return 0.0
    return 1.0 - math.log(ratio / 2.0) / math.log(25.0)


def _posts_score(posts: int) -> float:
    if posts <= 0:
        return 0.0
    if posts < 10:
        return 0.3
    if posts < 50:
        return 0.7
    return 1.0


def _age_score(days: float) -> float:
    if days < 7:
        return 0.0
    if days < 30:
        return 0.4
    if days < 180:
        return 0.7
    return 1.0


def authenticity_features(account: Account, now: datetime | None = None) -> dict[str, float]:
    """Each known feature's score in [0, 1] (1 looks authentic); unknown ones are absent.

    ``now`` is the time to measure account age at (the post's time); age is skipped without it.
    """
    out: dict[str, float] = {}
    if account.default_avatar is not None:
        out["avatar"] = 0.0 if account.default_avatar else 1.0
    if account.default_profile is not None:
        out["profile"] = 0.3 if account.default_profile else 1.0
    if account.followers is not None and account.following is not None:
        out["follow_ratio"] = _ratio_score(account.followers, account.following)
    if account.posts is not None:
        out["posts"] = _posts_score(account.posts)
    if account.created is not None and now is not None:
        out["age"] = _age_score((now - account.created).total_seconds() / 86400.0)
    if account.verified:
        out["verified"] = 1.0  # unverified says little, so only True counts
    if out:  # bio/location are "" when a network omits them: count them only beside real data
        out["bio"] = 1.0 if account.bio.strip() else 0.0
        out["location"] = 1.0 if account.location.strip() else 0.0
    return out


def authenticity(account: Account, now: datetime | None = None) -> float | None:
    """The weighted mean of :func:`authenticity_features`, or None when nothing is known."""
    feats = authenticity_features(account, now)
    if not feats:
        return None
    total = sum(WEIGHTS[k] for k in feats)
    return round(sum(WEIGHTS[k] * v for k, v in feats.items()) / total, 4)


def who(post: Post, workspace: Workspace) -> Who:
    author = post.author
    return Who(
        handle=author.handle,
        followers=author.followers,
        authenticity=authenticity(author, post.created),
        relationship=relationship(author, workspace),
    )
