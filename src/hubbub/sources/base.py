"""The Source protocol: what every network, file and demo source provides.

A source owns its network: paging, rate limits, reconnects and the cursor's
meaning. It yields :class:`~hubbub.model.Batch` objects; the runner
(:mod:`hubbub.listen`) processes each batch and stores its mentions together with
``batch.cursor`` in one transaction, then passes that cursor back on restart.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, runtime_checkable

from hubbub.model import Batch

__all__ = ["Source", "SourceError"]


class SourceError(Exception):
    """A source cannot go on; the message is one line a user can act on."""


@runtime_checkable
class Source(Protocol):
    #: a stable name; the store keeps one cursor per (workspace, name)
    name: str

    def batches(self, cursor: str | None = None) -> Iterator[Batch]:
        """Yield batches after ``cursor`` (``None``: from the start)."""
        ...
