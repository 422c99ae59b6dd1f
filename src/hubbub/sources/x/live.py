"""X for ``hubbub listen``: the filtered stream, metered against the monthly cap.

Registered in :data:`hubbub.sources.registry.FACTORIES`. With a bearer token set and
at least one stream not paused, the workspace listens on X's filtered stream (its
streams synced as tagged rules), which runs until stopped. Every post it receives is
counted on a :class:`~hubbub.sources.x.usage.Budget` whose meter comes from the layer
above (``meters("x")``: the store's ``api_usage`` table, so ``hubbub fetch x`` and a
listener share one monthly count and one cap); without one the count is kept in
memory. Reaching the cap stops the stream with :class:`~hubbub.sources.x.usage.CapReached`,
which the listener shows and retries after its backoff (the check costs nothing).
"""

from __future__ import annotations

from collections.abc import Callable

from hubbub.model import Workspace
from hubbub.settings import Settings
from hubbub.sources.registry import LiveSource
from hubbub.sources.x.client import client_from_settings
from hubbub.sources.x.stream import XStreamSource
from hubbub.sources.x.usage import Budget, MemoryMeter, UsageMeter

__all__ = ["LiveXStream", "live_sources"]


class LiveXStream(XStreamSource):
    """The filtered stream as the listener runs it: it owns its client and closes it."""

    def close(self) -> None:
        self.client.close()


def live_sources(
    workspace: Workspace,
    settings: Settings,
    *,
    meters: Callable[[str], UsageMeter] | None = None,
) -> list[LiveSource]:
    """The filtered stream when a bearer token is set and a stream is active; else nothing."""
    token = settings.x_bearer_token
    if token is None or not token.get_secret_value().strip():
        return []
    if not any(not s.paused for s in workspace.streams):
        return []
    budget = Budget(
        meters("x") if meters is not None else MemoryMeter(),
        read_cap=settings.x_monthly_read_cap,
        cost_per_read=settings.x_cost_per_read,
        cost_per_write=settings.x_cost_per_write,
    )
    client = client_from_settings(settings, budget=budget)
    return [LiveSource(LiveXStream(client, workspace.slug, workspace.streams), None)]
