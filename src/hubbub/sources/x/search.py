"""X recent search as a resumable Source: one query per stream, paged, resumed by since_id.

``GET /2/tweets/search/recent`` returns the last seven days newest first, up to 100
posts a page, with ``meta.next_token`` for the next (older) page and
``meta.newest_id`` for where the next run should start (``since_id``).

The cursor is JSON with one entry per query::

    {"v": 1, "queries": {"<query>": {"since_id": "…"}}}                  # finished
    {"v": 1, "queries": {"<query>": {"since_id": "…", "next_token": "…",
                                      "run_since": "…", "newest_id": "…"}}}  # mid-run

It travels with every batch (one batch per page), and :func:`hubbub.listen.ingest`
stores it in the same transaction as the page's posts. A run killed between pages
resumes at the stored ``next_token`` with the same ``since_id`` (X requires the same
parameters to continue a pagination), and once the last page is stored the query's
``since_id`` becomes the run's first ``newest_id``: nothing is lost, and because
posts are upserted by (network, id), nothing is stored twice.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import chain
from typing import Any

from hubbub import codec
from hubbub.model import Batch, Provenance, Stream
from hubbub.sources.base import SourceError
from hubbub.sources.files import x_page_posts
from hubbub.sources.x.client import XClient, XRequestError
from hubbub.sources.x.rules import SEARCH_LIMIT, StreamQuery, stream_queries

__all__ = [
    "EXPANSIONS",
    "MEDIA_FIELDS",
    "PLACE_FIELDS",
    "SEARCH_PATH",
    "TWEET_FIELDS",
    "USER_FIELDS",
    "Page",
    "XSearchSource",
    "post_fields",
    "search_pages",
    "x_time",
]

SEARCH_PATH = "/2/tweets/search/recent"
TWEET_FIELDS = (
    "attachments,author_id,conversation_id,created_at,entities,geo,id,in_reply_to_user_id,"
    "lang,note_tweet,public_metrics,referenced_tweets,source,text"
)
EXPANSIONS = (
    "author_id,in_reply_to_user_id,referenced_tweets.id,referenced_tweets.id.author_id,"
    "geo.place_id,attachments.media_keys"
)
USER_FIELDS = (
    "created_at,description,entities,id,location,name,profile_image_url,public_metrics,"
    "url,username,verified"
)
PLACE_FIELDS = "contained_within,country,country_code,full_name,geo,id,name,place_type"
MEDIA_FIELDS = "alt_text,media_key,preview_image_url,type,url"
log = logging.getLogger(__name__)
#: recent search reaches back seven days; a minute's margin for the request's travel
WINDOW = timedelta(days=7) - timedelta(minutes=1)


def x_time(when: datetime) -> str:
    """A time as X wants it in ``start_time``: RFC 3339 in UTC to the second."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def post_fields() -> dict[str, str]:
    """The expansions and fields every post request asks for (what x_page_posts maps)."""
    return {
        "expansions": EXPANSIONS,
        "tweet.fields": TWEET_FIELDS,
        "user.fields": USER_FIELDS,
        "place.fields": PLACE_FIELDS,
        "media.fields": MEDIA_FIELDS,
    }


@dataclass(frozen=True, slots=True)
class Page:
    """One response page of a search, as X sent it, and the URL it came from."""

    body: dict[str, Any]
    url: str

    @property
    def meta(self) -> dict[str, Any]:
        meta = self.body.get("meta")
        return meta if isinstance(meta, dict) else {}

    @property
    def next_token(self) -> str | None:
        token = self.meta.get("next_token")
        return token if isinstance(token, str) and token else None

    @property
    def newest_id(self) -> str | None:
        newest = self.meta.get("newest_id")
        return str(newest) if newest else None


def search_pages(
    client: XClient,
    query: str,
    *,
    since_id: str | None = None,
    start_time: datetime | None = None,
    next_token: str | None = None,
    max_results: int = 100,
) -> Iterator[Page]:
    """Pages of a recent search, newest first, following ``next_token`` to the end.

    Each page asks for at most the posts the monthly cap still allows (X's minimum
    is 10), so a cap is overshot by less than one page.
    """
    token = next_token
    while True:
        params: dict[str, str | int] = {"query": query, **post_fields()}
        remaining = client.budget.remaining_reads()
        size = max_results if remaining is None else min(max_results, max(10, remaining))
        params["max_results"] = max(10, min(100, size))
        if since_id:
            params["since_id"] = since_id
        elif start_time is not None:
            params["start_time"] = x_time(start_time)
        if token:
            params["next_token"] = token
        reply = client.request("GET", SEARCH_PATH, params=params)
        if not isinstance(reply.data, dict):
            raise SourceError(f"x: {SEARCH_PATH} answered with something other than an object")
        page = Page(reply.data, reply.url)
        yield page
        token = page.next_token
        if token is None:
            return


def _load_cursor(cursor: str | None) -> dict[str, dict[str, str]]:
    if not cursor:
        return {}
    try:
        data = json.loads(cursor)
    except ValueError:
        raise SourceError("x: the stored search cursor is not JSON; reset it") from None
    queries = data.get("queries") if isinstance(data, dict) else None
    if not isinstance(queries, dict):
        return {}
    return {str(q): {k: str(v) for k, v in s.items() if v} for q, s in queries.items()}


class XSearchSource:
    """X recent search over a workspace's streams, as a :class:`~hubbub.sources.base.Source`.

    ``since`` (a start time within the last seven days) or ``since_id`` set where a
    query without a stored cursor starts; a query with one always resumes from it.
    ``problems`` collects a reason for every tweet of a page that could not be mapped.
    """

    name = "x:search"

    def __init__(
        self,
        client: XClient,
        streams: Sequence[Stream],
        *,
        since: datetime | None = None,
        since_id: str | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.client = client
        self.queries: list[StreamQuery] = stream_queries(streams, SEARCH_LIMIT)
        if not self.queries:
            raise SourceError("x: no stream of this workspace can be searched on X")
        self.now = now
        if since is not None:
            if since.tzinfo is None:
                raise SourceError("x: --since needs a time zone, e.g. 2026-11-20T00:00:00Z")
            oldest = now() - WINDOW
            if since < oldest:
                raise SourceError(
                    f"x: recent search reaches back seven days only; give --since after "
                    f"{x_time(oldest)}"
                )
        self.since = since
        self.since_id = since_id
        self.problems: list[str] = []
        self.pages = 0

    def batches(self, cursor: str | None = None) -> Iterator[Batch]:
        state = _load_cursor(cursor)
        for sq in self.queries:
            yield from self._query_batches(sq, state)

    def _open(
        self, query: str, since_id: str | None, start: datetime | None, token: str | None
    ) -> tuple[Iterator[Page], str | None, datetime | None, bool]:
        """The query's pages and the parameters they were asked with.

        Recent search only knows the last seven days, and X rejects a ``since_id`` (or
        a pagination) older than that with a 400: after a long pause the query starts
        again from the oldest post X still has (the last flag is True), instead of
        failing for ever.
        """
        pages = search_pages(
            self.client, query, since_id=since_id, start_time=start, next_token=token
        )
        try:
            first = next(pages, None)
        except XRequestError as exc:
            stale = exc.status == 400 and ("since_id" in exc.detail or "next_token" in exc.detail)
            if not stale or not (since_id or token):
                raise
            log.warning("x: %s; searching %r again from seven days ago", exc.detail, query)
            start = self.now() - WINDOW
            pages = search_pages(self.client, query, start_time=start)
            first = next(pages, None)
            return chain([first] if first else [], pages), None, start, True
        return chain([first] if first else [], pages), since_id, start, False

    def _query_batches(self, sq: StreamQuery, state: dict[str, dict[str, str]]) -> Iterator[Batch]:
        entry = dict(state.get(sq.query, {}))
        token = entry.get("next_token")
        if token:  # resume a run killed mid-way, with the parameters it started with
            since_id = entry.get("run_since")
            newest = entry.get("newest_id")
            run_start = entry.get("run_start")
            start = codec.parse_datetime(run_start) if run_start else None
        else:
            since_id = entry.get("since_id") or self.since_id
            newest = None
            start = None if since_id else self.since
        pages, since_id, start, restarted = self._open(sq.query, since_id, start, token)
        if restarted:
            newest = None
        for page in pages:
            self.pages += 1
            newest = newest or page.newest_id
            provenance = Provenance(source=self.name, url=page.url, retrieved=self.now())
            posts, problems = x_page_posts(page.body, provenance)
            label = sq.stream if sq.part == 1 else f"{sq.stream} (part {sq.part})"
            self.problems.extend(f"x: {label}: {problem}" for problem in problems)
            if page.next_token:
                entry = {"next_token": page.next_token}
                if since_id:
                    entry["run_since"] = since_id
                elif start is not None:
                    entry["run_start"] = x_time(start)
                if newest:
                    entry["newest_id"] = newest
                previous = state.get(sq.query, {}).get("since_id")
                if previous:
                    entry["since_id"] = previous
            else:
                done = newest or since_id
                entry = {"since_id": done} if done else {}
            state[sq.query] = entry
            yield Batch(self.name, posts, json.dumps({"v": 1, "queries": state}, sort_keys=True))
