"""Mastodon's streaming API as a long-running Source: a hashtag, or the account's mentions.

``GET /api/v1/streaming/hashtag?tag=…`` and ``/api/v1/streaming/user/notification``
are server-sent events: ``event: update`` with a Status as ``data:``, ``event:
notification`` with a Notification (its ``status`` when someone mentions the
account), ``event: delete`` with an id, ``event: status.update`` for an edit, and a
``:thump`` comment line as heartbeat every few seconds. :class:`MastodonStreamSource`
reads it line by line, yields a batch every ``batch_size`` posts or
``flush_seconds`` (an empty one after ``idle_seconds`` without posts, so the runner
can stop it between batches), and when nothing (not even a heartbeat) arrives for
``stall_seconds`` takes the connection as stalled and opens a new one; a dropped or
refused connection reconnects with :data:`STREAM_BACKOFF`.

A stream cannot be rewound, so every (re)connection first fills the gap from the REST
API: the tag timeline (or the mention notifications) after the cursor's newest id,
*after* the new connection is open, so nothing posted meanwhile falls between the
two (what arrives twice is upserted once). The cursor is ``{"newest": "<id>"}``: a
status id for a hashtag, a notification id for mentions.

Why httpx here and Mastodon.py elsewhere: Mastodon.py's streaming calls a listener
from inside a blocking loop that only ends by an exception, reconnects (in its
asynchronous mode only) after a fixed wait, reports every failed connect as the
same network error (a 401 looks like a 503), converts payloads to its own types,
and first asks ``/api/v1/instance`` where the streaming server is. A generator of
batches with stall detection, per-kind backoff and raw payloads needs the response
itself; the SSE format is a few lines to read.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, Literal

import httpx

from hubbub.model import Batch, Post, Provenance
from hubbub.sources.base import SourceError
from hubbub.sources.mastodon.client import USER_AGENT, MastodonClient
from hubbub.sources.mastodon.mapping import MappingError, status_post
from hubbub.sources.mastodon.plan import Feed
from hubbub.sources.mastodon.timelines import fetch_page
from hubbub.sources.x.client import Backoff, FailureKind, Schedule

__all__ = ["IDLE_SECONDS", "STALL_SECONDS", "STREAM_BACKOFF", "MastodonStreamSource"]

log = logging.getLogger(__name__)

#: Mastodon's streaming server sends a heartbeat comment well within this
STALL_SECONDS = 45.0
#: with nothing to store for this long, an empty batch lets the runner look in
IDLE_SECONDS = 30.0
#: reconnects go on for ever: network failures from 1 s doubling to a minute, HTTP
#: errors from 5 s to 320 s, a 429 from a minute to 15
STREAM_BACKOFF = Backoff(
    Schedule(1, 60), Schedule(5, 320), Schedule(60, 900), max_attempts=None, honour_reset=False
)
Kind = Literal["hashtag", "mentions"]


class MastodonStreamSource:
    """One streaming endpoint as a :class:`~hubbub.sources.base.Source` that runs until stopped.

    ``kind`` "hashtag" follows ``tag``; "mentions" follows the token's account's mention
    notifications. Stops when ``stop`` is set or after ``max_posts`` posts.
    ``deleted`` collects the ids of ``delete`` events, ``problems`` unreadable events,
    ``reconnects`` why each connection ended.
    """

    def __init__(
        self,
        client: MastodonClient,
        kind: Kind,
        tag: str = "",
        *,
        streaming_url: str | None = None,
        batch_size: int = 50,
        flush_seconds: float = 2.0,
        stall_seconds: float = STALL_SECONDS,
        idle_seconds: float = IDLE_SECONDS,
        stop: threading.Event | None = None,
        max_posts: int | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if kind == "hashtag" and not tag.strip("#"):
            raise SourceError("mastodon: a hashtag stream needs a tag")
        if kind == "mentions" and not client.has_token:
            raise SourceError("mastodon: the mentions stream needs HUBBUB_MASTODON_ACCESS_TOKEN")
        self.client = client
        self.kind = kind
        self.tag = tag.lstrip("#")
        self.name = (
            f"mastodon:stream:tag:{self.tag}" if kind == "hashtag" else "mastodon:stream:mentions"
        )
        headers = {"User-Agent": USER_AGENT}
        if client.token is not None and client.has_token:
            headers["Authorization"] = f"Bearer {client.token.get_secret_value()}"
        self._http = httpx.Client(
            base_url=(streaming_url or client.base_url).rstrip("/"),
            headers=headers,
            timeout=httpx.Timeout(client.timeout, connect=10.0, read=stall_seconds),
        )
        self.batch_size = batch_size
        self.flush_seconds = flush_seconds
        self.stall_seconds = stall_seconds
        self.idle_seconds = idle_seconds
        self.stop = stop or threading.Event()
        self.max_posts = max_posts
        self.monotonic = monotonic
        self.now = now
        self.problems: list[str] = []
        self.deleted: list[str] = []
        self.reconnects: list[str] = []
        self.connections = 0
        self.gap_posts = 0
        self.posts_read = 0
        self.newest: str | None = None

    def __repr__(self) -> str:
        return f"MastodonStreamSource({self.name!r}, {self.client!r})"

    def close(self) -> None:
        self._http.close()

    def _done(self) -> bool:
        return self.stop.is_set() or (
            self.max_posts is not None and self.posts_read >= self.max_posts
        )

    def _cursor(self) -> str:
        return json.dumps({"newest": self.newest} if self.newest else {})

    def _advance(self, native_id: str) -> None:
        if self.newest is None or (len(native_id), native_id) > (len(self.newest), self.newest):
            self.newest = native_id

    # --- the loop ------------------------------------------------------------------------

    def batches(self, cursor: str | None = None) -> Iterator[Batch]:
        stored = json.loads(cursor) if cursor else {}
        self.newest = (
            str(stored["newest"]) if isinstance(stored, dict) and "newest" in stored else None
        )
        quiet = 0  # connections in a row that ended without an event
        while not self._done():
            response = self._connect()
            if response is None:  # stopped while (re)connecting
                return
            self.connections += 1
            try:
                if self.newest is not None:
                    yield from self._fill_gap()
                before = self.posts_read
                yield from self._read(response)
            finally:
                response.close()
            if self._done():
                return
            log.warning("mastodon: %s ended (%s); reconnecting", self.name, self.reconnects[-1])
            quiet = 0 if self.posts_read > before else quiet + 1
            if quiet:
                self.client.sleep(STREAM_BACKOFF.delay("network", quiet))

    def _path(self) -> tuple[str, dict[str, str]]:
        if self.kind == "hashtag":
            return "/api/v1/streaming/hashtag", {"tag": self.tag}
        return "/api/v1/streaming/user/notification", {}

    def _connect(self) -> httpx.Response | None:
        """An open 200 response, after as many tries as it takes; None once stopped.

        Credentials (401, 403) and other refusals raise :class:`SourceError`.
        """
        path, params = self._path()
        counts: dict[FailureKind, int] = {"network": 0, "http": 0, "too_many": 0}
        kind: FailureKind
        while True:
            if self.stop.is_set():
                return None
            try:
                request = self._http.build_request("GET", path, params=params)
                response = self._http.send(request, stream=True)
            except httpx.TransportError as exc:
                kind, reason = "network", type(exc).__name__
            else:
                status = response.status_code
                if status == 200:
                    return response
                detail = _error(response)
                response.close()
                if status in (401, 403):
                    raise SourceError(self.client.credential_message(status, path, detail))
                if status == 429:
                    kind, reason = "too_many", "429 Too Many Requests"
                elif status >= 500:
                    kind, reason = "http", f"{status} {response.reason_phrase}".strip()
                else:
                    raise SourceError(f"mastodon: {path} was rejected ({status}): {detail}")
            counts[kind] += 1
            delay = STREAM_BACKOFF.delay(kind, counts[kind])
            self.reconnects.append(f"connect failed: {reason}")
            log.warning("mastodon: %s: %s; retrying in %.1f s", self.name, reason, delay)
            self.client.sleep(delay)

    def _read(self, response: httpx.Response) -> Iterator[Batch]:
        """Batches of the events on one connection, until it ends, stalls or drops.

        Why it ended goes to ``reconnects``; posts read before it are yielded first.
        """
        url = str(response.request.url)
        posts: list[Post] = []
        flushed = self.monotonic()
        event, data = "message", []
        lines = response.iter_lines()
        while True:
            try:
                line = next(lines)
            except StopIteration:
                self.reconnects.append("closed by the server")
                break
            except httpx.ReadTimeout:
                self.reconnects.append(f"stalled: nothing for {self.stall_seconds:g} s")
                break
            except (httpx.TransportError, httpx.StreamError) as exc:
                self.reconnects.append(f"dropped: {type(exc).__name__}")
                break
            if line.startswith(":"):
                pass  # a heartbeat (":thump") or another comment
            elif line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
            elif not line:
                if data:
                    self._event(event, "\n".join(data), url, posts)
                event, data = "message", []
            full = len(posts) >= self.batch_size
            waited = self.monotonic() - flushed
            due = posts and waited >= self.flush_seconds
            if full or due or (posts and self._done()) or waited >= self.idle_seconds:
                # an idle stream still yields (an empty batch) now and then, so that the
                # runner, which looks between batches, can stop it or hand it over
                yield Batch(self.name, posts, self._cursor())
                posts, flushed = [], self.monotonic()
            if self._done():
                return
        if posts:
            yield Batch(self.name, posts, self._cursor())

    def _event(self, event: str, data: str, url: str, posts: list[Post]) -> None:
        if event == "delete":
            self.deleted.append(data.strip())
            return
        if event not in ("update", "status.update", "notification"):
            return  # filters_changed, announcement, conversation: nothing to store
        try:
            payload = json.loads(data)
        except ValueError:
            self.problems.append(f"mastodon: {self.name}: an {event} event is not JSON")
            return
        post = self._post(event, payload, url)
        if post is not None:
            posts.append(post)
            self.posts_read += 1

    def _post(self, event: str, payload: Any, url: str) -> Post | None:
        provenance = Provenance(source=self.name, url=url, retrieved=self.now())
        status = payload
        if event == "notification":
            if not isinstance(payload, dict) or payload.get("type") != "mention":
                return None  # follows, favourites, boosts: not posts about anyone
            status = payload.get("status")
        try:
            post = status_post(status, provenance)
        except MappingError as exc:
            self.problems.append(f"mastodon: {self.name}: {exc}")
            return None
        self._advance(str(payload["id"]) if event == "notification" else post.id)
        return post

    # --- the gap ------------------------------------------------------------------------

    def _fill_gap(self) -> Iterator[Batch]:
        """What was posted while disconnected, newest first, from the REST API."""
        since = self.newest
        max_id: str | None = None
        top: str | None = None
        while True:
            items, next_max, url = self._gap_page(since, max_id)
            provenance = Provenance(source=self.name, url=url, retrieved=self.now())
            posts: list[Post] = []
            for item in items:
                status = item.get("status") if self.kind == "mentions" else item
                try:
                    posts.append(status_post(status, provenance))
                except MappingError as exc:
                    self.problems.append(f"mastodon: {self.name}: gap: {exc}")
                ident = str(item.get("id", ""))
                if ident and (top is None or (len(ident), ident) > (len(top), top)):
                    top = ident
            self.gap_posts += len(posts)
            self.posts_read += len(posts)
            if not items or next_max is None:
                if top is not None:
                    self._advance(top)  # only once the whole gap is stored
                yield Batch(self.name, posts, self._cursor())
                return
            yield Batch(self.name, posts, self._cursor())
            max_id = next_max

    def _gap_page(
        self, since: str | None, max_id: str | None
    ) -> tuple[list[dict[str, Any]], str | None, str]:
        if self.kind == "hashtag":
            statuses, next_max, url = fetch_page(
                self.client, Feed("tag", self.tag), since=since, max_id=max_id
            )
            return [s for s in statuses if isinstance(s, dict)], next_max, url
        reply = self.client.request(
            "GET /api/v1/notifications",
            lambda api: api.notifications(
                types=["mention"], since_id=since, max_id=max_id, limit=40
            ),
        )
        items = [n for n in reply.data or [] if isinstance(n, dict) and n.get("status")]
        return items, reply.next_max_id if items else None, reply.url


def _error(response: httpx.Response) -> str:
    """Mastodon's ``{"error": "..."}`` of a failed connect, in one line."""
    try:
        response.read()
        body = response.json()
    except (ValueError, httpx.HTTPError):
        return response.reason_phrase or f"HTTP {response.status_code}"
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return " ".join(body["error"].split())
    return response.reason_phrase or f"HTTP {response.status_code}"
