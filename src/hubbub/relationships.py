"""Customers and fans at ingest: the pipeline with the batch authors' history from the store.

:func:`hubbub.pipeline.process` reads nothing, so it only learns that an author is
a ``customer`` or ``fan`` when a runner hands it their earlier mentions.
:func:`remembering` wraps it into a processor of the shape
:func:`hubbub.listen.ingest` takes (``processor=remembering(store)``): before each
batch it reads the history of the batch's authors in one query
(:func:`hubbub.store.history.author_history`) and passes it on. A workspace not
stored yet has no history, so its first batch is processed as before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from hubbub.model import Mention, Post, Workspace
from hubbub.pipeline import process
from hubbub.store import Store, workspace_id
from hubbub.store.history import author_history

__all__ = ["remembering"]


def remembering(store: Store) -> Callable[[Sequence[Post], Workspace], list[Mention]]:
    """A processor: :func:`~hubbub.pipeline.process` with the authors' stored history."""

    def run(posts: Sequence[Post], workspace: Workspace) -> list[Mention]:
        if not posts:
            return process(posts, workspace)
        with store.connect() as conn:
            ws_id = workspace_id(conn, workspace.slug)
            history = (
                author_history(
                    conn,
                    ws_id,
                    {(p.network, p.author.id) for p in posts},
                    max(p.created for p in posts),
                )
                if ws_id is not None
                else {}
            )
        return process(posts, workspace, history)

    return run
