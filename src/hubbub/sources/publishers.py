"""Which networks hubbub can write to with the credentials it has.

``publisher_for(network, settings)`` builds the network's :class:`Publisher` from
the settings, or returns ``None`` when posting is not configured for it (the inbox
then offers "copy the reply and mark it replied" instead). Each network module
registers its factory in ``FACTORIES`` below; imports are lazy so a missing
optional SDK only matters for the network that needs it.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from hubbub.settings import Settings
from hubbub.sources.base import Publisher

__all__ = ["FACTORIES", "publisher_for"]

#: network -> "module:function"; the function takes Settings and returns a
#: Publisher, or None when that network's posting credentials are not set.
FACTORIES: dict[str, str] = {
    "bluesky": "hubbub.sources.bluesky:publisher",
    "mastodon": "hubbub.sources.mastodon:publisher_from_settings",
    "x": "hubbub.xauth:publisher",  # layer 5: it stores X's rotating refresh tokens
}


def publisher_for(network: str, settings: Settings) -> Publisher | None:
    """The publisher for ``network`` if its credentials are configured, else None."""
    target = FACTORIES.get(network)
    if target is None:
        return None
    module_name, _, function = target.partition(":")
    factory: Callable[[Settings], Publisher | None] = getattr(import_module(module_name), function)
    return factory(settings)
