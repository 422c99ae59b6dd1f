"""``hubbub fetch mastodon``: read Mastodon once for the workspace's streams, into the store.

Called by :func:`hubbub.cli.fetch.fetch` for the ``mastodon`` source; kept apart so
the X path there stays as it was. Thin: it builds
:class:`~hubbub.sources.mastodon.MastodonTimelineSource` over the stored streams
(tag timelines, searches, the public timeline) and, when the workspace names its
Mastodon handle and a token is set, :class:`~hubbub.sources.mastodon.MastodonFollowersSource`,
and hands each to :func:`hubbub.listen.ingest`, which stores every page with the
source's cursor in one transaction: an interrupted fetch resumes where it stopped
and stores nothing twice.
"""

from __future__ import annotations

from datetime import datetime

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from hubbub.cli.errors import FAILED, stderr
from hubbub.model import Workspace
from hubbub.settings import Settings

__all__ = ["fetch_mastodon"]


def fetch_mastodon(ws: Workspace, settings: Settings, since: datetime | None) -> None:
    """Read every feed the streams need once, then the followers; exit 1 on unreadable posts."""
    from hubbub.configure import effective_settings
    from hubbub.listen import ingest
    from hubbub.sources.mastodon import (
        MastodonFollowersSource,
        MastodonTimelineSource,
        client_from_settings,
    )
    from hubbub.store import Store
    from hubbub.store.streams import stored_workspace

    store = Store.open()
    try:
        settings = effective_settings(store, settings)  # + credentials from the Settings page
        with store.begin() as conn:
            _, ws = stored_workspace(conn, ws)
        client = client_from_settings(settings)
        handle = ws.handles.get("mastodon", "")
        try:
            source = MastodonTimelineSource(client, ws.streams, since=since)
            followers = (
                MastodonFollowersSource(client, handle) if handle and client.has_token else None
            )
            columns = (
                SpinnerColumn(),
                TextColumn("{task.description}"),
                TextColumn("{task.completed:,.0f} posts"),
                TextColumn("{task.fields[pages]:,} pages"),
                TimeElapsedColumn(),
            )
            with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
                label = f"Fetching Mastodon ({client.host}) into {ws.slug}"
                task = bar.add_task(label, total=None, pages=0)

                def waiting(why: str, seconds: float) -> None:
                    bar.update(task, description=f"{why} ({seconds:,.0f} s)")

                def advance(n: int) -> None:
                    pages = source.pages + (followers.pages if followers else 0)
                    bar.update(task, advance=n, pages=pages, description=label)

                client.on_wait = waiting
                report = ingest(store, ws, source, progress=advance)
                if followers is not None:
                    label = f"Reading the followers of {handle}"
                    audience = ingest(store, ws, followers, progress=advance)
        finally:
            client.close()
    finally:
        store.close()
    problems = source.problems + (followers.problems if followers else [])
    err = stderr()
    for line in problems:
        err.print(line, markup=False)
    rate = f", {report.posts_per_second:,.0f} posts/s" if report.elapsed > 0 else ""
    feeds = ", ".join(f.key for f in source.feeds)
    summary = (
        f"Fetched {report.posts_seen:,} posts from Mastodon ({client.host}) in "
        f"{source.pages:,} pages ({feeds}), {report.posts_new:,} new, "
        f"{report.mentions_new:,} new mentions ({report.elapsed:.1f} s{rate})"
    )
    if followers is not None:
        summary += f"; {audience.followers_new:,} new followers of {handle}"
    Console(highlight=False, soft_wrap=True).print(summary + ".")
    if problems:
        raise typer.Exit(FAILED)
