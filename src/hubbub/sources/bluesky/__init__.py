"""Bluesky: post search, the Jetstream firehose, followers and posting, over XRPC.

- :mod:`~hubbub.sources.bluesky.client`: the one retrying, rate-limited ``request``
- :mod:`~hubbub.sources.bluesky.mapping`: post views, records and profiles as Post / Account
- :mod:`~hubbub.sources.bluesky.search`: :class:`BlueskySearchSource` (``searchPosts``)
- :mod:`~hubbub.sources.bluesky.jetstream`: :class:`JetstreamSource` (the live firehose)
- :mod:`~hubbub.sources.bluesky.followers`: :class:`BlueskyFollowersSource` (``getFollowers``)
- :mod:`~hubbub.sources.bluesky.publish`: ``BlueskyPublisher`` (``createRecord``), imported
  only when posting: the ``atproto`` SDK it uses takes seconds to import

:func:`live_sources` and :func:`publisher` are the factories that
:mod:`hubbub.sources.registry` and :mod:`hubbub.sources.publishers` call. Bluesky
counts as configured when a handle and an app password are set: Jetstream itself
needs no account, but search and profile lookups do on bsky.social, and an unasked
firehose for every workspace would be a surprise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hubbub.model import Workspace
from hubbub.settings import Settings
from hubbub.sources.base import SourceError
from hubbub.sources.bluesky.client import (
    BlueskyAuthError,
    BlueskyClient,
    BlueskyRequestError,
    BlueskyUnavailable,
    client_from_settings,
)
from hubbub.sources.bluesky.followers import BlueskyFollowersSource
from hubbub.sources.bluesky.jetstream import JetstreamSource, prefilter_for
from hubbub.sources.bluesky.search import BlueskySearchSource
from hubbub.sources.registry import LiveSource

if TYPE_CHECKING:  # the atproto SDK takes seconds to import: only when posting
    from hubbub.sources.bluesky.publish import BlueskyPublisher

__all__ = [
    "FOLLOWERS_POLL_SECONDS",
    "SEARCH_POLL_SECONDS",
    "BlueskyAuthError",
    "BlueskyClient",
    "BlueskyFollowersSource",
    "BlueskyRequestError",
    "BlueskySearchSource",
    "BlueskyUnavailable",
    "JetstreamSource",
    "client_from_settings",
    "live_sources",
    "prefilter_for",
    "publisher",
]

SEARCH_POLL_SECONDS = 120.0
FOLLOWERS_POLL_SECONDS = 6 * 3600.0


def _configured(settings: Settings) -> bool:
    password = settings.bluesky_app_password
    return bool(settings.bluesky_handle.strip() and password and password.get_secret_value())


def live_sources(workspace: Workspace, settings: Settings) -> list[LiveSource]:
    """Jetstream (a stream), search every two minutes and, with a handle, the followers."""
    if not _configured(settings):
        return []
    streams = [s for s in workspace.streams if not s.paused]
    found: list[LiveSource] = []
    if streams:
        found.append(
            LiveSource(
                JetstreamSource(
                    settings.bluesky_jetstream_url, streams, client=client_from_settings(settings)
                )
            )
        )
        try:
            search = BlueskySearchSource(client_from_settings(settings), streams)
        except SourceError:  # no stream Bluesky search can serve: Jetstream still does
            pass
        else:
            found.append(LiveSource(search, poll_seconds=SEARCH_POLL_SECONDS))
    handle = workspace.handles.get("bluesky", "")
    if handle:
        followers = BlueskyFollowersSource(client_from_settings(settings), handle)
        found.append(LiveSource(followers, poll_seconds=FOLLOWERS_POLL_SECONDS))
    return found


def publisher(settings: Settings) -> BlueskyPublisher | None:
    """A publisher for the configured account, or None without a handle and app password."""
    if not _configured(settings):
        return None
    from hubbub.sources.bluesky.publish import BlueskyPublisher

    return BlueskyPublisher(client_from_settings(settings))
