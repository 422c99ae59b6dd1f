"""Which sources a workspace listens to, given its hubbub.toml and the credentials.

``hubbub listen`` runs every :class:`LiveSource` that :func:`configured_sources`
returns, each in its own thread under a lease. A network module registers a factory
in ``FACTORIES``; the factory looks at the workspace (handles, streams, blog feed)
and the settings (credentials) and returns the live sources it can run, or an empty
list when that network is not configured. Imports are lazy so an optional SDK only
matters for the network that needs it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

from hubbub.model import Workspace
from hubbub.settings import Settings
from hubbub.sources.base import Source

if TYPE_CHECKING:
    from hubbub.sources.x.usage import UsageMeter

__all__ = ["FACTORIES", "LiveSource", "MeterFactory", "configured_sources"]


@dataclass(frozen=True, slots=True)
class LiveSource:
    """A source as the listener runs it.

    ``poll_seconds`` None means ``batches()`` is a stream that runs until stopped
    (X filtered stream, Mastodon streaming, Bluesky Jetstream) and is restarted from
    its cursor if it ends; a number means ``batches()`` ends once caught up (search,
    RSS) and is called again, from the stored cursor, that many seconds later.
    """

    source: Source
    poll_seconds: float | None = None


#: network -> "module:function"; the function takes (Workspace, Settings) and
#: returns a list of LiveSource (empty when the network is not configured).
FACTORIES: dict[str, str] = {
    "bluesky": "hubbub.sources.bluesky:live_sources",
    "mastodon": "hubbub.sources.mastodon:live_sources",
    "rss": "hubbub.sources.rss:live_sources",
    "x": "hubbub.sources.x.live:live_sources",
}

#: network -> a usage meter for it (``hubbub.store.usage.StoreUsageMeter`` from the
#: listener, so that a metered network's monthly count and cap hold across processes;
#: sources cannot import the store themselves). A factory that takes a ``meters``
#: keyword gets it.
MeterFactory = Callable[[str], "UsageMeter"]


def configured_sources(
    workspace: Workspace, settings: Settings, *, meters: MeterFactory | None = None
) -> list[LiveSource]:
    """Every live source the workspace can run with the credentials at hand."""
    found: list[LiveSource] = []
    for network in sorted(FACTORIES):
        module_name, _, function = FACTORIES[network].partition(":")
        factory: Callable[..., list[LiveSource]] = getattr(import_module(module_name), function)
        if meters is not None and "meters" in inspect.signature(factory).parameters:
            found.extend(factory(workspace, settings, meters=meters))
        else:
            found.extend(factory(workspace, settings))
    return found
