"""``hubbub fetch rss [URL...]``: poll RSS/Atom feeds once into the store.

Called by :func:`hubbub.cli.fetch.fetch` for the ``rss`` source; kept apart so the
X path there stays as it was. Thin: it picks the feeds (the workspace's
``blog_feed`` plus the URLs given), builds :class:`~hubbub.sources.rss.RssSource`
and hands it to :func:`hubbub.listen.ingest`, which stores each feed's new entries
with the source's cursor in one transaction, so a second run asks each feed with
its validators and stores only what is new.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from urllib.parse import urlsplit

import typer
from rich.console import Console

from hubbub.cli.errors import BAD_INPUT, FAILED, fail, stderr
from hubbub.cli.progress import FetchProgress, timing
from hubbub.model import Workspace

__all__ = ["feed_urls", "fetch_rss"]


def feed_urls(ws: Workspace, extra: Sequence[str]) -> list[str]:
    """The workspace's blog feed, then each URL given (checked, duplicates dropped)."""
    urls = [ws.blog_feed] if ws.blog_feed else []
    for n, url in enumerate(extra, 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            fail(f"URL {n}: {url!r} is not an http(s) feed URL", BAD_INPUT)
        urls.append(url)
    if not urls:
        fail("rss: no feed: set blog_feed in the workspace file or give feed URLs", BAD_INPUT)
    return list(dict.fromkeys(urls))


def _feeds(n: int) -> str:
    return f"{n:,} feed" if n == 1 else f"{n:,} feeds"


def fetch_rss(ws: Workspace, extra: Sequence[str]) -> None:
    """Fetch every feed once into the store; exit 1 when a feed could not be read."""
    from hubbub.listen import ingest
    from hubbub.sources.rss import RssSource
    from hubbub.store import Store

    urls = feed_urls(ws, extra)
    # the source logs each skipped feed; here they are printed once, after the bar, so
    # keep Python's last-resort handler from printing them a second time meanwhile
    logging.getLogger("hubbub.sources.rss").addHandler(logging.NullHandler())
    store = Store.open()
    try:
        label = f"Fetching {_feeds(len(urls))} into {ws.slug}"
        with RssSource(urls) as src, FetchProgress(label) as bar:
            report = ingest(store, ws, src, progress=bar.advance)
    finally:
        store.close()
    err = stderr()
    for problem in src.problems:
        err.print(problem, markup=False)
    Console(highlight=False, soft_wrap=True).print(
        f"Fetched {report.posts_seen:,} posts from {_feeds(len(urls))} "
        f"({src.fetched:,} changed, {src.unchanged:,} not modified, "
        f"{len(urls) - src.fetched - src.unchanged:,} failed), "
        f"{report.posts_new:,} new, {report.mentions_new:,} new mentions "
        f"({timing(report)})."
    )
    if src.fetched + src.unchanged < len(urls):
        raise typer.Exit(FAILED)
