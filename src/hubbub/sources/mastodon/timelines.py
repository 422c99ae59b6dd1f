"""Mastodon tag timelines, searches and the public timeline as one resumable Source.

Each :class:`~hubbub.sources.mastodon.plan.Feed` is read newest first, 40 statuses a
page, down to the newest status stored last time: timelines with ``since_id``, the
search with ``min_id`` (its only lower bound), older pages with the ``max_id`` of the
``Link: rel="next"`` header (the oldest id of the page for the search, which sends no
``Link``). A feed is done at the first empty page.

The cursor is JSON with one entry per feed::

    {"v": 1, "feeds": {"tag:sourdough": {"newest": "…"}}}                     # done
    {"v": 1, "feeds": {"tag:sourdough": {"newest": "…", "max_id": "…",
                                         "run_since": "…", "run_newest": "…"}}}  # mid-run

It travels with every page's batch and is stored with the page's posts in one
transaction, so a run killed between pages resumes at the stored ``max_id`` with the
same lower bound, and once a feed's last page is stored its ``newest`` becomes the
run's first (newest) id: nothing is lost, and posts being upserted by (network, id),
nothing is stored twice. A feed never read before starts at ``since`` when given,
else with its newest page only (a live listener wants what is new, not the archive).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from hubbub.model import Batch, Provenance, Stream
from hubbub.sources.base import SourceError
from hubbub.sources.mastodon.client import MastodonClient, Reply
from hubbub.sources.mastodon.mapping import statuses_posts
from hubbub.sources.mastodon.plan import Feed, plan_feeds

__all__ = ["PAGE_SIZE", "MastodonTimelineSource", "fetch_page", "id_at"]

PAGE_SIZE = 40  # Mastodon's maximum for timelines and search


def id_at(when: datetime) -> str:
    """The smallest Mastodon status id of ``when``: milliseconds since 1970, shifted 16 bits."""
    return str(int(when.timestamp() * 1000) << 16)


def _newer(a: str | None, b: str | None) -> str | None:
    """The larger of two numeric ids (either may be None)."""
    if a is None or b is None:
        return a or b
    return a if (len(a), a) >= (len(b), b) else b


def fetch_page(
    client: MastodonClient,
    feed: Feed,
    *,
    since: str | None = None,
    max_id: str | None = None,
    limit: int = PAGE_SIZE,
) -> tuple[list[Any], str | None, str]:
    """One page of ``feed``: its statuses (raw JSON), the next page's ``max_id``, the URL."""
    reply: Reply[Any]
    if feed.kind == "tag":
        tag = feed.value
        reply = client.request(
            f"GET /api/v1/timelines/tag/{tag}",
            lambda api: api.timeline_hashtag(tag, since_id=since, max_id=max_id, limit=limit),
        )
        statuses = reply.data
    elif feed.kind == "public":
        local, remote = feed.value == "local", feed.value == "remote"
        reply = client.request(
            "GET /api/v1/timelines/public",
            lambda api: api.timeline_public(
                since_id=since, max_id=max_id, limit=limit, local=local, remote=remote
            ),
        )
        statuses = reply.data
    else:
        query = feed.value
        reply = client.request(
            "GET /api/v2/search",
            lambda api: api.search_v2(
                query,
                resolve=False,
                result_type="statuses",
                min_id=since,
                max_id=max_id,
                limit=limit,
            ),
        )
        statuses = reply.data.get("statuses") if isinstance(reply.data, dict) else None
    if not isinstance(statuses, list):
        raise SourceError(f"mastodon: {feed.key}: the answer holds no list of statuses")
    next_max = reply.next_max_id if feed.kind != "search" else None
    if next_max is None and statuses:
        ids = [str(s["id"]) for s in statuses if isinstance(s, dict) and "id" in s]
        next_max = min(ids, key=lambda i: (len(i), i)) if ids else None
    return statuses, next_max, reply.url


def _load_cursor(cursor: str | None) -> dict[str, dict[str, str]]:
    if not cursor:
        return {}
    try:
        data = json.loads(cursor)
    except ValueError:
        raise SourceError("mastodon: the stored timeline cursor is not JSON; reset it") from None
    feeds = data.get("feeds") if isinstance(data, dict) else None
    if not isinstance(feeds, dict):
        return {}
    return {
        str(k): {str(a): str(b) for a, b in v.items() if b}
        for k, v in feeds.items()
        if isinstance(v, dict)
    }


class MastodonTimelineSource:
    """A workspace's streams read from Mastodon's tag timelines, search and public timeline.

    ``feeds`` defaults to :func:`~hubbub.sources.mastodon.plan.plan_feeds` of the
    streams (searches only with a token). ``problems`` collects a reason for every
    status that could not be mapped; ``pages`` counts the pages read.
    """

    name = "mastodon:timelines"

    def __init__(
        self,
        client: MastodonClient,
        streams: Sequence[Stream] = (),
        *,
        feeds: Sequence[Feed] | None = None,
        since: datetime | None = None,
        public: str | None = "local",
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.client = client
        if feeds is None:
            feeds = plan_feeds(streams, can_search=client.has_token, public=public)
        self.feeds = list(feeds)
        if not self.feeds:
            raise SourceError("mastodon: no stream of this workspace can be read on Mastodon")
        if since is not None and since.tzinfo is None:
            raise SourceError("mastodon: --since needs a time zone, e.g. 2026-11-20T00:00:00Z")
        self.since = since
        self.now = now
        self.problems: list[str] = []
        self.pages = 0

    def batches(self, cursor: str | None = None) -> Iterator[Batch]:
        state = _load_cursor(cursor)
        for feed in self.feeds:
            yield from self._feed_batches(feed, state)

    def _feed_batches(self, feed: Feed, state: dict[str, dict[str, str]]) -> Iterator[Batch]:
        entry = dict(state.get(feed.key, {}))
        stored = entry.get("newest")
        if entry.get("max_id"):  # resume a run killed mid-way, with its lower bound
            bound = entry.get("run_since")
            max_id: str | None = entry["max_id"]
            top = entry.get("run_newest")
        else:
            bound = stored or (id_at(self.since) if self.since is not None else None)
            max_id, top = None, None
        first_only = bound is None  # never read and no --since: the newest page only
        while True:
            statuses, next_max, url = fetch_page(self.client, feed, since=bound, max_id=max_id)
            self.pages += 1
            provenance = Provenance(source=self.name, url=url, retrieved=self.now())
            posts, problems = statuses_posts(statuses, provenance)
            self.problems.extend(f"mastodon: {feed.key}: {p}" for p in problems)
            for post in posts:
                top = _newer(top, post.id)
            done = not statuses or next_max is None or first_only
            if done:
                newest = _newer(top, bound)
                entry = {"newest": newest} if newest else {}
            else:
                assert next_max is not None
                entry = {"max_id": next_max}
                if bound:
                    entry["run_since"] = bound
                if top:
                    entry["run_newest"] = top
                if stored:
                    entry["newest"] = stored
            state[feed.key] = entry
            yield Batch(self.name, posts, json.dumps({"v": 1, "feeds": state}, sort_keys=True))
            if done:
                return
            max_id = next_max
