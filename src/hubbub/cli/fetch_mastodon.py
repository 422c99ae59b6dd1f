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

from hubbub.cli.errors import FAILED, stderr
from hubbub.cli.progress import FetchProgress, timing
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
            label = f"Fetching Mastodon ({client.host}) into {ws.slug}"

            def pages() -> int:
                return source.pages + (followers.pages if followers else 0)

            with FetchProgress(label, pages=pages) as bar:
                client.on_wait = bar.waiting
                report = ingest(store, ws, source, progress=bar.advance)
                if followers is not None:
                    bar.label = f"Reading the followers of {handle}"
                    audience = ingest(store, ws, followers, progress=bar.advance)
        finally:
            client.close()
    finally:
        store.close()
    problems = source.problems + (followers.problems if followers else [])
    err = stderr()
    for line in problems:
        err.print(line, markup=False)
    feeds = ", ".join(f.key for f in source.feeds)
    summary = (
        f"Fetched {report.posts_seen:,} posts from Mastodon ({client.host}) in "
        f"{source.pages:,} pages ({feeds}), {report.posts_new:,} new, "
        f"{report.mentions_new:,} new mentions ({timing(report)})"
    )
    if followers is not None:
        summary += f"; {audience.followers_new:,} new followers of {handle}"
    Console(highlight=False, soft_wrap=True).print(summary + ".")
    if problems:
        raise typer.Exit(FAILED)
