"""Fake blogs and news sites on 127.0.0.1: RSS 2.0 and Atom 1.0 feeds over a real socket.

What a feed reader meets in the wild, each at its own path:

- ``/blog/feed.xml``: an RSS 2.0 feed (a bakery's blog: ``guid``, ``pubDate`` in RFC
  822, HTML in ``description``, ``content:encoded``, ``dc:creator``), with ``ETag``
  and ``Last-Modified``; ``If-None-Match`` / ``If-Modified-Since`` that still match
  get ``304 Not Modified``. :meth:`FakeFeeds.add_rss_item` publishes a new post
  (new validators), as a blog does.
- ``/news/atom.xml``: an Atom 1.0 feed (local news: ``id`` URNs, ``published`` and
  ``updated``, ``summary type="html"``, ``link rel="alternate"``), validators likewise.
- ``/broken.xml``: XML cut off mid-element (feedparser flags it bozo, no entries).
- ``/page.html``: an HTML page where a feed should be.
- ``/missing.xml``: 404.
- ``/flaky.xml``: 503 for the first ``flaky_failures`` requests, then the RSS feed.
- ``/slow.xml``: answers after ``slow_seconds`` (longer than a test client's timeout).

Every request's path and headers are kept in ``requests`` for the tests to inspect.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from xml.sax.saxutils import escape

__all__ = ["FakeFeeds", "Item", "atom_feed", "rss_feed"]

BASE_TIME = datetime(2026, 11, 18, 9, 30, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Item:
    """One blog post or news story."""

    guid: str
    title: str
    html: str
    published: datetime
    link: str
    author: str = "Mara Quinn"


def _rss_items(base: str) -> list[Item]:
    posts = [
        (
            "Winter hours and the return of the cardamom bun",
            "<p>From December 1 we open at <b>7am</b> on weekdays. The "
            "<a href='https://larkspurbakery.com/menu'>cardamom bun</a> is back &amp; "
            "better than ever.</p>",
        ),
        (
            "How we build a naturally leavened sourdough",
            "<p>Our starter is twelve years old.</p><p>Here is the 36-hour schedule "
            "behind every loaf of <i>sourdough</i> we bake in West Asheville.</p>",
        ),
        (
            "Holiday pre-orders are open",
            "<p>Stollen, panettone and croissant boxes: order by Dec 20 for pickup.</p>"
            "<script>track()</script>",
        ),
    ]
    return [
        Item(
            guid=f"{base}/blog/{n}",
            title=title,
            html=html,
            published=BASE_TIME + timedelta(days=n),
            link=f"{base}/blog/{n}",
        )
        for n, (title, html) in enumerate(posts, 1)
    ]


def _atom_items() -> list[Item]:
    stories = [
        (
            "River Arts District bakery adds Sunday market stall",
            "Larkspur Bakery will sell <em>sourdough</em> at the Sunday market through March.",
        ),
        (
            "Asheville food scene: five bakeries worth the drive",
            "From croissants to rye, our critic&#8217;s picks &mdash; including Larkspur.",
        ),
    ]
    return [
        Item(
            guid=f"urn:uuid:6c1f2f9e-0000-4000-8000-00000000000{n}",
            title=title,
            html=html,
            published=BASE_TIME + timedelta(hours=5 * n),
            link=f"https://news.example/story/{n}",
            author="Dana Reyes",
        )
        for n, (title, html) in enumerate(stories, 1)
    ]


def rss_feed(base: str, items: list[Item]) -> str:
    """An RSS 2.0 document for the blog."""
    body = []
    for it in items:
        body.append(
            "<item>"
            f"<title>{escape(it.title)}</title>"
            f"<link>{escape(it.link)}</link>"
            f'<guid isPermaLink="true">{escape(it.guid)}</guid>'
            f"<pubDate>{format_datetime(it.published)}</pubDate>"
            f"<dc:creator>{escape(it.author)}</dc:creator>"
            "<category>Bakery news</category>"
            f"<description>{escape(it.html)}</description>"
            f"<content:encoded><![CDATA[{it.html}<p>Thanks for reading!</p>]]></content:encoded>"
            "</item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:atom="http://www.w3.org/2005/Atom">'
        "<channel><title>Larkspur Bakery Blog</title>"
        f"<link>{base}/blog</link>"
        f'<atom:link href="{base}/blog/feed.xml" rel="self" type="application/rss+xml"/>'
        "<description>News from the ovens of a West Asheville bakery</description>"
        "<language>en-us</language>"
        f"<lastBuildDate>{format_datetime(max(i.published for i in items))}</lastBuildDate>"
        + "".join(reversed(body))
        + "</channel></rss>"
    )


def atom_feed(items: list[Item]) -> str:
    """An Atom 1.0 document for the local news site."""
    entries = []
    for it in items:
        stamp = it.published.strftime("%Y-%m-%dT%H:%M:%SZ")
        updated = (it.published + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
        entries.append(
            "<entry>"
            f"<title>{escape(it.title)}</title>"
            f'<link rel="alternate" type="text/html" href="{escape(it.link)}"/>'
            f"<id>{escape(it.guid)}</id>"
            f"<published>{stamp}</published><updated>{updated}</updated>"
            f"<author><name>{escape(it.author)}</name></author>"
            f'<summary type="html">{escape(it.html)}</summary>'
            "</entry>"
        )
    newest = max(i.published for i in items).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">'
        "<title>Asheville Daily Planet: Food</title>"
        '<link rel="alternate" href="https://news.example/food"/>'
        '<link rel="self" href="https://news.example/food/atom.xml"/>'
        "<id>tag:news.example,2026:food</id>"
        f"<updated>{newest}</updated>" + "".join(entries) + "</feed>"
    )


BROKEN = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>Half a feed</title>'
    "<item><title>Cut off mid"
)
HTML_PAGE = "<!doctype html><html><head><title>Not a feed</title></head><body>Hi</body></html>"


class FakeFeeds:
    """The fake sites on one ThreadingHTTPServer; ``start()`` it, ``stop()`` it after."""

    def __init__(self, *, flaky_failures: int = 1, slow_seconds: float = 2.0) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.rss_items = _rss_items(self.url)
        self.atom_items = _atom_items()
        self.flaky_failures = flaky_failures
        self.slow_seconds = slow_seconds
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def start(self) -> FakeFeeds:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> FakeFeeds:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def add_rss_item(self, title: str, html: str, published: datetime) -> Item:
        """Publish a new blog post (the feed's ETag and Last-Modified change)."""
        with self._lock:
            n = len(self.rss_items) + 1
            item = Item(f"{self.url}/blog/{n}", title, html, published, f"{self.url}/blog/{n}")
            self.rss_items.append(item)
        return item

    def hits(self, path: str) -> list[dict[str, str]]:
        """The headers of every request made to ``path``, in order."""
        with self._lock:
            return [headers for p, headers in self.requests if p == path]

    # --- serving ---------------------------------------------------------------------

    def _document(self, path: str) -> tuple[int, str, str, datetime | None]:
        """(status, content type, body, last modified) for a path."""
        with self._lock:
            if path == "/flaky.xml":
                if len([p for p, _ in self.requests if p == path]) <= self.flaky_failures:
                    return 503, "text/plain", "busy", None
                path = "/blog/feed.xml"
            if path == "/blog/feed.xml":
                items = list(self.rss_items)
                modified = max(i.published for i in items)
                return 200, "application/rss+xml", rss_feed(self.url, items), modified
            if path == "/news/atom.xml":
                items = list(self.atom_items)
                modified = max(i.published for i in items)
                return 200, "application/atom+xml", atom_feed(items), modified
        if path == "/broken.xml":
            return 200, "application/rss+xml", BROKEN, None
        if path == "/page.html":
            return 200, "text/html; charset=utf-8", HTML_PAGE, None
        if path == "/slow.xml":
            time.sleep(self.slow_seconds)
            return 200, "application/rss+xml", rss_feed(self.url, self.rss_items), None
        return 404, "text/plain", "not found", None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                with fake._lock:
                    fake.requests.append((self.path, dict(self.headers.items())))
                status, kind, text, modified = fake._document(self.path)
                body = text.encode("utf-8")
                headers: dict[str, str] = {"Content-Type": kind}
                if status == 200 and modified is not None:
                    etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                    last = format_datetime(modified, usegmt=True)
                    headers |= {"ETag": etag, "Last-Modified": last}
                    if self._not_modified(etag, modified):
                        self.send_response(304)
                        for key in ("ETag", "Last-Modified"):
                            self.send_header(key, headers[key])
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)  # a client that timed out has gone (slow.xml)

            def _not_modified(self, etag: str, modified: datetime) -> bool:
                match = self.headers.get("If-None-Match")
                if match is not None:  # RFC 9110: If-None-Match wins over If-Modified-Since
                    return etag in [t.strip() for t in match.split(",")]
                since = self.headers.get("If-Modified-Since")
                if since is None:
                    return False
                try:
                    return modified <= parsedate_to_datetime(since)
                except (TypeError, ValueError):
                    return False

        return Handler
