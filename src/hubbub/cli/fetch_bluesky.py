"""``hubbub fetch bluesky``: search Bluesky once for the workspace's streams, into the store.

Called by :func:`hubbub.cli.fetch.fetch` for the ``bluesky`` source; kept apart so
the X path there stays as it was. Thin: it builds
:class:`~hubbub.sources.bluesky.BlueskySearchSource` (and, when the workspace names
its Bluesky handle, :class:`~hubbub.sources.bluesky.BlueskyFollowersSource`) and
hands each to :func:`hubbub.listen.ingest`, which stores every page with the
source's cursor in one transaction: an interrupted fetch resumes where it stopped
and stores nothing twice.
"""

from __future__ import annotations

from datetime import datetime

import typer
from rich.console import Console

from hubbub.cli.errors import FAILED, stderr
from hubbub.cli.progress import FetchProgress, timing
from hubbub.model import Workspace
from hubbub.settings import Settings

__all__ = ["fetch_bluesky"]


def fetch_bluesky(ws: Workspace, settings: Settings, since: datetime | None) -> None:
    """Search every stream once, then read the followers; exit 1 if a post was unreadable."""
    from hubbub.configure import effective_settings
    from hubbub.listen import ingest
    from hubbub.sources.bluesky import (
        BlueskyFollowersSource,
        BlueskySearchSource,
        client_from_settings,
    )
    from hubbub.store import Store
    from hubbub.store.streams import stored_workspace

    handle = ws.handles.get("bluesky", "")
    store = Store.open()
    settings = effective_settings(store, settings)  # + credentials from the Settings page
    with store.begin() as conn:
        _, ws = stored_workspace(conn, ws)
    client = client_from_settings(settings)
    try:
        client.login()
        search = BlueskySearchSource(client, ws.streams, since=since)
        followers = BlueskyFollowersSource(client, handle) if handle else None

        def pages() -> int:
            return search.pages + (followers.pages if followers else 0)

        with FetchProgress(f"Fetching Bluesky into {ws.slug}", pages=pages) as bar:
            client.on_wait = bar.waiting
            report = ingest(store, ws, search, progress=bar.advance)
            if followers is not None:
                bar.label = f"Reading the followers of {handle}"
                audience = ingest(store, ws, followers, progress=bar.advance)
    finally:
        client.close()
        store.close()
    err = stderr()
    problems = search.problems + (followers.problems if followers else [])
    for line in search.skipped + problems:
        err.print(line, markup=False)
    summary = (
        f"Fetched {report.posts_seen:,} posts from Bluesky in {search.pages:,} pages "
        f"({len(search.terms):,} searches), {report.posts_new:,} new, "
        f"{report.mentions_new:,} new mentions ({timing(report)})"
    )
    if followers is not None:
        summary += f"; {audience.followers_new:,} new followers of {handle}"
    Console(highlight=False, soft_wrap=True).print(summary + ".")
    if problems:
        raise typer.Exit(FAILED)
