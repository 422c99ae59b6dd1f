"""Many streams against many posts: an index of each stream's necessary terms.

Each compiled stream gets a *need*: a set of keys (a word, a hashtag, a mention's
user part, a URL word, "has coordinates", ...) of which any matching post must
offer at least one. It is derived from the tree: a leaf needs itself, an AND
needs what its most selective child needs, an OR needs the union of its
children's needs. X's standalone rule (checked by the parser) guarantees every
valid query has one. A post then looks up its own keys (one dict lookup per
token) and only the streams found are evaluated in full.

Why a hash index and not Aho-Corasick (pyahocorasick is available): matching is
on whole tokens, so after tokenising the post an exact lookup per token is both
exact and linear in the post's length; Aho-Corasick finds substrings and would
still need word-boundary checks on every hit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hubbub.model import Post, Stream
from hubbub.query.ast import (
    CONJUNCTION_ONLY,
    And,
    BoundingBox,
    Cashtag,
    From,
    Hashtag,
    Keyword,
    MentionOp,
    Node,
    Not,
    Or,
    Phrase,
    PlaceCountry,
    PointRadius,
    To,
    Url,
)
from hubbub.query.errors import QueryError
from hubbub.query.evaluate import PostView, evaluate, matched_terms
from hubbub.query.parser import parse

__all__ = ["CompiledStream", "Matcher", "StreamMatch", "compile_streams", "need"]

Key = tuple[str, str]


@dataclass(frozen=True, slots=True)
class StreamMatch:
    """One stream that matched a post, with the terms to highlight."""

    name: str
    terms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CompiledStream:
    stream: Stream
    tree: Node
    need: frozenset[Key] | None  # None: evaluated for every post


def _best_word(words: tuple[str, ...]) -> str:
    return max(words, key=len)  # longer words are rarer: a cheap selectivity proxy


def need(node: Node) -> frozenset[Key] | None:
    """Keys of which any post matching ``node`` offers at least one; None if unknown."""
    if isinstance(node, Keyword):
        return frozenset({("w", node.word)})
    if isinstance(node, Phrase):
        return frozenset({("w", _best_word(node.words))})
    if isinstance(node, Hashtag):
        return frozenset({("h", node.tag)})
    if isinstance(node, MentionOp):
        return frozenset({("m", node.handle.split("@", 1)[0])})
    if isinstance(node, Cashtag):
        return frozenset({("c", node.tag)})
    if isinstance(node, From):
        return frozenset({("f", node.handle.split("@", 1)[0])})
    if isinstance(node, To):
        return frozenset({("t", node.handle.split("@", 1)[0])})
    if isinstance(node, Url):
        return frozenset({("u", _best_word(node.words))})
    if isinstance(node, PointRadius | BoundingBox):
        return frozenset({("geo", "")})
    if isinstance(node, PlaceCountry):
        return frozenset({("pc", node.code)})
    if isinstance(node, (Not, *CONJUNCTION_ONLY)):
        return None
    if isinstance(node, And):
        options = [n for c in node.children if (n := need(c)) is not None]
        return min(options, key=len) if options else None
    if isinstance(node, Or):
        union: set[Key] = set()
        for c in node.children:
            n = need(c)
            if n is None:
                return None
            union |= n
        return frozenset(union)
    raise TypeError(f"not a query node: {node!r}")


class Matcher:
    """The compiled streams of a workspace; :meth:`match` says which ones a post satisfies."""

    def __init__(self, compiled: Sequence[CompiledStream]) -> None:
        self.streams: tuple[CompiledStream, ...] = tuple(compiled)
        self._index: dict[Key, list[int]] = {}
        self._always: list[int] = []
        for i, cs in enumerate(self.streams):
            if cs.need is None:
                self._always.append(i)
            else:
                for key in cs.need:
                    self._index.setdefault(key, []).append(i)

    def candidates(self, v: PostView) -> list[int]:
        """Indices of the streams the index cannot rule out for this post, in order."""
        found: set[int] = set(self._always)
        index = self._index
        for key in v.index_keys():
            hit = index.get(key)
            if hit is not None:
                found.update(hit)
        return sorted(found)

    def match_view(self, v: PostView) -> list[StreamMatch]:
        out: list[StreamMatch] = []
        for i in self.candidates(v):
            cs = self.streams[i]
            if evaluate(cs.tree, v):
                out.append(StreamMatch(cs.stream.name, matched_terms(cs.tree, v)))
        return out

    def match(self, post: Post) -> list[StreamMatch]:
        """The streams ``post`` matches, in the workspace's order (entities must be filled)."""
        return self.match_view(PostView(post))

    def match_all(self, post: Post) -> list[StreamMatch]:
        """The same answer as :meth:`match` without the index (the reference, for tests)."""
        v = PostView(post)
        return [
            StreamMatch(cs.stream.name, matched_terms(cs.tree, v))
            for cs in self.streams
            if evaluate(cs.tree, v)
        ]


def compile_streams(streams: Sequence[Stream]) -> Matcher:
    """Parse every non-paused stream; a bad query raises QueryError naming its stream."""
    compiled: list[CompiledStream] = []
    for stream in streams:
        if stream.paused:
            continue
        try:
            tree = parse(stream.query)
        except QueryError as err:
            raise err.for_stream(stream.name) from None
        compiled.append(CompiledStream(stream, tree, need(tree)))
    return Matcher(compiled)
