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
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from hubbub import codec
from hubbub.cli.commands import app
from hubbub.cli.errors import BAD_INPUT, FAILED, fail, handled, stderr
from hubbub.settings import get_settings
from hubbub.workspace import load_workspace

__all__ = ["fetch"]

SOURCES = ("x", "rss")


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return codec.parse_datetime(value)
    except ValueError:
        fail(f"--since: {value!r} is not an ISO 8601 time (e.g. 2026-11-20T00:00:00Z)", BAD_INPUT)


@app.command()
def fetch(
    source: Annotated[
        str, typer.Argument(help="The network to fetch from: x or rss.", metavar="SOURCE")
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
) -> None:
    """Fetch posts once for the workspace's streams.

    From X recent search or RSS/Atom feeds; resumes where it stopped.

    Each stream becomes one X search (split when longer than X's 512 characters); each
    page is stored with where to go on, so running it again continues where it stopped
    and stores nothing twice. --since and --since-id only apply to streams never fetched
    before. Needs HUBBUB_X_BEARER_TOKEN; stops at HUBBUB_X_MONTHLY_READ_CAP.

    rss reads the workspace's blog_feed and any feed URLs given, each once, asking with
    its ETag / Last-Modified so an unchanged feed costs one request, e.g.
    hubbub fetch rss https://news.example/food/atom.xml (see docs/sources-rss.md).

    Example: hubbub fetch x --since 2026-11-20T00:00:00Z
    """
    from hubbub.listen import ingest
    from hubbub.sources.x.client import client_from_settings
    from hubbub.sources.x.search import XSearchSource
    from hubbub.sources.x.usage import Budget, CapReached
    from hubbub.store import Store
    from hubbub.store.usage import StoreUsageMeter

    with handled():
        if source not in SOURCES:
            fail(f"unknown source {source!r}: expected one of {', '.join(SOURCES)}", BAD_INPUT)
        if source == "rss":
            from hubbub.cli.fetch_rss import fetch_rss

            if since is not None or since_id is not None:
                fail("rss: --since and --since-id apply to x only", BAD_INPUT)
            settings = get_settings()
            fetch_rss(load_workspace(workspace or settings.workspace_file), urls or [])
            return
        if urls:
            fail(f"{source}: takes no URL (got {urls[0]!r})", BAD_INPUT)
        if since is not None and since_id is not None:
            fail("give --since or --since-id, not both", BAD_INPUT)
        if since_id is not None and not since_id.isdigit():
            fail(f"--since-id: {since_id!r} is not a post id (digits only)", BAD_INPUT)
        start = _since(since)
        settings = get_settings()
        ws = load_workspace(workspace or settings.workspace_file)
        store = Store.open()
        try:
            budget = Budget(
                StoreUsageMeter(store, "x"),
                read_cap=settings.x_monthly_read_cap,
                cost_per_read=settings.x_cost_per_read,
                cost_per_write=settings.x_cost_per_write,
            )
            client = client_from_settings(settings, budget=budget)
            err = stderr()
            try:
                src = XSearchSource(client, ws.streams, since=start, since_id=since_id)
                columns = (
                    SpinnerColumn(),
                    TextColumn("{task.description}"),
                    TextColumn("{task.completed:,.0f} posts"),
                    TextColumn("{task.fields[pages]:,} pages"),
                    TimeElapsedColumn(),
                )
                with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
                    task = bar.add_task(f"Fetching X into {ws.slug}", total=None, pages=0)

                    def advance(n: int) -> None:
                        bar.update(task, advance=n, pages=src.pages, description=label)

                    def waiting(why: str, seconds: float) -> None:
                        bar.update(task, description=f"{why} ({seconds:,.0f} s)")

                    label = f"Fetching X into {ws.slug}"
                    client.on_wait = waiting

                    try:
                        report = ingest(store, ws, src, progress=advance)
                    except CapReached as exc:
                        bar.stop()
                        for problem in src.problems:
                            err.print(problem, markup=False)
                        fail(f"{exc} (the pages before it are stored)", FAILED)
            finally:
                client.close()
            for problem in src.problems:
                err.print(problem, markup=False)
            rate = f"{report.posts_per_second:,.0f} posts/s" if report.elapsed > 0 else ""
            Console(highlight=False, soft_wrap=True).print(
                f"Fetched {report.posts_seen:,} posts from X in {src.pages:,} pages, "
                f"{report.posts_new:,} new, {report.mentions_new:,} new mentions "
                f"({report.elapsed:.1f} s, {rate})."
            )
            err.print(budget.summary(), markup=False)
        finally:
            store.close()
        if src.problems:
            raise typer.Exit(FAILED)
