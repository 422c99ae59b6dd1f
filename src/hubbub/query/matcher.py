"""Many streams against many posts: an index of each stream's necessary terms.

Each compiled stream gets a *need*: a set of keys (a word, a hashtag, a mention's
user part, a URL word, "has coordinates", ...) of which any matching post must
offer at least one. It is derived from the tree: a leaf needs itself (a phrase
one of its word pairs, a geo area the one-degree cells it touches), an AND needs
what its rarest-looking child needs, an OR needs the union of its children's
needs. X's standalone rule (checked by the parser) guarantees every
valid query has one. A post then looks up its own keys (a set intersection for
its words) and only the streams found are tested in full, by each stream's tree
compiled to one Python expression (:mod:`hubbub.query.compile`).

Terms to highlight cost far more than the yes/no test (a second pass over the
tree per matched stream, and a result object each), and most callers never show
them: :meth:`Matcher.match_names` (``hubbub query match``) skips them, and
:meth:`Matcher.match_indices` with :meth:`Matcher.terms_of` (the pipeline) works
them out only for the streams a kept post matched. Phrase needs are looked up by
first word, then second, so a post's word pairs are formed only where its first
word starts one.

Why a hash index and not Aho-Corasick (pyahocorasick is available): matching is
on whole tokens, so after tokenising the post an exact lookup per token is both
exact and linear in the post's length; Aho-Corasick finds substrings and would
still need word-boundary checks on every hit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from hubbub.model import Post, Stream
from hubbub.query.ast import (
    CONJUNCTION_ONLY,
    And,
    BoundingBox,
    Cashtag,
    ConversationId,
    From,
    Hashtag,
    InReplyTo,
    Keyword,
    MentionOp,
    Node,
    Not,
    Or,
    Phrase,
    PlaceCountry,
    PlaceOp,
    PointRadius,
    RetweetsOf,
    To,
    Url,
)
from hubbub.query.compile import Collect, Test, compile_terms, compile_test
from hubbub.query.errors import QueryError
from hubbub.query.evaluate import PostView, evaluate, matched_terms
from hubbub.query.parser import MAX_LENGTH, parse
from hubbub.query.tokens import fold

__all__ = [
    "CompiledStream",
    "Matcher",
    "StreamMatch",
    "compile_stream",
    "compile_streams",
    "need",
]

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
    test: Test = field(compare=False, repr=False)  # compile_test(tree)
    terms: Collect = field(compare=False, repr=False)  # compile_terms(tree)


def _rarity(word: str) -> tuple[bool, int]:
    return (word not in _COMMON, len(word))


def cell(lat: float, lon: float) -> str:
    """The one-degree grid cell of a point: the geo index's key."""
    return f"{math.floor(lat)},{math.floor(lon)}"


def _cells(south: float, north: float, west: float, east: float) -> frozenset[Key]:
    """The grid cells an area touches (all geotagged posts when it spans too many)."""
    lats = range(math.floor(max(-90.0, south)), math.floor(min(90.0, north)) + 1)
    lons = range(math.floor(max(-180.0, west)), math.floor(min(180.0, east)) + 1)
    if west < -180.0 or east > 180.0 or len(lats) * len(lons) > 64:
        return frozenset({("geo", "")})
    return frozenset(("geo", f"{a},{o}") for a in lats for o in lons)


def _best_word(words: tuple[str, ...]) -> str:
    return max(words, key=lambda w: (w not in _COMMON, len(w)))  # a rarity proxy


# Very common English words: never the word a rule is indexed by when it has another.
_COMMON = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "is",
        "it",
        "i",
        "my",
        "me",
        "we",
        "you",
        "your",
        "this",
        "that",
        "with",
        "be",
        "are",
        "was",
        "so",
        "but",
        "not",
        "no",
        "just",
        "have",
        "has",
        "had",
        "do",
        "get",
        "got",
        "all",
        "can",
        "will",
        "from",
        "by",
        "as",
        "if",
        "out",
        "up",
        "about",
    ]
)
# How often a key of each kind turns up in a post, roughly: the rarest need wins.
_KIND_COST = {"w": 1.0, "b": 0.4, "u": 1.0, "h": 0.5, "m": 0.5, "c": 0.3, "f": 0.3, "t": 0.3}
_KIND_COST |= {"rt": 0.3, "cv": 0.2, "ir": 0.2, "pl": 1.0, "pc": 3.0, "geo": 1.0}


def _key_cost(key: Key) -> float:
    kind, value = key
    if kind == "w":
        return 20.0 if value in _COMMON else 1.0 + 6.0 / (1 + len(value))
    return _KIND_COST.get(kind, 1.0)


def _need_cost(keys: frozenset[Key]) -> float:
    return sum(_key_cost(k) for k in keys)


def need(node: Node) -> frozenset[Key] | None:
    """Keys of which any post matching ``node`` offers at least one; None if unknown."""
    if isinstance(node, Keyword):
        return frozenset({("w", node.word)})
    if isinstance(node, Phrase):
        if len(node.words) == 1:
            return frozenset({("w", node.words[0])})
        pairs = list(pairwise(node.words))
        a, b = max(pairs, key=lambda ab: min(_rarity(ab[0]), _rarity(ab[1])))
        return frozenset({("b", f"{a} {b}")})  # any post with the phrase has each of its pairs
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
    if isinstance(node, RetweetsOf):
        return frozenset({("rt", node.handle.split("@", 1)[0])})
    if isinstance(node, ConversationId):
        return frozenset({("cv", node.id)})
    if isinstance(node, InReplyTo):
        return frozenset({("ir", node.id)})
    if isinstance(node, PlaceOp):
        return frozenset({("pl", _best_word(node.words)), ("pl", fold(node.text))})
    if isinstance(node, PointRadius):
        dlat = node.radius_km / 110.0
        dlon = dlat / max(0.01, math.cos(math.radians(min(89.0, abs(node.latitude) + dlat))))
        return _cells(
            node.latitude - dlat, node.latitude + dlat, node.longitude - dlon, node.longitude + dlon
        )
    if isinstance(node, BoundingBox):
        return _cells(node.south, node.north, node.west, node.east)
    if isinstance(node, PlaceCountry):
        return frozenset({("pc", node.code)})
    if isinstance(node, (Not, *CONJUNCTION_ONLY)):
        return None
    if isinstance(node, And):
        options = [n for c in node.children if (n := need(c)) is not None]
        return min(options, key=_need_cost) if options else None
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
        self._always: tuple[int, ...] = tuple(
            i for i, cs in enumerate(self.streams) if cs.need is None
        )
        index: dict[str, dict[str, list[int]]] = {}
        for i, cs in enumerate(self.streams):
            for kind, value in cs.need or ():
                index.setdefault(kind, {}).setdefault(value, []).append(i)
        self._index: dict[str, dict[str, tuple[int, ...]]] = {
            kind: {value: tuple(ids) for value, ids in by_value.items()}
            for kind, by_value in index.items()
        }
        self._words: dict[str, tuple[int, ...]] = self._index.get("w", {})
        self._word_keys: frozenset[str] = frozenset(self._words)
        self._tests = tuple(cs.test for cs in self.streams)
        # Phrase needs ("b", "w1 w2") as first word -> second word -> streams, so a post's
        # word pairs are only formed where its first word starts some indexed pair.
        self._pairs: dict[str, dict[str, tuple[int, ...]]] = {}
        for pair, ids in self._index.get("b", {}).items():
            a, b = pair.split(" ", 1)
            self._pairs.setdefault(a, {})[b] = ids
        self._pair_firsts: frozenset[str] = frozenset(self._pairs)
        self._names: tuple[str, ...] = tuple(cs.stream.name for cs in self.streams)

    def _keys(self, v: PostView) -> list[tuple[str, Iterable[str]]]:
        """The post's keys of each kind some stream is indexed by (computed only then)."""
        have = self._index
        post = v.post
        out: list[tuple[str, Iterable[str]]] = []
        if "h" in have:
            out.append(("h", v.hashtags))
        if "m" in have:
            out.append(("m", v.mention_users))
        if "c" in have:
            out.append(("c", v.cashtags))
        if "u" in have and (v.entities.urls or post.media):
            out.append(("u", {t for toks in v.url_tokens for t in toks}))
        if "f" in have and v.author:
            out.append(("f", (v.author.split("@", 1)[0],)))
        if "t" in have and v.reply_to:
            out.append(("t", (v.reply_to.split("@", 1)[0],)))
        if "geo" in have and v.lat is not None and v.lon is not None:
            out.append(("geo", ("", cell(v.lat, v.lon))))
        if "pc" in have and v.country:
            out.append(("pc", (v.country,)))
        if "pl" in have and post.place is not None:
            places = {t for toks in v.place_names for t in toks}
            if v.place_id:
                places.add(fold(v.place_id))
            out.append(("pl", places))
        if "rt" in have and v.reposted:
            out.append(("rt", (v.reposted.split("@", 1)[0],)))
        if "cv" in have:
            out.append(("cv", (post.conversation_id or post.id,)))
        if "ir" in have and post.reply_to:
            out.append(("ir", (post.reply_to,)))
        return out

    def candidates(self, v: PostView) -> list[int]:
        """Indices of the streams the index cannot rule out for this post, in order."""
        found: set[int] = set(self._always)
        words = self._words
        for word in v.token_set & self._word_keys:  # C-speed intersection, then exact hits
            found.update(words[word])
        pairs = self._pairs
        if pairs and not self._pair_firsts.isdisjoint(v.token_set):  # phrases, by word pair
            for a, b in pairwise(v.tokens):
                seconds = pairs.get(a)
                if seconds is not None and (hit := seconds.get(b)) is not None:
                    found.update(hit)
        for kind, values in self._keys(v):
            by_value = self._index[kind]
            for value in values:
                hit = by_value.get(value)
                if hit is not None:
                    found.update(hit)
        return sorted(found)

    def match_indices(self, v: PostView) -> list[int]:
        """Indices (into :attr:`streams`) of the streams the post matches, in order.

        The fast path: no terms, no result objects; see :meth:`terms_of` for the terms.
        """
        tests = self._tests
        token_set, post = v.token_set, v.post
        return [i for i in self.candidates(v) if tests[i](v, token_set, post)]

    def names_of(self, indices: Iterable[int]) -> list[str]:
        """The stream names of ``indices`` (as :meth:`match_indices` returns them)."""
        names = self._names
        return [names[i] for i in indices]

    def match_names_view(self, v: PostView) -> list[str]:
        """The names of the streams the view's post matches, in the workspace's order."""
        names, tests = self._names, self._tests
        token_set, post = v.token_set, v.post
        return [names[i] for i in self.candidates(v) if tests[i](v, token_set, post)]

    def match_names(self, post: Post) -> list[str]:
        """Only the names of the streams ``post`` matches: :meth:`match` without the terms.

        For callers that never highlight (``hubbub query match``, counting); several
        times cheaper than :meth:`match` where a post matches many streams.
        """
        return self.match_names_view(PostView(post))

    def terms_of(self, v: PostView, indices: Iterable[int]) -> tuple[str, ...]:
        """The terms to highlight for the matched streams ``indices``, each once, in order."""
        streams = self.streams
        terms: list[str] = []
        for i in indices:
            streams[i].terms(v, terms)
        return tuple(dict.fromkeys(terms))

    def match_view(self, v: PostView) -> list[StreamMatch]:
        out: list[StreamMatch] = []
        streams, names = self.streams, self._names
        for i in self.match_indices(v):
            terms: list[str] = []
            streams[i].terms(v, terms)
            out.append(StreamMatch(names[i], tuple(dict.fromkeys(terms))))
        return out

    def match(self, post: Post) -> list[StreamMatch]:
        """The streams ``post`` matches, in the workspace's order, with their matched terms.

        Entities must be filled. Where the terms are not needed, :meth:`match_names`
        is the fast path; :meth:`match_indices` plus :meth:`terms_of` computes terms
        only for the streams asked about.
        """
        return self.match_view(PostView(post))

    def match_all(self, post: Post) -> list[StreamMatch]:
        """The same answer as :meth:`match` by walking every tree (the reference, for tests)."""
        v = PostView(post)
        return [
            StreamMatch(cs.stream.name, matched_terms(cs.tree, v))
            for cs in self.streams
            if evaluate(cs.tree, v)
        ]


def compile_stream(stream: Stream, tree: Node) -> CompiledStream:
    """One stream's tree with its index need, compiled test and term collector."""
    return CompiledStream(stream, tree, need(tree), compile_test(tree), compile_terms(tree))


def compile_streams(streams: Sequence[Stream], *, max_length: int = MAX_LENGTH) -> Matcher:
    """Parse every non-paused stream; a bad query raises QueryError naming its stream.

    ``max_length`` is X's length limit to hold each query to (see :func:`parse`).
    """
    compiled: list[CompiledStream] = []
    for stream in streams:
        if stream.paused:
            continue
        try:
            tree = parse(stream.query, max_length=max_length)
        except QueryError as err:
            raise err.for_stream(stream.name) from None
        compiled.append(compile_stream(stream, tree))
    return Matcher(compiled)
