"""Match stored posts again after a stream is made or its query changes.

A stream only sees posts that arrive after it exists; "create a stream and see its
mentions" needs it to look back too. :func:`rematch` runs the named streams over the
stored posts of a window (30 days by default), in batches of ``batch_size`` posts,
one transaction a batch:

- a post the streams match that is already a mention of the workspace gets the new
  stream links only (its insight does not change with a stream, so it is not
  recomputed; its highlighted terms are those of the streams that matched it first);
- a post that is not yet a mention goes through :func:`hubbub.pipeline.process` with
  every active stream of the workspace, exactly as a listener would have processed
  it, and is written with :func:`hubbub.store.write_batch`; the inbox triages it in
  the same transaction (the listener's rule).

Mentions that a stream's old query matched stay linked after an edit (as in
:mod:`hubbub.store.write`: a stream that matched a post once stays recorded).

:func:`preview` answers the Streams page's "would have matched N of the last M
stored posts" without writing anything.

Stored posts are all the store's posts (see :mod:`hubbub.store.stored_posts`); on a
network whose search returns only matching posts (X), a new query finds only what
other queries brought in: a backfill (``hubbub fetch x --since``) fetches the rest.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hubbub.inbox import triage
from hubbub.model import Batch, Mention, Post, Stream, Workspace
from hubbub.pipeline import fill_entities, matcher_for, process
from hubbub.query import PostView
from hubbub.store import Store, load_workspace, workspace_id, write_batch
from hubbub.store.stored_posts import latest_posts, link_stream, mention_ids, posts_since
from hubbub.store.streams import active_streams, stream_ids

__all__ = [
    "DEFAULT_DAYS",
    "PREVIEW_POSTS",
    "Preview",
    "Processor",
    "RematchError",
    "RematchReport",
    "preview",
    "rematch",
]

DEFAULT_DAYS = 30
PREVIEW_POSTS = 2000
SOURCE = "rematch"

Processor = Callable[[Sequence[Post], Workspace], Sequence[Mention]]


class RematchError(LookupError):
    """The workspace or a stream to rematch is not stored; one line."""


@dataclass(frozen=True, slots=True)
class RematchReport:
    """What one :func:`rematch` did over its window."""

    streams: tuple[str, ...]
    days: int
    posts_scanned: int
    matched: int  # posts the streams matched
    linked: int  # mentions that were already stored and gained a stream
    mentions_new: int  # posts that became mentions
    elapsed: float  # seconds
    #: where to go on (``before_id``) when the time budget ran out; None: all done
    resume_before: int | None = None

    def summary(self) -> str:
        """One sentence for the page and the command line."""
        names = ", ".join(repr(n) for n in self.streams)
        which = "" if self.resume_before is None else "the newest "
        return (
            f"Matched {self.matched:,} of {which}{self.posts_scanned:,} stored posts of "
            f"the last {self.days} days for {names}: {self.mentions_new:,} new mentions, "
            f"{self.linked:,} existing mentions linked ({self.elapsed:.1f} s)."
        )


def _hits(
    posts: Sequence[tuple[int, Post]], streams: tuple[Stream, ...]
) -> list[tuple[int, Post, list[str]]]:
    matcher = matcher_for(streams)
    found = []
    for pid, post in posts:
        view = PostView(fill_entities(post))
        hits = matcher.match_indices(view)
        if hits:
            found.append((pid, post, matcher.names_of(hits)))
    return found


def rematch(
    store: Store,
    slug: str,
    names: Sequence[str],
    *,
    days: int = DEFAULT_DAYS,
    batch_size: int = 500,
    now: datetime | None = None,
    before_id: int | None = None,
    budget: float | None = None,
    processor: Processor | None = None,
    progress: Callable[[int], None] | None = None,
) -> RematchReport:
    """Run the streams ``names`` of workspace ``slug`` over its stored posts of ``days``.

    Posts go newest first. With ``budget`` (seconds), no batch starts once it is
    spent: the report's ``resume_before`` then says where a second call (``before_id``)
    goes on, so the web matches the newest posts at once and the rest in the
    background. Paused streams match nothing. ``processor`` replaces
    :func:`hubbub.pipeline.process` (tests); ``progress(n)`` is told the posts scanned
    after each batch. Raises
    :class:`RematchError` for an unknown workspace or stream, and QueryError should a
    stored query be invalid (the store refuses those).
    """
    if days < 1:
        raise RematchError("the window must be at least 1 day")
    started = time.perf_counter()
    process_ = processor or process
    since = (now or datetime.now(UTC)) - timedelta(days=days)
    with store.connect() as conn:
        ws_id = workspace_id(conn, slug)
        stored = load_workspace(conn, slug)
        if ws_id is None or stored is None:
            raise RematchError(f"no workspace {slug!r} is stored")
        active = active_streams(conn, ws_id)
        ids = stream_ids(conn, ws_id, names)
    missing = [n for n in names if n not in ids]
    if missing:
        raise RematchError(f"no stream {missing[0]!r} in workspace {slug!r}")
    workspace = dataclasses.replace(stored, streams=active)
    targets = tuple(s for s in active if s.name in ids)
    scanned = matched = linked = made = 0
    before = before_id
    resume: int | None = None
    while targets:
        if budget is not None and scanned and time.perf_counter() - started > budget:
            resume = before
            break
        with store.connect() as conn:
            page = posts_since(conn, since, before_id=before, limit=batch_size)
        if not page:
            break
        before = page[-1][0]
        scanned += len(page)
        found = _hits(page, targets)
        matched += len(found)
        if found:
            with store.begin() as conn:
                known = mention_ids(conn, ws_id, [pid for pid, _, _ in found])
                by_stream: dict[str, list[int]] = {}
                fresh: list[Post] = []
                for pid, post, hit_names in found:
                    if pid in known:
                        for name in hit_names:
                            by_stream.setdefault(name, []).append(known[pid])
                    else:
                        fresh.append(post)
                for name, mids in by_stream.items():
                    linked += link_stream(conn, ids[name], mids)
                if fresh:
                    mentions = process_(fresh, workspace)
                    made += write_batch(conn, ws_id, Batch(SOURCE, []), mentions).mentions_new
                    if mentions:
                        times = [m.post.created for m in mentions]
                        triage(conn, ws_id, since=min(times), until=max(times), now=now)
        if progress is not None:
            progress(len(page))
    return RematchReport(
        streams=tuple(names),
        days=days,
        posts_scanned=scanned,
        matched=matched,
        linked=linked,
        mentions_new=made,
        elapsed=time.perf_counter() - started,
        resume_before=resume,
    )


@dataclass(frozen=True, slots=True)
class Preview:
    """How a query fares on the latest stored posts: ``matched`` of ``scanned``."""

    scanned: int
    matched: int
    samples: tuple[Post, ...]


def preview(store: Store, query: str, *, posts: int = PREVIEW_POSTS, samples: int = 3) -> Preview:
    """Run ``query`` (valid: see :func:`hubbub.query.parse`) over the latest stored posts.

    Nothing is written; the samples are the newest matching posts.
    """
    with store.connect() as conn:
        latest = latest_posts(conn, posts)
    found = _hits(list(enumerate(latest)), (Stream("preview", query),))
    return Preview(
        scanned=len(latest),
        matched=len(found),
        samples=tuple(post for _, post, _ in found[:samples]),
    )
