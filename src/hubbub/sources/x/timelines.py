"""The business's own X timeline, its mentions and its followers as resumable Sources.

Recent search finds what the streams match; these three read what belongs to the
business itself, by its user id (resolved once from the workspace's X handle with
``GET /2/users/by/username/:username`` and kept in the cursor):

- :class:`XTimelineSource` ``kind="own"``: ``GET /2/users/:id/tweets`` (what the
  business posted: the audit's voice and owned content);
- :class:`XTimelineSource` ``kind="mentions"``: ``GET /2/users/:id/mentions`` (who
  talks to it, even when no stream's words appear);
- :class:`XFollowersSource`: ``GET /2/users/:id/followers`` into
  :attr:`~hubbub.model.Batch.followers` (the follower audit).

Timelines page newest first (``pagination_token``) and resume by ``since_id`` like
:mod:`hubbub.sources.x.search`; the cursor is JSON, one batch per page::

    {"v": 1, "user_id": "…", "since_id": "…"}                                 # finished
    {"v": 1, "user_id": "…", "since_id": "…", "next_token": "…",
     "run_since": "…", "newest_id": "…"}                                      # mid-run

A run killed between pages continues at ``next_token`` with the ``since_id`` it
started with; when its last page is stored, ``since_id`` becomes the run's newest
id. Posts are upserted by (network, id), so nothing is stored twice.

X serves the newest 3,200 posts of a user timeline and the newest 800 mentions;
older ones are only in the account's archive (``hubbub import`` reads it).

Followers have no ``since_id`` (the list is ordered by follow time, not by id): the
cursor is ``{"v": 1, "user_id": "…", "next_token": "…"}`` mid-run and
``{"v": 1, "user_id": "…", "complete": "<time>"}`` after the last page, after which
the next run reads the whole list again. X bills each user object returned, so
follower pages are metered as reads (and stop at the monthly cap) like posts.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, Literal

from hubbub.model import Account, Batch, Provenance
from hubbub.sources.base import SourceError
from hubbub.sources.files import LineError, x_account, x_page_posts
from hubbub.sources.x.client import XClient
from hubbub.sources.x.search import Page, post_fields

__all__ = [
    "FOLLOWER_FIELDS",
    "TimelineKind",
    "XFollowersSource",
    "XTimelineSource",
    "resolve_user_id",
]

TimelineKind = Literal["own", "mentions"]
FOLLOWER_FIELDS = (
    "created_at,description,location,public_metrics,profile_image_url,protected,url,verified"
)
_PATHS: dict[str, str] = {"own": "tweets", "mentions": "mentions"}


def resolve_user_id(client: XClient, handle: str) -> str:
    """The numeric id of ``@handle``; :class:`SourceError` when X knows no such user."""
    name = handle.strip().lstrip("@")
    if not name:
        raise SourceError("x: no handle: set handles.x in the workspace file")
    reply = client.request("GET", f"/2/users/by/username/{name}")
    data = reply.data.get("data") if isinstance(reply.data, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        raise SourceError(f"x: X knows no user @{name}: check handles.x in the workspace file")
    return str(data["id"])


def _load(cursor: str | None, what: str) -> dict[str, str]:
    if not cursor:
        return {}
    try:
        data = json.loads(cursor)
    except ValueError:
        raise SourceError(f"x: the stored {what} cursor is not JSON; reset it") from None
    if not isinstance(data, dict):
        return {}
    return {str(k): str(v) for k, v in data.items() if v is not None and k != "v"}


def _dump(state: dict[str, str]) -> str:
    return json.dumps({"v": 1, **state}, sort_keys=True)


class _ForHandle:
    """What both sources share: the client, the handle and its id (from the cursor if known)."""

    def __init__(
        self, client: XClient, handle: str, now: Callable[[], datetime] | None = None
    ) -> None:
        self.handle = handle.strip().lstrip("@")
        if not self.handle:
            raise SourceError("x: no handle: set handles.x in the workspace file")
        self.client = client
        self.now = now or (lambda: datetime.now(UTC))
        self.problems: list[str] = []
        self.pages = 0

    def _user_id(self, state: dict[str, str]) -> str:
        uid = state.get("user_id")
        return uid if uid and uid.isdigit() else resolve_user_id(self.client, self.handle)


class XTimelineSource(_ForHandle):
    """The business's own posts (``kind="own"``) or its mentions, as a Source."""

    def __init__(
        self,
        client: XClient,
        handle: str,
        kind: TimelineKind = "mentions",
        *,
        since_id: str | None = None,
        page_size: int = 100,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(client, handle, now)
        if kind not in _PATHS:
            raise SourceError(f"x: unknown timeline {kind!r}: expected own or mentions")
        self.kind = kind
        self.name = f"x:timeline:{kind}"
        self.since_id = since_id
        self.page_size = max(5, min(100, page_size))

    def batches(self, cursor: str | None = None) -> Iterator[Batch]:
        state = _load(cursor, "timeline")
        uid = self._user_id(state)
        token = state.get("next_token")
        if token:  # resume a run killed mid-way, with the parameters it started with
            since_id, newest = state.get("run_since"), state.get("newest_id")
        else:
            since_id, newest = state.get("since_id") or self.since_id, None
        path = f"/2/users/{uid}/{_PATHS[self.kind]}"
        while True:
            remaining = self.client.budget.remaining_reads()  # overshoot a cap by < 5 posts
            size = self.page_size if remaining is None else min(self.page_size, remaining)
            params: dict[str, str | int] = {**post_fields(), "max_results": max(5, size)}
            if since_id:
                params["since_id"] = since_id
            if token:
                params["pagination_token"] = token
            reply = self.client.request("GET", path, params=params)
            if not isinstance(reply.data, dict):
                raise SourceError(f"x: {path} answered with something other than an object")
            page = Page(reply.data, reply.url)
            self.pages += 1
            newest = newest or page.newest_id
            provenance = Provenance(source=self.name, url=page.url, retrieved=self.now())
            posts, problems = x_page_posts(page.body, provenance)
            self.problems.extend(f"x: {self.kind} timeline: {p}" for p in problems)
            token = page.next_token
            out: dict[str, str] = {"user_id": uid}
            if token:
                out["next_token"] = token
                if since_id:
                    out["run_since"] = since_id
                if newest:
                    out["newest_id"] = newest
                if state.get("since_id"):
                    out["since_id"] = state["since_id"]
            elif newest or since_id:
                out["since_id"] = str(newest or since_id)
            yield Batch(self.name, posts, _dump(out))
            if token is None:
                return


class XFollowersSource(_ForHandle):
    """The accounts following the business, a page at a time into ``Batch.followers``."""

    name = "x:followers"

    def __init__(
        self,
        client: XClient,
        handle: str,
        *,
        page_size: int = 1000,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(client, handle, now)
        self.page_size = max(1, min(1000, page_size))

    def batches(self, cursor: str | None = None) -> Iterator[Batch]:
        state = _load(cursor, "followers")
        uid = self._user_id(state)
        token = state.get("next_token")
        path = f"/2/users/{uid}/followers"
        while True:
            self.client.budget.check()  # users read are billed like posts
            remaining = self.client.budget.remaining_reads()
            size = self.page_size if remaining is None else max(1, min(self.page_size, remaining))
            params: dict[str, str | int] = {"max_results": size, "user.fields": FOLLOWER_FIELDS}
            if token:
                params["pagination_token"] = token
            reply = self.client.request("GET", path, params=params)
            body: dict[str, Any] = reply.data if isinstance(reply.data, dict) else {}
            self.pages += 1
            users = body.get("data")
            followers: list[Account] = []
            for user in users if isinstance(users, list) else []:
                try:
                    followers.append(x_account(user if isinstance(user, dict) else {}))
                except LineError as exc:
                    self.problems.append(f"x: followers: {exc}")
            self.client.record_reads(len(users) if isinstance(users, list) else 0)
            meta = body.get("meta") if isinstance(body.get("meta"), dict) else {}
            nxt = meta.get("next_token") if isinstance(meta, dict) else None
            token = nxt if isinstance(nxt, str) and nxt and followers else None
            out: dict[str, str] = {"user_id": uid}
            if token:
                out["next_token"] = token
            else:
                out["complete"] = self.now().isoformat()
            yield Batch(self.name, [], _dump(out), followers=followers)
            if token is None:
                return
