"""``DemoSource``: the demo world under the Source protocol, in resumable batches.

The cursor is the number of posts emitted so far, so a run that stopped after
5,000 posts continues with post 5,001 of the same world (same seed and end).
The world is drawn in full on first use and kept (about two seconds), which keeps
resuming exact. A cursor at or past the end of the world yields nothing: the world
was emitted in full (a rerun with a later ``end`` draws a different world, so
its cursor from an earlier run means "done", not an error).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from hubbub.model import Batch, Workspace
from hubbub.sources.base import SourceError
from hubbub.sources.demo.generate import generate_world
from hubbub.sources.demo.world import DemoWorld, resolve_end

__all__ = ["DemoSource"]


class DemoSource:
    """Emit the demo world for ``workspace``; ``end`` defaults to the current hour (UTC)."""

    name = "demo"

    def __init__(
        self,
        workspace: Workspace,
        seed: int = 7,
        days: int = 90,
        end: datetime | None = None,
        batch_size: int = 1000,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"demo: batch_size must be at least 1, got {batch_size}")
        self.workspace = workspace
        self.seed = seed
        self.days = days
        self.end = resolve_end(end)
        self.batch_size = batch_size
        self._world: DemoWorld | None = None

    @property
    def world(self) -> DemoWorld:
        """The drawn world (drawn on first use, then kept)."""
        if self._world is None:
            self._world = generate_world(self.workspace, self.seed, self.days, self.end)
        return self._world

    def batches(self, cursor: str | None = None) -> Iterator[Batch]:
        """Yield the posts after ``cursor`` in created order; followers go with the first."""
        start = _parse_cursor(cursor)
        world = self.world
        posts = world.posts
        followers = list(world.followers) if start == 0 else []
        if start == len(posts) and followers:
            yield Batch(source=self.name, posts=[], cursor=str(start), followers=followers)
        for i in range(start, len(posts), self.batch_size):
            chunk = posts[i : i + self.batch_size]
            yield Batch(
                source=self.name, posts=chunk, cursor=str(i + len(chunk)), followers=followers
            )
            followers = []


def _parse_cursor(cursor: str | None) -> int:
    if cursor is None or cursor == "":
        return 0
    try:
        value = int(cursor)
    except ValueError:
        value = -1
    if value < 0:
        raise SourceError(f"demo: cursor must be a post count (0 or more), got {cursor!r}")
    return value
