"""The demo source: a deterministic, seeded simulation of one small business's social
world, so hubbub runs end to end offline with no account anywhere (``make demo``).

Public API: :func:`generate_world` draws the whole world (posts, accounts, the
business's followers); :class:`DemoSource` emits it in batches under the
:class:`~hubbub.sources.base.Source` protocol, resumable from a cursor.
"""

from __future__ import annotations

from hubbub.sources.demo.generate import generate_world
from hubbub.sources.demo.goals import DemoCode, demo_codes, with_event_windows
from hubbub.sources.demo.source import DemoSource
from hubbub.sources.demo.world import DemoWorld, resolve_end

__all__ = [
    "DemoCode",
    "DemoSource",
    "DemoWorld",
    "demo_codes",
    "generate_world",
    "resolve_end",
    "with_event_windows",
]
