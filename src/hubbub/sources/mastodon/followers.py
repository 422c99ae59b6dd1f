"""The business's Mastodon followers, for the audit, as a resumable Source.

``/api/v1/accounts/:id/followers`` lists an account's followers newest follow first,
up to 80 a page; the next page is named only by the ``Link: rel="next"`` header,
whose ``max_id`` is the id of a *follow*, not of an account, so it cannot be
computed from the page and is kept in the cursor::

    {"v": 1, "handle": "…", "account": "…", "max_id": "…"}        # mid-way
    {"v": 1, "handle": "…", "account": "…", "complete": "<time>"}  # the whole list was read

Each page is one batch whose ``followers`` the runner stores; posts are empty. A
listing is a snapshot: a run after a complete one reads the list again from the top
(the audit wants today's followers), a run after an interrupted one goes on from
the stored page.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import partial
from typing import Any

from mastodon import Mastodon

from hubbub.model import Account, Batch
from hubbub.sources.base import SourceError
from hubbub.sources.mastodon.client import MastodonClient
from hubbub.sources.mastodon.mapping import MappingError, account_from_json

__all__ = ["FOLLOWERS_PAGE", "MastodonFollowersSource", "lookup_account_id"]

FOLLOWERS_PAGE = 80  # Mastodon's maximum for account lists


def lookup_account_id(client: MastodonClient, handle: str) -> str:
    """The instance's id of ``user@instance`` (``/api/v1/accounts/lookup``)."""
    acct = handle.lstrip("@")  # Mastodon resolves its own domain in user@domain too
    reply = client.request(
        f"GET /api/v1/accounts/lookup?acct={acct}", lambda api: api.account_lookup(acct)
    )
    found = reply.data.get("id") if isinstance(reply.data, dict) else None
    if found is None:
        raise SourceError(f"mastodon: {client.host} does not know the account {handle!r}")
    return str(found)


def _followers_page(api: Mastodon, *, account: str, max_id: str | None) -> Any:
    return api.account_followers(account, max_id=max_id, limit=FOLLOWERS_PAGE)


class MastodonFollowersSource:
    """The followers of ``handle`` (``user@instance``) as batches of accounts."""

    name = "mastodon:followers"

    def __init__(
        self,
        client: MastodonClient,
        handle: str,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.client = client
        self.handle = handle
        self.now = now
        self.problems: list[str] = []
        self.pages = 0

    def batches(self, cursor: str | None = None) -> Iterator[Batch]:
        state = json.loads(cursor) if cursor else {}
        if not isinstance(state, dict) or state.get("handle") != self.handle:
            state = {}  # never read, or the workspace names another account now
        account = str(state.get("account") or "") or lookup_account_id(self.client, self.handle)
        max_id = str(state["max_id"]) if state.get("max_id") and not state.get("complete") else None
        while True:
            reply = self.client.request(
                f"GET /api/v1/accounts/{account}/followers",
                partial(_followers_page, account=account, max_id=max_id),
            )
            self.pages += 1
            items = reply.data if isinstance(reply.data, list) else []
            followers: list[Account] = []
            for item in items:
                try:
                    followers.append(account_from_json(item))
                except MappingError as exc:
                    self.problems.append(f"mastodon: followers: {exc}")
            next_max = reply.next_max_id if items else None
            cursor_state = {"v": 1, "handle": self.handle, "account": account}
            if next_max is None:
                cursor_state["complete"] = self.now().isoformat()
            else:
                cursor_state["max_id"] = next_max
            yield Batch(self.name, [], json.dumps(cursor_state), followers=followers)
            if next_max is None:
                return
            max_id = next_max
