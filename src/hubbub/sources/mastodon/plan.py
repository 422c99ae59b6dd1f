"""Which Mastodon feeds a workspace's streams need: tag timelines, searches, the public timeline.

Mastodon has no query language like X's: it has a timeline per hashtag, a full-text
search of statuses (``/api/v2/search?type=statuses``, with a token, on instances with
search enabled, and only over posts whose authors allow it) and the public timeline.
So each stream is reduced to terms that any post it matches must contain, and the
pipeline, which runs the full query on every post, decides what really matches:

- ``#tag`` becomes the tag timeline ``/api/v1/timelines/tag/tag``;
- a keyword, a phrase or an ``@mention`` becomes a search, when the client has a token;
- an AND needs only one of its parts fetched (every match contains it), so the part
  with the fewest terms is taken; an OR needs all of its parts; a NOT, a language,
  ``has:`` and the like are filters that name nothing to fetch;
- what is left (``url:`` OR'ed with words, a stream of filters only, or words
  without a token to search them) is covered by the public timeline, local by
  default, filtered by the pipeline.

Fetching more than matches is fine (the pipeline drops it); fetching less is what
this module is careful to avoid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from hubbub.model import Stream
from hubbub.query import QueryError, parse
from hubbub.query.ast import And, Hashtag, Keyword, MentionOp, NetworkOp, Node, Not, Or, Phrase
from hubbub.sources.base import SourceError

__all__ = ["Feed", "FeedKind", "plan_feeds", "stream_terms"]

FeedKind = Literal["tag", "search", "public"]


@dataclass(frozen=True, slots=True)
class Feed:
    """One thing to read: a tag timeline, a search, or the public timeline.

    ``value`` is the tag (without ``#``), the search text, or the public timeline's
    scope: ``local``, ``remote`` or ``all``.
    """

    kind: FeedKind
    value: str

    @property
    def key(self) -> str:
        """The feed's name in the cursor, e.g. ``tag:sourdough``."""
        return f"{self.kind}:{self.value}"


def _terms(node: Node) -> tuple[frozenset[str], bool]:
    """Terms one of which posts matching ``node`` contain, and whether that holds for all.

    An incomplete answer (False) means some matches may contain none of the terms
    (``url:…`` OR a word): the terms are still worth fetching, and the public
    timeline covers the rest.
    """
    if isinstance(node, Hashtag):
        return frozenset({f"#{node.tag}"}), True
    if isinstance(node, Keyword):
        return frozenset({node.word}), True
    if isinstance(node, Phrase):
        return frozenset({'"' + " ".join(node.words) + '"'}), True
    if isinstance(node, MentionOp):
        return frozenset({f"@{node.handle}"}), True
    if isinstance(node, Or):
        union: set[str] = set()
        complete = True
        for child in node.children:
            found, whole = _terms(child)
            union |= found
            complete = complete and whole
        return frozenset(union), complete
    if isinstance(node, And):
        options = [t for t, whole in (_terms(c) for c in node.children) if whole and t]
        if options:
            return min(options, key=lambda t: (len(t), sorted(t))), True
        return frozenset(), False
    return frozenset(), False  # Not, filters, from:, url:, geo: nothing to ask Mastodon for


def _excludes_mastodon(node: Node) -> bool:
    """Whether the query says ``network:`` something else (or ``-network:mastodon``)."""
    if isinstance(node, NetworkOp):
        return node.network != "mastodon"
    if isinstance(node, Not):
        return isinstance(node.child, NetworkOp) and node.child.network == "mastodon"
    if isinstance(node, And):
        return any(_excludes_mastodon(c) for c in node.children)
    return False


def stream_terms(stream: Stream) -> tuple[frozenset[str], bool]:
    """The terms to fetch for ``stream`` and whether they cover all its matches.

    A stream limited to another network gives ``(frozenset(), True)``: nothing to fetch.
    """
    try:
        node = parse(stream.query)
    except QueryError as exc:
        raise SourceError(f"mastodon: stream {stream.name!r}: {exc}") from None
    if _excludes_mastodon(node):
        return frozenset(), True
    return _terms(node)


def plan_feeds(
    streams: Sequence[Stream], *, can_search: bool, public: str | None = "local"
) -> list[Feed]:
    """The feeds that cover every active stream, tags first, without duplicates.

    ``public`` is the public timeline's scope for streams nothing else covers
    (``None``: leave them out).
    """
    tags: dict[str, None] = {}
    searches: dict[str, None] = {}
    need_public = False
    for stream in streams:
        if stream.paused:
            continue
        terms, complete = stream_terms(stream)
        need_public = need_public or not complete
        for term in sorted(terms):
            if term.startswith("#"):
                tags.setdefault(term[1:], None)
            elif can_search:
                searches.setdefault(term, None)
            else:
                need_public = True
    feeds = [Feed("tag", t) for t in tags] + [Feed("search", s) for s in searches]
    if need_public and public is not None:
        feeds.append(Feed("public", public))
    return feeds
