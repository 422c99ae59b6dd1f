"""Mastodon (any instance): timelines, search, streaming, followers and posting.

- :mod:`~hubbub.sources.mastodon.client`: Mastodon.py behind one retrying,
  rate-limited ``request``
- :mod:`~hubbub.sources.mastodon.mapping`: Status and Account JSON as Post and Account
- :mod:`~hubbub.sources.mastodon.plan`: which tag timelines and searches the streams need
- :mod:`~hubbub.sources.mastodon.timelines`: :class:`MastodonTimelineSource`
- :mod:`~hubbub.sources.mastodon.streaming`: :class:`MastodonStreamSource` (SSE)
- :mod:`~hubbub.sources.mastodon.followers`: :class:`MastodonFollowersSource` (audit)
- :mod:`~hubbub.sources.mastodon.publisher`: :class:`MastodonPublisher`

:func:`live_sources` and :func:`publisher_from_settings` are the factories that
:mod:`hubbub.sources.registry` and :mod:`hubbub.sources.publishers` name.
"""

from __future__ import annotations

from hubbub.model import Workspace
from hubbub.settings import Settings
from hubbub.sources.mastodon.client import MastodonClient, client_from_settings, configured
from hubbub.sources.mastodon.followers import MastodonFollowersSource
from hubbub.sources.mastodon.plan import Feed, plan_feeds
from hubbub.sources.mastodon.publisher import MastodonPublisher, publisher_from_settings
from hubbub.sources.mastodon.streaming import MastodonStreamSource
from hubbub.sources.mastodon.timelines import MastodonTimelineSource
from hubbub.sources.registry import LiveSource

__all__ = [
    "FOLLOWERS_POLL_SECONDS",
    "TIMELINE_POLL_SECONDS",
    "Feed",
    "MastodonClient",
    "MastodonFollowersSource",
    "MastodonPublisher",
    "MastodonStreamSource",
    "MastodonTimelineSource",
    "client_from_settings",
    "live_sources",
    "plan_feeds",
    "publisher_from_settings",
]

#: timelines and searches are polled each minute (about 2 requests a feed, well
#: inside Mastodon's default 300 requests per 5 minutes for a handful of feeds)
TIMELINE_POLL_SECONDS = 60.0
#: the followers list is a snapshot for the audit: twice a day is plenty
FOLLOWERS_POLL_SECONDS = 12 * 3600.0


def live_sources(workspace: Workspace, settings: Settings) -> list[LiveSource]:
    """What ``hubbub listen`` runs on Mastodon for ``workspace``; empty when not configured.

    A live stream per hashtag the streams follow (its reconnects fill gaps from the
    tag timeline, so the tag is not polled as well); the searches and the public
    timeline, polled; and with a token and the business's ``mastodon`` handle, the
    stream of its mentions and its followers (polled).
    """
    if not configured(settings):
        return []
    client = client_from_settings(settings)
    feeds = plan_feeds(workspace.streams, can_search=client.has_token)
    found: list[LiveSource] = []
    for feed in feeds:
        if feed.kind == "tag":
            own = client_from_settings(settings)  # one client (and rate window) per thread
            found.append(LiveSource(MastodonStreamSource(own, "hashtag", feed.value)))
    polled = [f for f in feeds if f.kind != "tag"]
    if polled:
        source = MastodonTimelineSource(client, feeds=polled)
        found.append(LiveSource(source, TIMELINE_POLL_SECONDS))
    handle = workspace.handles.get("mastodon", "")
    if handle and client.has_token:
        found.append(LiveSource(MastodonStreamSource(client_from_settings(settings), "mentions")))
        followers = MastodonFollowersSource(client_from_settings(settings), handle)
        found.append(LiveSource(followers, FOLLOWERS_POLL_SECONDS))
    return found
