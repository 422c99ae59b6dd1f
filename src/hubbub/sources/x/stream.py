"""X filtered stream: the workspace's streams as tagged rules, read live with X's reconnect rules.

``/2/tweets/search/stream/rules`` holds the app's rules (X allows 1,000 of at most
1,024 characters on pay-per-use). :func:`sync_rules` makes the rules tagged
``hubbub:<workspace>:`` match the workspace's streams exactly: it adds the missing,
deletes the stale and leaves every other rule of the app alone (another workspace,
another tool), checking the 1,000-rule limit before it changes anything.

``/2/tweets/search/stream`` is one long-lived response: a JSON object per line and a
bare ``\\r\\n`` keep-alive every 20 seconds or so. :class:`XStreamSource` reads it line
by line and yields a batch every ``batch_size`` posts or ``flush_seconds``. If nothing
(not even a keep-alive) arrives for ``stall_seconds`` (20 s) the connection is
considered stalled (the read timeout) and is replaced; a dropped or refused connection
reconnects with X's documented backoff (see
:data:`hubbub.sources.x.client.STREAM_BACKOFF`, which the one ``request`` method uses
for the reconnect itself). The stream cannot be rewound, so its cursor only records
the newest post seen, for the status line.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from hubbub.model import Batch, Post, Provenance, Stream
from hubbub.sources.base import SourceError
from hubbub.sources.files import x_page_posts
from hubbub.sources.x.client import STREAM_BACKOFF, XClient
from hubbub.sources.x.rules import RULE_LIMIT, stream_queries
from hubbub.sources.x.search import post_fields

__all__ = [
    "MAX_RULES",
    "RULES_PATH",
    "STREAM_PATH",
    "Rule",
    "RuleSync",
    "XStreamSource",
    "desired_rules",
    "get_rules",
    "sync_rules",
]

log = logging.getLogger(__name__)

STREAM_PATH = "/2/tweets/search/stream"
RULES_PATH = "/2/tweets/search/stream/rules"
MAX_RULES = 1000
STALL_SECONDS = 20.0


@dataclass(frozen=True, slots=True)
class Rule:
    value: str
    tag: str
    id: str | None = None


@dataclass(frozen=True, slots=True)
class RuleSync:
    """What :func:`sync_rules` changed."""

    added: tuple[Rule, ...]
    deleted: tuple[Rule, ...]
    kept: int


def _prefix(workspace: str) -> str:
    return f"hubbub:{workspace}:"


def desired_rules(workspace: str, streams: Sequence[Stream]) -> list[Rule]:
    """The rules a workspace's streams need, tagged ``hubbub:<workspace>:<stream>``."""
    return [
        Rule(sq.query, f"{_prefix(workspace)}{sq.stream}")
        for sq in stream_queries(streams, RULE_LIMIT)
    ]


def get_rules(client: XClient) -> list[Rule]:
    """Every rule of the app, as X lists it."""
    data = client.request("GET", RULES_PATH).data
    items = data.get("data") if isinstance(data, dict) else None
    return [
        Rule(str(r.get("value", "")), str(r.get("tag", "")), str(r["id"]))
        for r in items or []
        if isinstance(r, dict) and "id" in r
    ]


def _summary_errors(data: Any, what: str) -> None:
    errors = data.get("errors") if isinstance(data, dict) else None
    if isinstance(errors, list) and errors:
        first = errors[0] if isinstance(errors[0], dict) else {}
        reason = first.get("title") or first.get("message") or "rejected"
        value = first.get("value", "")
        raise SourceError(f"x: {what} {len(errors)} rule(s) failed ({reason}): {value!r}"[:300])


def sync_rules(client: XClient, workspace: str, streams: Sequence[Stream]) -> RuleSync:
    """Make the workspace's tagged rules on X match its streams; leave other rules alone."""
    current = get_rules(client)
    want = desired_rules(workspace, streams)
    ours = [r for r in current if r.tag.startswith(_prefix(workspace))]
    want_keys = {(r.value, r.tag) for r in want}
    have_keys = {(r.value, r.tag) for r in ours}
    stale = [r for r in ours if (r.value, r.tag) not in want_keys]
    missing = [r for r in want if (r.value, r.tag) not in have_keys]
    total = len(current) - len(stale) + len(missing)
    if total > MAX_RULES:
        raise SourceError(
            f"x: the filtered stream would need {total:,} rules; X allows {MAX_RULES:,}: "
            "pause some streams or remove other rules of this X app"
        )
    if stale:
        ids = [r.id for r in stale if r.id]
        reply = client.request("POST", RULES_PATH, json_body={"delete": {"ids": ids}})
        _summary_errors(reply.data, "deleting")
    if missing:
        body = {"add": [{"value": r.value, "tag": r.tag} for r in missing]}
        reply = client.request("POST", RULES_PATH, json_body=body)
        _summary_errors(reply.data, "adding")
    return RuleSync(tuple(missing), tuple(stale), len(ours) - len(stale))


class XStreamSource:
    """The X filtered stream as a :class:`~hubbub.sources.base.Source` that runs until stopped.

    Stops when ``stop`` is set, after ``max_posts`` posts, or with :class:`SourceError`
    (credentials, the monthly cap). ``problems`` collects lines that could not be read.
    """

    name = "x:stream"

    def __init__(
        self,
        client: XClient,
        workspace: str,
        streams: Sequence[Stream],
        *,
        batch_size: int = 100,
        flush_seconds: float = 2.0,
        stall_seconds: float = STALL_SECONDS,
        stop: threading.Event | None = None,
        max_posts: int | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.client = client
        self.workspace = workspace
        self.streams = list(streams)
        self.batch_size = batch_size
        self.flush_seconds = flush_seconds
        self.stall_seconds = stall_seconds
        self.stop = stop or threading.Event()
        self.max_posts = max_posts
        self.monotonic = monotonic
        self.now = now
        self.problems: list[str] = []
        self.connections = 0
        self.reconnects: list[str] = []  # why each connection ended
        self.posts_read = 0
        self.newest_id: str | None = None
        self.rules: RuleSync | None = None

    def _done(self) -> bool:
        return self.stop.is_set() or (
            self.max_posts is not None and self.posts_read >= self.max_posts
        )

    def batches(self, cursor: str | None = None) -> Iterator[Batch]:
        self.rules = sync_rules(self.client, self.workspace, self.streams)
        drops = 0
        while not self._done():
            self.client.budget.check()
            reply = self.client.request(
                "GET",
                STREAM_PATH,
                params=post_fields(),
                stream=True,
                backoff=STREAM_BACKOFF,
                read_timeout=self.stall_seconds,
            )
            self.connections += 1
            assert reply.response is not None
            posts: list[Post] = []
            flushed = self.monotonic()
            got_data = False
            try:
                for line in reply.response.iter_lines():
                    if line.strip():
                        got_data |= self._read_line(line, reply.url, posts)
                    full = len(posts) >= self.batch_size
                    due = posts and self.monotonic() - flushed >= self.flush_seconds
                    if full or due or (posts and self._done()):
                        yield self._batch(posts)
                        posts, flushed = [], self.monotonic()
                        self.client.budget.check()  # the cap stops a live stream too
                    if self._done():
                        return
                self.reconnects.append("closed by X")
            except httpx.ReadTimeout:
                self.reconnects.append(f"stalled: nothing for {self.stall_seconds:g} s")
            except (httpx.TransportError, httpx.StreamError) as exc:
                self.reconnects.append(f"dropped: {type(exc).__name__}")
            except _Disconnect as exc:
                self.reconnects.append(str(exc))
            finally:
                reply.response.close()
            if posts:
                yield self._batch(posts)
            log.warning("x: stream connection ended (%s); reconnecting", self.reconnects[-1])
            drops = 0 if got_data else drops + 1
            if drops:  # X: back off linearly on network trouble, from 250 ms up to 16 s
                self.client.sleep(STREAM_BACKOFF.network.delay(drops))

    def _read_line(self, line: str, url: str, posts: list[Post]) -> bool:
        """Read one line into ``posts``; True when it held a post."""
        try:
            obj = json.loads(line)
        except ValueError:
            self.problems.append(f"x: stream: a line is not JSON: {line[:80]!r}")
            return False
        if not isinstance(obj, dict):
            self.problems.append("x: stream: a line is not a JSON object")
            return False
        if "data" not in obj and isinstance(obj.get("errors"), list):
            first = obj["errors"][0] if obj["errors"] else {}
            title = first.get("title", "error") if isinstance(first, dict) else "error"
            raise _Disconnect(f"X sent {title}")
        provenance = Provenance(source=self.name, url=url, retrieved=self.now())
        found, problems = x_page_posts(obj, provenance)
        self.problems.extend(f"x: stream: {p}" for p in problems)
        posts.extend(found)
        self.posts_read += len(found)
        return bool(found)

    def _batch(self, posts: list[Post]) -> Batch:
        self.client.record_reads(len(posts))
        newest = max((p.id for p in posts), key=lambda i: (len(i), i))
        if self.newest_id is None or (len(newest), newest) > (len(self.newest_id), self.newest_id):
            self.newest_id = newest
        return Batch(self.name, list(posts), json.dumps({"newest_id": self.newest_id}))


class _Disconnect(Exception):
    """X ended the stream with an error object (e.g. operational-disconnect)."""
