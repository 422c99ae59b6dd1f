"""The business's Bluesky followers as a resumable Source (``app.bsky.graph.getFollowers``).

The follower audit needs the accounts that follow the business; this source pages
through ``getFollowers`` for the workspace's Bluesky handle and yields each page as
a :class:`~hubbub.model.Batch` with no posts and the page's accounts in
``followers``. ``getFollowers`` gives plain profile views (name, bio, avatar,
created) without counts, so followers, following and posts stay ``None`` (missing,
not zero) as the vocabulary requires.

The cursor is ``{"cursor": "<page cursor>"}`` mid-run and ``{"complete": "<time>"}``
after the last page: a run killed midway resumes at the stored page, and a run
after a complete one starts from the top again, because the list has changed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from hubbub.model import Account, Batch
from hubbub.sources.base import SourceError
from hubbub.sources.bluesky.client import BlueskyClient
from hubbub.sources.bluesky.mapping import MappingError, account_from_profile

__all__ = ["FOLLOWERS_NSID", "BlueskyFollowersSource"]

FOLLOWERS_NSID = "app.bsky.graph.getFollowers"


class BlueskyFollowersSource:
    """Followers of ``actor`` (a handle or DID), 100 a page."""

    name = "bluesky:followers"

    def __init__(
        self,
        client: BlueskyClient,
        actor: str,
        *,
        page_size: int = 100,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if not actor.strip().lstrip("@"):
            raise SourceError("bluesky: no handle: set handles.bluesky in the workspace file")
        self.client = client
        self.actor = actor.strip().lstrip("@")
        self.page_size = max(1, min(100, page_size))
        self.now = now
        self.problems: list[str] = []
        self.pages = 0

    def batches(self, cursor: str | None = None) -> Iterator[Batch]:
        page_cursor: str | None = None
        if cursor:
            try:
                state = json.loads(cursor)
            except ValueError:
                raise SourceError("bluesky: the stored followers cursor is not JSON") from None
            if isinstance(state, dict) and isinstance(state.get("cursor"), str):
                page_cursor = state["cursor"]
        while True:
            params: dict[str, str | int] = {"actor": self.actor, "limit": self.page_size}
            if page_cursor:
                params["cursor"] = page_cursor
            body = self.client.get(FOLLOWERS_NSID, params)
            self.pages += 1
            followers: list[Account] = []
            for item in body.get("followers") or ():
                try:
                    followers.append(account_from_profile(item if isinstance(item, dict) else {}))
                except MappingError as exc:
                    self.problems.append(f"bluesky: followers: {exc}")
            nxt = body.get("cursor")
            if isinstance(nxt, str) and nxt and followers:
                page_cursor = nxt
                state_out = {"cursor": nxt}
            else:
                page_cursor = None
                state_out = {"complete": self.now().isoformat()}
            yield Batch(self.name, [], json.dumps(state_out), followers=followers)
            if page_cursor is None:
                return
