"""Bluesky post search as a resumable Source: ``app.bsky.feed.searchPosts`` per stream term, paged.

Bluesky's search takes plain terms, ``"phrases"``, ``#tags``, ``from:`` and
``mentions:`` but no ``OR`` or grouping, so a stream is not sent as it is written:
each stream's *need* (the keys of which any post the stream matches must offer at
least one, see :func:`hubbub.query.matcher.need`) becomes one search per key, shared
by the streams that need it. Every post a stream can match contains one of its
keys, so nothing is missed; what the searches over-fetch, the pipeline's matcher
drops. A stream whose need cannot be searched (a ``place:`` or ``point_radius:``
only, or a negation alone) is reported in ``problems`` and skipped.

``sort=latest`` pages run newest first with an opaque ``cursor``. The source's
cursor is JSON with one entry per search term::

    {"v": 1, "terms": {"<q>": {"since": "<newest indexedAt>"}}}                 # finished
    {"v": 1, "terms": {"<q>": {"cursor": "…", "run_since": "…", "newest": "…"}}}  # mid-run

and travels with every batch (one batch per page), so the runner stores it with
the page's posts in one transaction: a run killed between pages resumes at the
stored page cursor with the same ``since``, and once the last page is stored the
term's ``since`` becomes the newest ``indexedAt`` of that run. ``since`` is
inclusive on Bluesky, so the newest post is fetched once more next time; posts are
upserted by (network, id), so it is not stored twice.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from hubbub.model import Batch, Provenance, Stream
from hubbub.query import QueryError, parse
from hubbub.query.matcher import need
from hubbub.sources.base import SourceError
from hubbub.sources.bluesky.client import BlueskyClient
from hubbub.sources.bluesky.mapping import MappingError, post_from_view

__all__ = ["SEARCH_NSID", "BlueskySearchSource", "SearchTerm", "bluesky_time", "search_terms"]

log = logging.getLogger(__name__)
SEARCH_NSID = "app.bsky.feed.searchPosts"
PAGE_SIZE = 100  # the most searchPosts returns


def bluesky_time(when: datetime) -> str:
    """A time as Bluesky writes it: RFC 3339 in UTC with milliseconds."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


@dataclass(frozen=True, slots=True)
class SearchTerm:
    """One ``q`` sent to searchPosts and the streams it serves."""

    q: str
    streams: tuple[str, ...]


def _key_query(kind: str, value: str) -> str | None:
    """A need key as a Bluesky search term; None when Bluesky cannot search for it."""
    if kind in ("w", "u", "c"):
        return value
    if kind == "b":
        return f'"{value}"'
    if kind == "h":
        return f"#{value}"
    if kind == "m":
        return f"mentions:{value}" if "." in value else value
    if kind == "f":
        return f"from:{value}" if "." in value else None
    return None


def search_terms(streams: Sequence[Stream]) -> tuple[list[SearchTerm], list[str]]:
    """The searches that cover the non-paused streams, and a reason for each stream left out."""
    by_q: dict[str, list[str]] = {}
    problems: list[str] = []
    for stream in streams:
        if stream.paused:
            continue
        try:
            keys = need(parse(stream.query))
        except QueryError as exc:
            raise SourceError(f"bluesky: stream {stream.name!r}: {exc}") from None
        queries = [_key_query(kind, value) for kind, value in sorted(keys or ())]
        if not keys or any(q is None for q in queries):
            problems.append(
                f"bluesky: stream {stream.name!r} cannot be searched on Bluesky "
                "(it needs a place, an area or an operator Bluesky search lacks)"
            )
            continue
        for q in queries:
            assert q is not None
            by_q.setdefault(q, []).append(stream.name)
    return [SearchTerm(q, tuple(names)) for q, names in by_q.items()], problems


def _load_cursor(cursor: str | None) -> dict[str, dict[str, str]]:
    if not cursor:
        return {}
    try:
        data = json.loads(cursor)
    except ValueError:
        raise SourceError("bluesky: the stored search cursor is not JSON; reset it") from None
    terms = data.get("terms") if isinstance(data, dict) else None
    if not isinstance(terms, dict):
        return {}
    return {
        str(q): {k: str(v) for k, v in entry.items() if v}
        for q, entry in terms.items()
        if isinstance(entry, dict)
    }


class BlueskySearchSource:
    """searchPosts over a workspace's streams, as a :class:`~hubbub.sources.base.Source`.

    ``since`` sets where a term without a stored cursor starts (default: as far back
    as Bluesky's index goes); a term with one always resumes from it. ``problems``
    collects a reason for each post that could not be mapped, ``skipped`` one for
    each stream that cannot be searched on Bluesky.
    """

    name = "bluesky:search"

    def __init__(
        self,
        client: BlueskyClient,
        streams: Sequence[Stream],
        *,
        since: datetime | None = None,
        page_size: int = PAGE_SIZE,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if since is not None and since.tzinfo is None:
            raise SourceError("bluesky: --since needs a time zone, e.g. 2026-11-20T00:00:00Z")
        self.client = client
        self.terms, self.skipped = search_terms(streams)
        self.problems: list[str] = []
        if not self.terms:
            raise SourceError("bluesky: no stream of this workspace can be searched on Bluesky")
        self.since = since
        self.page_size = max(1, min(PAGE_SIZE, page_size))
        self.now = now
        self.pages = 0

    def batches(self, cursor: str | None = None) -> Iterator[Batch]:
        state = _load_cursor(cursor)
        for term in self.terms:
            yield from self._term_batches(term, state)

    def _page(self, q: str, since: str | None, page_cursor: str | None) -> dict[str, Any]:
        params: dict[str, str | int] = {"q": q, "sort": "latest", "limit": self.page_size}
        if since:
            params["since"] = since
        if page_cursor:
            params["cursor"] = page_cursor
        return self.client.get(SEARCH_NSID, params)

    def _term_batches(self, term: SearchTerm, state: dict[str, dict[str, str]]) -> Iterator[Batch]:
        entry = dict(state.get(term.q, {}))
        page_cursor = entry.get("cursor")
        if page_cursor:  # resume a run killed mid-way, with the since it started with
            since = entry.get("run_since")
            newest = entry.get("newest")
        else:
            since = entry.get("since") or (bluesky_time(self.since) if self.since else None)
            newest = None
        previous = entry.get("since")
        while True:
            body = self._page(term.q, since, page_cursor)
            self.pages += 1
            found = body.get("posts")
            views: list[Any] = found if isinstance(found, list) else []
            provenance = Provenance(source=self.name, url=self._url(term.q), retrieved=self.now())
            posts = []
            for view in views:
                if not isinstance(view, dict):
                    self.problems.append(f"bluesky: {term.q}: a post is not an object")
                    continue
                try:
                    posts.append(post_from_view(view, provenance))
                except MappingError as exc:
                    self.problems.append(f"bluesky: {term.q}: {exc}")
                    continue
                indexed = view.get("indexedAt")
                if isinstance(indexed, str) and (newest is None or indexed > newest):
                    newest = indexed
            next_cursor = body.get("cursor") if views else None
            if isinstance(next_cursor, str) and next_cursor:
                entry = {"cursor": next_cursor}
                if since:
                    entry["run_since"] = since
                if newest:
                    entry["newest"] = newest
                if previous:
                    entry["since"] = previous
            else:
                done = newest or since
                entry = {"since": done} if done else {}
            state[term.q] = entry
            yield Batch(self.name, posts, json.dumps({"v": 1, "terms": state}, sort_keys=True))
            if "cursor" not in entry:
                return
            page_cursor = entry["cursor"]

    def _url(self, q: str) -> str:
        return f"{self.client.base_url}/xrpc/{SEARCH_NSID}?{urlencode({'q': q})}"
