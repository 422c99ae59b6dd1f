"""Bluesky's Jetstream firehose as a live, resumable Source, pre-filtered by the streams.

Jetstream serves the network's commits as JSON over a websocket. This source
subscribes with ``wantedCollections=app.bsky.feed.post``, so only post records
arrive, and reads them with the ``websockets`` package's blocking client:

- **resume**: every event carries ``time_us``; each batch's cursor is
  ``{"time_us": N}`` of the last event read (posts or not), and a restart connects
  with ``cursor=N``. Jetstream replays from that time, the event at ``N`` itself
  included, so events at or before ``N`` are dropped on arrival: nothing is lost and
  nothing is read twice. A dropped connection resumes the same way in process.
- **reconnect**: a refused, dropped or failed connection (a 5xx or 429 on the
  handshake) is retried with exponential backoff from 1 s to 60 s, reset once a
  connection delivers events; a 4xx on the handshake is a :class:`SourceError`.
- **stall**: if no message at all arrives for ``stall_seconds`` the connection is
  considered stalled (the post collection alone carries many events a second) and
  is replaced.
- **batches**: a batch every ``batch_size`` posts or ``flush_seconds``; while only
  filtered-out events arrive a batch with no posts carries the cursor forward every
  ``cursor_seconds``, so a restart does not replay them.

**Pre-filter.** The full post firehose is hundreds of posts a second; the pipeline
matches each workspace's streams exactly, but mapping and processing every post
would flood it. Each stream's *need* (:func:`hubbub.query.matcher.need`: the keys of
which any post it matches has at least one) gives a set of folded terms (words,
phrases, tags, cashtags, mention handles, URL words). A post is mapped only if its
folded text, or one of its facets' link URIs and tags, *contains* one of those
terms as a substring: a superset of the tokenised match, so no post a stream would
match is dropped, at the cost of one ``fold`` and a few ``in`` tests per post. A
stream whose need is not textual (``from:``, ``place:``, an area, a negation alone)
turns the pre-filter off, and that is logged.

**Authors.** A Jetstream record has only its author's DID. When a client is given,
the authors of kept posts are fetched with ``app.bsky.actor.getProfiles`` in
batches of 25 and cached (LRU); identity events on the stream teach handles too.
Without a client, while getProfiles' rate-limit window is used up, or if a lookup
fails, the author stays minimal (DID as handle): the stream never waits for profiles.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
from websockets.sync.client import connect

from hubbub.model import Account, Batch, Post, Provenance, Stream
from hubbub.query import QueryError, fold, parse
from hubbub.query.matcher import need
from hubbub.sources.base import SourceError
from hubbub.sources.bluesky.client import BlueskyAuthError, BlueskyClient
from hubbub.sources.bluesky.mapping import (
    MappingError,
    account_from_profile,
    minimal_account,
    post_from_record,
)
from hubbub.sources.x.client import Schedule

__all__ = ["COLLECTION", "PROFILES_NSID", "JetstreamSource", "Prefilter", "prefilter_for"]

log = logging.getLogger(__name__)

COLLECTION = "app.bsky.feed.post"
PROFILES_NSID = "app.bsky.actor.getProfiles"
PROFILE_BATCH = 25  # getProfiles takes at most 25 actors
RECONNECT = Schedule(1.0, 60.0)
MAX_NOTES = 1000  # problems and reconnect reasons kept in memory
_TEXT_KINDS = frozenset({"w", "b", "h", "c", "m", "u"})


@dataclass(frozen=True, slots=True)
class Prefilter:
    """Folded terms of which a kept post must contain one; ``terms`` None keeps every post."""

    terms: tuple[str, ...] | None
    reason: str = ""  # why it is off, when it is

    def keeps(self, text: str, facets: Any = None) -> bool:
        """Whether a post with this text (and facets) may match one of the streams."""
        terms = self.terms
        if terms is None:
            return True
        hay = text.lower() if text.isascii() else fold(text)
        for term in terms:
            if term in hay:
                return True
        if facets:  # link URIs and tags not spelled out in the text
            extra = _facet_text(facets)
            if extra:
                extra = fold(extra)
                return any(term in extra for term in terms)
        return False


def _facet_text(facets: Any) -> str:
    out = []
    for facet in facets if isinstance(facets, list) else ():
        for feature in facet.get("features") or () if isinstance(facet, dict) else ():
            if isinstance(feature, dict):
                value = feature.get("uri") or feature.get("tag")
                if isinstance(value, str):
                    out.append(value)
    return " ".join(out)


def prefilter_for(streams: Sequence[Stream]) -> Prefilter:
    """The pre-filter of the non-paused streams (see the module docstring)."""
    terms: set[str] = set()
    for stream in streams:
        if stream.paused:
            continue
        try:
            keys = need(parse(stream.query))
        except QueryError as exc:
            raise SourceError(f"bluesky: stream {stream.name!r}: {exc}") from None
        if keys is None:
            return Prefilter(None, f"stream {stream.name!r} has no term every match contains")
        for kind, value in keys:
            if kind not in _TEXT_KINDS:
                return Prefilter(None, f"stream {stream.name!r} needs a {kind!r} key, not text")
            terms.add(fold(value))
    if not terms:
        return Prefilter(None, "no stream to filter by")
    return Prefilter(tuple(sorted(terms, key=lambda t: (-len(t), t))))


class _Reconnect(Exception):
    """The connection ended; the message says why."""


class JetstreamSource:
    """Jetstream's post commits as a :class:`~hubbub.sources.base.Source` that runs until stopped.

    Stops when ``stop`` is set, after ``max_posts`` posts, or with SourceError.
    ``problems`` collects events that could not be read as posts, ``reconnects`` why
    each connection ended (the last 1,000 of each).
    """

    name = "bluesky:jetstream"

    def __init__(
        self,
        url: str,
        streams: Sequence[Stream],
        *,
        client: BlueskyClient | None = None,
        batch_size: int = 200,
        flush_seconds: float = 2.0,
        cursor_seconds: float = 10.0,
        stall_seconds: float = 30.0,
        stop: threading.Event | None = None,
        max_posts: int | None = None,
        prefilter: bool = True,
        profile_cache: int = 20_000,
        sleep: Callable[[float], None] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.url = url
        self.client = client
        self.batch_size = batch_size
        self.flush_seconds = flush_seconds
        self.cursor_seconds = cursor_seconds
        self.stall_seconds = stall_seconds
        self.stop = stop or threading.Event()
        self.max_posts = max_posts
        self.filter = prefilter_for(streams) if prefilter else Prefilter(None, "turned off")
        if self.filter.terms is None and prefilter:
            log.warning("bluesky: Jetstream pre-filter off: %s", self.filter.reason)
        self.sleep = sleep or (lambda seconds: self.stop.wait(seconds) and None)
        self.monotonic = monotonic
        self.now = now
        self.problems: list[str] = []
        self.connections = 0
        self.reconnects: list[str] = []  # why each connection ended
        self.events_read = 0
        self.posts_read = 0
        self.filtered_out = 0
        self.time_us: int | None = None
        self._yielded_us: int | None = None
        self._profiles: OrderedDict[str, Account] = OrderedDict()
        self._handles: dict[str, str] = {}
        self._cache_size = profile_cache
        self._lookups = client is not None

    @staticmethod
    def _note(notes: list[str], line: str) -> None:
        """Keep the last :data:`MAX_NOTES` lines: a listener runs for weeks."""
        notes.append(line)
        if len(notes) > MAX_NOTES:
            del notes[: len(notes) - MAX_NOTES]

    def _done(self) -> bool:
        return self.stop.is_set() or (
            self.max_posts is not None and self.posts_read >= self.max_posts
        )

    def subscribe_url(self) -> str:
        """The URL connected to now: the collection, and the cursor when there is one."""
        params: dict[str, str | int] = {"wantedCollections": COLLECTION}
        if self.time_us is not None:
            params["cursor"] = self.time_us
        sep = "&" if "?" in self.url else "?"
        return f"{self.url}{sep}{urlencode(params)}"

    # --- the loop -------------------------------------------------------------------------

    def batches(self, cursor: str | None = None) -> Iterator[Batch]:
        self.time_us = self._yielded_us = _load_cursor(cursor)
        failures = 0
        while not self._done():
            url = self.subscribe_url()
            got_events = False
            pending: list[dict[str, Any]] = []
            try:
                with connect(
                    url, open_timeout=10, close_timeout=1, proxy=None, max_size=2**22
                ) as ws:
                    self.connections += 1
                    flushed = last_message = self.monotonic()
                    while True:
                        wait = min(
                            self.stall_seconds - (self.monotonic() - last_message),
                            self.flush_seconds - (self.monotonic() - flushed),
                        )
                        try:
                            message = ws.recv(timeout=max(0.01, wait))
                        except TimeoutError:
                            message = None
                        now = self.monotonic()
                        if message is not None:
                            last_message = now
                            got_events |= self._read(message, pending)
                        elif now - last_message >= self.stall_seconds:
                            raise _Reconnect(f"stalled: nothing for {self.stall_seconds:g} s")
                        full = len(pending) >= self.batch_size
                        if pending:
                            due = now - flushed >= self.flush_seconds
                        else:  # carry the cursor past filtered-out events now and then
                            moved = self.time_us != self._yielded_us
                            due = moved and now - flushed >= self.cursor_seconds
                        if full or due or (pending and self._done()):
                            yield self._batch(pending, url)
                            pending, flushed = [], now
                        if self._done():
                            return
            except _Reconnect as exc:
                self._note(self.reconnects, str(exc))
            except ConnectionClosed as exc:
                self._note(self.reconnects, f"dropped: {type(exc).__name__}")
            except InvalidStatus as exc:
                status = exc.response.status_code
                if 400 <= status < 500 and status != 429:
                    raise SourceError(
                        f"bluesky: Jetstream refused the subscription ({status}): check "
                        "HUBBUB_BLUESKY_JETSTREAM_URL"
                    ) from None
                self._note(self.reconnects, f"refused: HTTP {status}")
            except (OSError, InvalidHandshake, TimeoutError) as exc:
                self._note(self.reconnects, f"failed: {type(exc).__name__}")
            if pending:
                yield self._batch(pending, url)
            if self._done():
                return
            failures = 0 if got_events else failures + 1
            delay = RECONNECT.delay(failures) if failures else 0.0
            log.warning(
                "bluesky: Jetstream connection ended (%s); reconnecting in %.1f s",
                self.reconnects[-1],
                delay,
            )
            if delay:
                self.sleep(delay)

    def _read(self, message: str | bytes, pending: list[dict[str, Any]]) -> bool:
        """Read one event; True when it was a new event (a post kept or not)."""
        try:
            event = json.loads(message)
        except ValueError:
            self._note(
                self.problems, f"bluesky: jetstream: a message is not JSON: {message[:80]!r}"
            )
            return False
        if not isinstance(event, dict):
            return False
        stamp = event.get("time_us")
        if not isinstance(stamp, int):
            return False
        if self.time_us is not None and stamp <= self.time_us:
            return False  # replayed from the cursor: read before
        self.time_us = stamp
        self.events_read += 1
        kind = event.get("kind")
        if kind == "identity":
            ident = event.get("identity")
            if isinstance(ident, dict) and isinstance(ident.get("handle"), str):
                self._handles[str(ident.get("did"))] = ident["handle"]
                self._profiles.pop(str(ident.get("did")), None)
            return True
        commit = event.get("commit")
        if kind != "commit" or not isinstance(commit, dict):
            return True
        if commit.get("operation") != "create" or commit.get("collection") != COLLECTION:
            return True
        record = commit.get("record")
        if not isinstance(record, dict):
            self._note(self.problems, f"bluesky: jetstream: event {stamp}: commit has no record")
            return True
        text = record.get("text")
        if not isinstance(text, str) or not self.filter.keeps(text, record.get("facets")):
            self.filtered_out += 1
            return True
        pending.append(event)
        self.posts_read += 1
        return True

    # --- batches and authors ------------------------------------------------------------

    def _batch(self, events: list[dict[str, Any]], url: str) -> Batch:
        authors = self._authors({str(e.get("did")) for e in events})
        provenance = Provenance(source=self.name, url=url, retrieved=self.now())
        posts: list[Post] = []
        for event in events:
            did, commit = event.get("did"), event["commit"]
            rkey = commit.get("rkey")
            if not isinstance(did, str) or not isinstance(rkey, str) or not did or not rkey:
                stamp = event["time_us"]
                self._note(self.problems, f"bluesky: jetstream: event {stamp}: no did or rkey")
                continue
            try:
                posts.append(
                    post_from_record(
                        did,
                        rkey,
                        commit["record"],
                        author=authors.get(did),
                        time_us=event["time_us"],
                        raw=event,
                        provenance=provenance,
                    )
                )
            except MappingError as exc:
                self._note(self.problems, f"bluesky: jetstream: {exc}")
        self._yielded_us = self.time_us
        return Batch(self.name, posts, json.dumps({"time_us": self.time_us}))

    def _authors(self, dids: set[str]) -> dict[str, Account]:
        """Profiles of ``dids``: from the cache, fetched 25 at a time, or minimal."""
        cache = self._profiles
        missing = sorted(d for d in dids if d not in cache)
        if missing and self._lookups and self.client is not None and not self._limited():
            for i in range(0, len(missing), PROFILE_BATCH):
                chunk = missing[i : i + PROFILE_BATCH]
                try:
                    body = self.client.get(PROFILES_NSID, {"actors": chunk})
                except BlueskyAuthError as exc:  # will not get better: stop asking
                    self._note(self.problems, f"bluesky: no profiles, authors kept minimal: {exc}")
                    self._lookups = False
                    break
                except SourceError as exc:  # this batch's authors stay minimal
                    self._note(self.problems, f"bluesky: profiles unavailable for now: {exc}")
                    break
                for profile in body.get("profiles") or ():
                    try:
                        account = account_from_profile(profile if isinstance(profile, dict) else {})
                    except MappingError:
                        continue
                    self._remember(account)
        out: dict[str, Account] = {}
        for did in dids:
            known = cache.get(did)
            if known is None:
                known = minimal_account(did, self._handles.get(did, ""))
            else:
                cache.move_to_end(did)
            out[did] = known
        return out

    def _limited(self) -> bool:
        """Whether getProfiles' rate-limit window is used up: then authors stay minimal
        for this batch rather than the stream waiting minutes for the reset."""
        assert self.client is not None
        window = self.client.windows.get(PROFILES_NSID)
        return window is not None and window.remaining <= 0 and window.reset > self.client.clock()

    def _remember(self, account: Account) -> None:
        self._profiles[account.id] = account
        self._profiles.move_to_end(account.id)
        while len(self._profiles) > self._cache_size:
            self._profiles.popitem(last=False)


def _load_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        data = json.loads(cursor)
    except ValueError:
        raise SourceError("bluesky: the stored Jetstream cursor is not JSON; reset it") from None
    value = data.get("time_us") if isinstance(data, dict) else None
    return value if isinstance(value, int) else None
