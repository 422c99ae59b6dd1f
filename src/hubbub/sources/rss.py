"""RSS and Atom feeds as a resumable Source: conditional GET, feedparser, one batch per feed.

Blogs and local news are where a small business is written about at length, and its
own blog is what the audit reads as owned content. Feeds are polled, not paged, so
what makes this source resumable is what it remembers per feed between polls:

- **validators**: the feed's ``ETag`` and ``Last-Modified``, sent back as
  ``If-None-Match`` / ``If-Modified-Since``; a ``304 Not Modified`` costs one
  request and yields nothing.
- **where it got to**: the newest entry time stored, and the ids of the entries
  at exactly that time (feeds often give several entries the same second, and
  ids alone would grow for ever). An entry is new when it is later than that
  time, or at that time with an id not yet seen. Entries without any date are
  remembered by id (a bounded list), since no time can place them.

The cursor is JSON, one entry per feed URL::

    {"v": 1, "feeds": {"https://…/feed.xml": {"etag": "…", "modified": "…",
                                              "newest": "2026-11-20T09:00:00+00:00",
                                              "seen": ["…"], "undated": ["…"]}}}

Each feed becomes one batch carrying the whole cursor (this feed's state updated,
the others' as they were), which :func:`hubbub.listen.ingest` stores in the same
transaction as the batch's posts: a run killed between feeds refetches at most the
feed in hand, and posts are upserted by (network, id), so nothing is stored twice.

A feed that cannot be read (timeout, 404, 5xx after retries, not a feed, XML so
broken that feedparser finds no entry) is skipped with a one-line reason naming it,
logged and kept in ``problems``; the other feeds go on. 5xx, 429 and connection
errors are retried with a short exponential backoff through an injectable ``sleep``.

feedparser does the parsing (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, dates, encodings,
sanitising); httpx does the fetching because feedparser's own urllib fetch can be
neither given a timeout per request nor pointed at a test server with retries.
HTML is stripped with the standard library's parser: the summaries are already
sanitised by feedparser, so only their text is wanted.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import unescape
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import feedparser  # type: ignore[import-untyped]
import httpx

from hubbub.model import Account, Batch, Post, Provenance, Workspace
from hubbub.settings import Settings
from hubbub.sources.base import SourceError

if TYPE_CHECKING:
    from hubbub.sources.registry import LiveSource

__all__ = [
    "MAX_ID",
    "POLL_SECONDS",
    "FeedState",
    "RssSource",
    "entry_id",
    "entry_post",
    "feed_account",
    "json_safe",
    "live_sources",
    "native_id",
    "strip_html",
    "workspace_feeds",
]

log = logging.getLogger(__name__)

NETWORK = "rss"
#: longest native id kept as is; longer ones (some guids are whole URLs with tracking) hashed
MAX_ID = 300
#: undated entries remembered per feed (a feed shows far fewer at once)
MAX_UNDATED = 1000
USER_AGENT = "hubbub (self-hosted social listening; feed reader)"
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


# --- mapping: pure functions -------------------------------------------------------


class _Text(HTMLParser):
    """Collects the text of an HTML fragment, a space where a block element breaks it."""

    BLOCKS = frozenset({"p", "br", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "tr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in self.BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in self.BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def strip_html(fragment: str) -> str:
    """The text of an HTML fragment: tags dropped, entities decoded, whitespace collapsed."""
    if "<" not in fragment:
        return " ".join(unescape(fragment).split())
    parser = _Text()
    parser.feed(fragment)
    parser.close()
    return " ".join("".join(parser.parts).split())


def json_safe(value: Any) -> Any:
    """feedparser's result as plain JSON data (``struct_time`` as ISO 8601 UTC)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, time.struct_time):
        return _struct_time(value).isoformat()
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _struct_time(value: time.struct_time) -> datetime:
    return datetime(*value[:6], tzinfo=UTC)  # feedparser normalises dates to UTC


def native_id(value: str) -> str:
    """``value`` as a native id: as is up to MAX_ID characters, else its SHA-256."""
    if len(value) > MAX_ID:
        return "sha256:" + hashlib.sha256(value.encode("utf-8")).hexdigest()
    return value


def entry_id(entry: dict[str, Any]) -> str | None:
    """The entry's native id: its ``id``/``guid``, else its link; hashed past MAX_ID."""
    for key in ("id", "link"):
        value = entry.get(key)
        if isinstance(value, str) and value.strip():
            return native_id(value.strip())
    return None


def entry_time(entry: dict[str, Any]) -> datetime | None:
    """When the entry was published (else updated), in UTC; ``None`` when it does not say."""
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if isinstance(value, time.struct_time):
            try:
                return _struct_time(value)
            except ValueError:
                continue
    return None


def _language(value: Any) -> str | None:
    """A feed's ``en-us`` as the post's ``en`` (the primary subtag, as networks give it)."""
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip().replace("_", "-").split("-")[0].lower() or None


def feed_account(feed_url: str, feed: dict[str, Any]) -> Account:
    """The feed as an Account: id the feed URL, handle its host, name its title."""
    link = feed.get("link")
    host = urlsplit(link if isinstance(link, str) and link else feed_url).hostname
    title = feed.get("title")
    subtitle = feed.get("subtitle")
    return Account(
        network=NETWORK,
        id=native_id(feed_url),
        handle=host or urlsplit(feed_url).hostname or feed_url,
        name=strip_html(title) if isinstance(title, str) else "",
        bio=strip_html(subtitle) if isinstance(subtitle, str) else "",
        url=link if isinstance(link, str) else "",
    )


def entry_text(entry: dict[str, Any]) -> str:
    """Title and summary as plain text (the summary, else the first content block)."""
    title = strip_html(str(entry.get("title") or ""))
    body = entry.get("summary")
    if not body:
        content = entry.get("content")
        if isinstance(content, list) and content and isinstance(content[0], dict):
            body = content[0].get("value")
    summary = strip_html(str(body or ""))
    if title and summary.startswith(title):
        return summary
    return "\n\n".join(part for part in (title, summary) if part)


def entry_post(
    entry: dict[str, Any],
    author: Account,
    feed_url: str,
    retrieved: datetime,
    created: datetime | None = None,
    language: str | None = None,
) -> Post:
    """One feed entry as a Post; ``SourceError`` when it has neither id nor link.

    ``language`` is the feed's (entries rarely carry their own).
    """
    native = entry_id(entry)
    if native is None:
        raise SourceError("entry has neither id/guid nor link")
    link = entry.get("link")
    language = _language(entry.get("language")) or language
    return Post(
        network=NETWORK,
        id=native,
        author=author,
        text=entry_text(entry),
        created=created or entry_time(entry) or retrieved,
        language=language,
        url=link if isinstance(link, str) else "",
        raw=json_safe(dict(entry)),
        provenance=Provenance(source=NETWORK, url=feed_url, retrieved=retrieved),
    )


# --- the cursor ----------------------------------------------------------------------


@dataclass(slots=True)
class FeedState:
    """What is remembered of one feed between polls (see the module docstring)."""

    etag: str | None = None
    modified: str | None = None
    newest: datetime | None = None
    seen: list[str] = field(default_factory=list)
    undated: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"etag": self.etag, "modified": self.modified}
        out["newest"] = self.newest.isoformat() if self.newest else None
        out["seen"] = list(self.seen)
        if self.undated:
            out["undated"] = list(self.undated)
        return out

    @classmethod
    def from_json(cls, data: Any) -> FeedState:
        if not isinstance(data, dict):
            return cls()
        newest = data.get("newest")
        when = datetime.fromisoformat(newest) if isinstance(newest, str) and newest else None
        return cls(
            etag=data.get("etag") or None,
            modified=data.get("modified") or None,
            newest=when.astimezone(UTC) if when else None,
            seen=[str(s) for s in data.get("seen") or []],
            undated=[str(s) for s in data.get("undated") or []],
        )

    def is_new(self, native: str, when: datetime | None) -> bool:
        if when is None:
            return native not in self.undated
        if self.newest is None or when > self.newest:
            return True
        return when == self.newest and native not in self.seen

    def advance(self, native: str, when: datetime | None) -> None:
        if when is None:
            self.undated = [*self.undated, native][-MAX_UNDATED:]
        elif self.newest is None or when > self.newest:
            self.newest, self.seen = when, [native]
        elif when == self.newest and native not in self.seen:
            self.seen.append(native)


def load_cursor(cursor: str | None) -> dict[str, FeedState]:
    if not cursor:
        return {}
    try:
        data = json.loads(cursor)
        feeds = data.get("feeds") if isinstance(data, dict) else None
        if not isinstance(feeds, dict):
            return {}
        return {str(url): FeedState.from_json(state) for url, state in feeds.items()}
    except (ValueError, TypeError):
        raise SourceError("rss: the stored cursor is not valid JSON; reset it") from None


def dump_cursor(states: dict[str, FeedState]) -> str:
    feeds = {url: state.to_json() for url, state in states.items()}
    return json.dumps({"v": 1, "feeds": feeds}, sort_keys=True, separators=(",", ":"))


# --- the source ----------------------------------------------------------------------


class FeedError(Exception):
    """One feed cannot be read this time; the message says why in a few words."""


class RssSource:
    """RSS/Atom feeds as a :class:`~hubbub.sources.base.Source` (name ``"rss"``).

    ``client`` is an :class:`httpx.Client` (one is made, and closed by :meth:`close`,
    when not given); ``sleep`` waits between retries; ``now`` stamps provenance.
    ``problems`` collects one line per feed skipped and per entry that could not be
    mapped; ``fetched`` / ``unchanged`` count feeds that answered 200 / 304.
    """

    name = "rss"

    def __init__(
        self,
        urls: Sequence[str],
        *,
        client: httpx.Client | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Callable[[float], None] = time.sleep,
        attempts: int = 3,
        backoff: float = 1.0,
        timeout: float = 20.0,
    ) -> None:
        self.urls = list(dict.fromkeys(u.strip() for u in urls if u.strip()))
        if not self.urls:
            raise SourceError("rss: no feed to read (set blog_feed in hubbub.toml or give URLs)")
        self._own_client = client is None
        self.client = client or httpx.Client(
            timeout=timeout, follow_redirects=True, headers={"User-Agent": USER_AGENT}
        )
        self.now = now
        self.sleep = sleep
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.problems: list[str] = []
        self.fetched = 0
        self.unchanged = 0

    def close(self) -> None:
        if self._own_client:
            self.client.close()

    def __enter__(self) -> RssSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def batches(self, cursor: str | None = None) -> Iterator[Batch]:
        states = load_cursor(cursor)
        for url in self.urls:
            state = states.get(url, FeedState())
            try:
                posts = self._read(url, state)
            except FeedError as exc:
                self._problem(f"rss: {url}: {exc}")
                continue
            if posts is None:  # 304: nothing new, validators unchanged
                continue
            states[url] = state
            yield Batch(source=self.name, posts=posts, cursor=dump_cursor(states))

    def _problem(self, line: str) -> None:
        log.warning("%s", line)
        self.problems.append(line)

    def _get(self, url: str, state: FeedState) -> httpx.Response:
        headers: dict[str, str] = {}
        if state.etag:
            headers["If-None-Match"] = state.etag
        if state.modified:
            headers["If-Modified-Since"] = state.modified
        reason = ""
        for attempt in range(1, self.attempts + 1):
            try:
                response = self.client.get(url, headers=headers)
            except httpx.TimeoutException:
                reason = "timed out"
            except httpx.TransportError as exc:
                reason = f"unreachable ({type(exc).__name__}: {exc})"
            else:
                if response.status_code not in RETRY_STATUS:
                    return response
                reason = f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
            if attempt < self.attempts:
                delay = self.backoff * 2 ** (attempt - 1)
                log.info("rss: %s: %s; retrying in %.1f s", url, reason, delay)
                self.sleep(delay)
        raise FeedError(f"{reason} (after {self.attempts} attempts)")

    def _read(self, url: str, state: FeedState) -> list[Post] | None:
        """The feed's new entries as posts (``state`` advanced), or ``None`` on a 304."""
        response = self._get(url, state)
        if response.status_code == 304:
            self.unchanged += 1
            return None
        if response.status_code >= 400:
            raise FeedError(f"HTTP {response.status_code} {response.reason_phrase}".rstrip())
        headers = {k.lower(): v for k, v in response.headers.items()}
        headers.setdefault("content-location", str(response.url))
        parsed = feedparser.parse(response.content, response_headers=headers)
        entries = list(parsed.get("entries") or [])
        if not entries and not parsed.get("version"):
            kind = headers.get("content-type", "unknown type").split(";")[0]
            raise FeedError(f"not an RSS or Atom feed ({kind})")
        if parsed.get("bozo") and not any(entry_id(e) for e in entries):
            why = parsed.get("bozo_exception")
            detail = " ".join(str(why).split()) if why else "unreadable"
            raise FeedError(f"not a well-formed feed ({detail[:160]})")
        self.fetched += 1
        retrieved = self.now()
        meta = dict(parsed.get("feed") or {})
        author = feed_account(url, meta)
        language = _language(meta.get("language"))
        fresh = FeedState(
            etag=response.headers.get("etag") or None,
            modified=response.headers.get("last-modified") or None,
            newest=state.newest,
            seen=list(state.seen),
            undated=list(state.undated),
        )
        posts: dict[str, Post] = {}
        for n, entry in enumerate(entries, 1):
            native = entry_id(entry)
            if native is None:
                self._problem(f"rss: {url}: entry {n} skipped: it has neither id/guid nor link")
                continue
            when = entry_time(entry)
            if not state.is_new(native, when) or native in posts:
                continue
            try:
                posts[native] = entry_post(entry, author, url, retrieved, when, language)
            except (SourceError, ValueError, TypeError) as exc:
                self._problem(f"rss: {url}: entry {n} skipped: {exc}")
                continue
            fresh.advance(native, when)
        state.etag, state.modified = fresh.etag, fresh.modified
        state.newest, state.seen, state.undated = fresh.newest, fresh.seen, fresh.undated
        return sorted(posts.values(), key=lambda p: p.created)


# --- for hubbub listen ---------------------------------------------------------------

#: how often ``hubbub listen`` polls the feeds (a conditional GET each: cheap when unchanged)
POLL_SECONDS = 15 * 60


def workspace_feeds(workspace: Workspace) -> list[str]:
    """The feeds a workspace names: its blog feed, its ``rss`` handle, its competitors'."""
    urls = [workspace.blog_feed, workspace.handles.get("rss", "")]
    urls += [c.handles.get("rss", "") for c in workspace.competitors]
    return list(dict.fromkeys(u.strip() for u in urls if u.strip()))


def live_sources(workspace: Workspace, settings: Settings) -> list[LiveSource]:
    """The workspace's feeds as one source polled every 15 minutes (none: nothing)."""
    from hubbub.sources.registry import LiveSource

    urls = workspace_feeds(workspace)
    return [LiveSource(RssSource(urls), float(POLL_SECONDS))] if urls else []
