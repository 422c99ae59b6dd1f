"""The pipeline: one pure function from a batch of posts to the workspace's mentions.

``process(batch, workspace)`` runs entities -> match -> insight with no I/O, so
every runner (live listener, file import, demo, the Dask backfill) calls the same
code (DESIGN.md, "The flow"). Its one side effect: it fills ``post.entities`` in
place where it is None, so the store saves the entities it matched on.

The workspace's compiled :class:`~hubbub.query.Matcher` is cached by its tuple of
(frozen, hashable) streams, so a listener calling ``process`` once per batch
parses its queries once, and an edited stream simply compiles anew.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from hubbub.insight.analyse import analyse
from hubbub.insight.sentiment import sentiments
from hubbub.insight.who import History
from hubbub.model import Mention, Post, Stream, Workspace
from hubbub.query import Matcher, PostView, compile_streams
from hubbub.text import extract_entities

__all__ = ["fill_entities", "matcher_for", "process"]


@lru_cache(maxsize=128)
def matcher_for(streams: tuple[Stream, ...]) -> Matcher:
    """The compiled matcher of these streams (cached); QueryError names a bad stream."""
    return compile_streams(streams)


def fill_entities(post: Post) -> Post:
    """Extract ``post``'s entities where they are still None; returns the same post."""
    if post.entities is None:
        post.entities = extract_entities(post.text)
    return post


def process(
    batch: Sequence[Post], workspace: Workspace, history: History | None = None
) -> list[Mention]:
    """A Mention (with its Insight) for each post that a non-paused stream matched.

    ``history``: the authors' earlier mentions of the workspace, keyed by (network,
    author id), where the runner read them from the store; without it no author is
    a ``customer`` or ``fan`` (the pipeline itself reads nothing).

    Mentions come in batch order; a post repeated in the batch (same network and
    id) counts once, as its first occurrence. Raises QueryError, naming the
    stream, if one of the workspace's queries is invalid.
    """
    matcher = matcher_for(tuple(workspace.streams))
    seen: set[tuple[str, str]] = set()
    matched: list[tuple[Post, tuple[str, ...], tuple[str, ...], tuple[str, ...] | None]] = []
    for post in batch:
        fill_entities(post)
        if post.key in seen:
            continue
        seen.add(post.key)
        view = PostView(post)
        hits = matcher.match_indices(view)  # the fast path; terms only for the streams hit
        if not hits:
            continue
        # The view's tokens are the text's own where no link was blanked out of it.
        words = None if view.entities.urls else view.tokens
        matched.append((post, tuple(matcher.names_of(hits)), matcher.terms_of(view, hits), words))
    # Sentiment for the whole batch in one call: its model scores a batch faster per post.
    feelings = sentiments([post.text for post, _, _, _ in matched])
    return [
        Mention(
            workspace=workspace.slug,
            post=post,
            streams=streams,
            insight=analyse(
                post,
                workspace,
                terms,
                feeling,
                history.get((post.network, post.author.id), ()) if history else (),
                words,
            ),
        )
        for (post, streams, terms, words), feeling in zip(matched, feelings, strict=True)
    ]
