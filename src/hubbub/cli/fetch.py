"""``hubbub fetch SOURCE``: backfill once from a network into the store, with a progress bar.

Thin, like every command: it builds the source from the settings and the workspace
file and hands it to :func:`hubbub.listen.ingest`, which stores each page with the
source's cursor in one transaction; that is why an interrupted fetch (Ctrl-C, a
crash, ``kill -9``) simply resumes when run again. Costs are metered in the store
(``api_usage``), so the month's count and the cap hold across runs and processes.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from hubbub import codec
from hubbub.cli.commands import app
from hubbub.cli.errors import BAD_INPUT, FAILED, fail, handled, stderr
from hubbub.cli.progress import FetchProgress, timing
from hubbub.settings import get_settings
from hubbub.workspace import load_workspace

if TYPE_CHECKING:
    from hubbub.model import Workspace
    from hubbub.sources.x.client import XClient
    from hubbub.sources.x.search import XSearchSource
    from hubbub.sources.x.timelines import TimelineKind, XFollowersSource, XTimelineSource

__all__ = ["fetch"]

SOURCES = ("x", "rss", "bluesky", "mastodon")
TIMELINES = ("own", "mentions", "followers")  # hubbub fetch x --timeline


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return codec.parse_datetime(value)
    except ValueError:
        fail(f"--since: {value!r} is not an ISO 8601 time (e.g. 2026-11-20T00:00:00Z)", BAD_INPUT)


def _x_source(
    client: XClient,
    ws: Workspace,
    timeline: str | None,
    start: datetime | None,
    since_id: str | None,
) -> XSearchSource | XTimelineSource | XFollowersSource:
    """The X source ``hubbub fetch x`` reads: recent search, or one of the business's own."""
    from hubbub.sources.x.search import XSearchSource
    from hubbub.sources.x.timelines import XFollowersSource, XTimelineSource

    if timeline is None:
        return XSearchSource(client, ws.streams, since=start, since_id=since_id)
    handle = ws.handles.get("x", "")
    if timeline == "followers":
        return XFollowersSource(client, handle)
    kind: TimelineKind = "own" if timeline == "own" else "mentions"
    return XTimelineSource(client, handle, kind, since_id=since_id)


@app.command()
def fetch(
    source: Annotated[
        str,
        typer.Argument(
            help="The network to fetch from: x, rss, bluesky or mastodon.", metavar="SOURCE"
        ),
    ],
    urls: Annotated[
        list[str] | None,
        typer.Argument(
            help="rss: feed URLs to read besides the workspace's blog_feed.", metavar="URL"
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(help="Start at this time (ISO 8601; X: within the last 7 days)."),
    ] = None,
    since_id: Annotated[
        str | None, typer.Option("--since-id", help="Start after this post id (X).")
    ] = None,
    workspace: Annotated[
        Path | None,
        typer.Option("--workspace", "-w", help="The workspace file [default: hubbub.toml]."),
    ] = None,
    timeline: Annotated[
        str | None,
        typer.Option(
            help="x: instead of searching, read the business's own posts, its mentions or its "
            "followers (own, mentions or followers; needs handles.x).",
            metavar="KIND",
        ),
    ] = None,
) -> None:
    """Fetch posts once for the workspace's streams.

    From X recent search or RSS/Atom feeds; resumes where it stopped.

    Each stream becomes one X search (split when longer than X's 512 characters); each
    page is stored with where to go on, so running it again continues where it stopped
    and stores nothing twice. --since and --since-id only apply to streams never fetched
    before. Needs HUBBUB_X_BEARER_TOKEN; stops at HUBBUB_X_MONTHLY_READ_CAP.

    bluesky searches Bluesky for each stream's terms and, when the workspace names its
    Bluesky handle, reads its followers; needs HUBBUB_BLUESKY_HANDLE and
    HUBBUB_BLUESKY_APP_PASSWORD (see docs/sources-bluesky.md).

    mastodon reads the tag timeline of each stream's hashtags, searches its words (with
    a token) or the local public timeline, and the followers of the workspace's Mastodon
    handle; needs HUBBUB_MASTODON_BASE_URL (and HUBBUB_MASTODON_ACCESS_TOKEN for
    search, see docs/sources-mastodon.md).

    rss reads the workspace's blog_feed and any feed URLs given, each once, asking with
    its ETag / Last-Modified so an unchanged feed costs one request, e.g.
    hubbub fetch rss https://news.example/food/atom.xml (see docs/sources-rss.md).

    x --timeline own|mentions|followers reads the business's own X posts, the posts that
    mention it, or its followers (for the audit), each resuming where it stopped.

    Example: hubbub fetch x --since 2026-11-20T00:00:00Z
    """
    from hubbub.configure import effective_settings
    from hubbub.listen import ingest
    from hubbub.sources.x.client import client_from_settings
    from hubbub.sources.x.usage import Budget, CapReached
    from hubbub.store import Store
    from hubbub.store.streams import stored_workspace
    from hubbub.store.usage import StoreUsageMeter

    with handled():
        if source not in SOURCES:
            fail(f"unknown source {source!r}: expected one of {', '.join(SOURCES)}", BAD_INPUT)
        if timeline is not None and source != "x":
            fail("--timeline applies to x only", BAD_INPUT)
        if source == "rss":
            from hubbub.cli.fetch_rss import fetch_rss

            if since is not None or since_id is not None:
                fail("rss: --since and --since-id apply to x only", BAD_INPUT)
            settings = get_settings()
            fetch_rss(load_workspace(workspace or settings.workspace_file), urls or [])
            return
        if source == "bluesky":
            from hubbub.cli.fetch_bluesky import fetch_bluesky

            if since_id is not None or urls:
                fail("bluesky: takes no URL and no --since-id (use --since)", BAD_INPUT)
            settings = get_settings()
            ws = load_workspace(workspace or settings.workspace_file)
            fetch_bluesky(ws, settings, _since(since))
            return
        if source == "mastodon":
            from hubbub.cli.fetch_mastodon import fetch_mastodon

            if since_id is not None or urls:
                fail("mastodon: takes no URL and no --since-id (use --since)", BAD_INPUT)
            settings = get_settings()
            ws = load_workspace(workspace or settings.workspace_file)
            fetch_mastodon(ws, settings, _since(since))
            return
        if urls:
            fail(f"{source}: takes no URL (got {urls[0]!r})", BAD_INPUT)
        if timeline is not None and timeline not in TIMELINES:
            fail(f"--timeline: {timeline!r} is not one of {', '.join(TIMELINES)}", BAD_INPUT)
        if timeline is not None and since is not None:
            fail("--timeline: use --since-id, not --since", BAD_INPUT)
        if since is not None and since_id is not None:
            fail("give --since or --since-id, not both", BAD_INPUT)
        if since_id is not None and not since_id.isdigit():
            fail(f"--since-id: {since_id!r} is not a post id (digits only)", BAD_INPUT)
        start = _since(since)
        settings = get_settings()
        ws = load_workspace(workspace or settings.workspace_file)
        store = Store.open()
        try:
            settings = effective_settings(store, settings)  # + credentials from Settings page
            with store.begin() as conn:  # search for the stored streams, the web's too
                _, ws = stored_workspace(conn, ws)
            budget = Budget(
                StoreUsageMeter(store, "x"),
                read_cap=settings.x_monthly_read_cap,
                cost_per_read=settings.x_cost_per_read,
                cost_per_write=settings.x_cost_per_write,
            )
            client = client_from_settings(settings, budget=budget)
            err = stderr()
            try:
                src = _x_source(client, ws, timeline, start, since_id)
                label = f"Fetching X into {ws.slug}"
                with FetchProgress(label, pages=lambda: src.pages) as bar:
                    client.on_wait = bar.waiting
                    try:
                        report = ingest(store, ws, src, progress=bar.advance)
                    except CapReached as exc:
                        bar.stop()
                        for problem in src.problems:
                            err.print(problem, markup=False)
                        fail(f"{exc} (the pages before it are stored)", FAILED)
            finally:
                client.close()
            for problem in src.problems:
                err.print(problem, markup=False)
            fans = f", {report.followers_new:,} new followers" if timeline == "followers" else ""
            Console(highlight=False, soft_wrap=True).print(
                f"Fetched {report.posts_seen:,} posts from X in {src.pages:,} pages, "
                f"{report.posts_new:,} new, {report.mentions_new:,} new mentions{fans} "
                f"({timing(report)})."
            )
            err.print(budget.summary(), markup=False)
        finally:
            store.close()
        if src.problems:
            raise typer.Exit(FAILED)
