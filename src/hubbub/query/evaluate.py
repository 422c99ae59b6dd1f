"""The plain evaluator: does one query's tree match one post, and which terms did.

A post is first turned into a :class:`PostView` (its tokens, entity sets, folded
handles, coordinates), computed once and shared by every stream, so each leaf
test is a set lookup. This evaluator is also the reference the indexed
:class:`~hubbub.query.matcher.Matcher` is property-tested against.

Semantics (docs/query-language.md has examples):
- keywords and phrases match whole tokens of the text (URLs masked out), so a
  keyword also matches the same word as a hashtag (``avl`` matches ``#AVL``);
- ``#tag``, ``$tag`` match entities exactly (case-insensitive), as on X;
- ``@user`` matches a mention whose text is ``user`` or ``user@instance``;
  ``@user@instance`` only the full form. The same rule serves from: and to:.
"""

from __future__ import annotations

from functools import cached_property

import regex

from hubbub.model import Entities, Post
from hubbub.query.ast import (
    And,
    BoundingBox,
    Cashtag,
    From,
    Has,
    Hashtag,
    Is,
    Keyword,
    Lang,
    MentionOp,
    MinCount,
    NetworkOp,
    Node,
    Not,
    Or,
    Phrase,
    PlaceCountry,
    PointRadius,
    To,
    Url,
)
from hubbub.query.geo import haversine_km
from hubbub.query.tokens import fold, tokenize

__all__ = ["PostView", "evaluate", "handle_matches", "matched_terms", "view"]

# Fediverse (user@instance) and Bluesky (name.bsky.social) handles, which
# twitter-text's @mention rule (letters, digits, _ up to 20) cuts short.
_LONG_HANDLE = regex.compile(
    r"(?<![\w@])@([A-Za-z0-9_][A-Za-z0-9_.\-]*[A-Za-z0-9_]"
    r"(?:@[A-Za-z0-9][A-Za-z0-9.\-]*[A-Za-z0-9])?)"
)
_VISUAL_MEDIA = frozenset({"photo", "video", "animated_gif"})


def handle_matches(query_handle: str, handle: str) -> bool:
    """``user`` matches ``user`` and ``user@instance``; ``user@instance`` only itself."""
    return handle == query_handle or handle.startswith(query_handle + "@")


def _fold_handle(handle: str | None) -> str:
    return fold(handle.removeprefix("@")) if handle else ""


class PostView:
    """What the matcher needs of a post, computed once: folded tokens, entity sets, geo."""

    def __init__(self, post: Post) -> None:
        if post.entities is None:
            raise ValueError(
                f"post {post.network}:{post.id} has no entities: run "
                "hubbub.text.extract_entities first (hubbub.pipeline.process does)"
            )
        self.post = post
        ents: Entities = post.entities
        text = post.text
        if ents.urls:  # mask links so 'com' or 'https' never match as words
            chars = list(text)
            for span in ents.urls:
                chars[span.start : span.end] = " " * (span.end - span.start)
            text_for_words = "".join(chars)
        else:
            text_for_words = text
        self.tokens: tuple[str, ...] = tuple(tokenize(text_for_words))
        self.token_set: frozenset[str] = frozenset(self.tokens)
        self.hashtags: frozenset[str] = frozenset(fold(s.text) for s in ents.hashtags)
        mentions: set[str] = set()
        long_at: set[int] = set()
        if "@" in text:
            for m in _LONG_HANDLE.finditer(text):
                handle = m.group(1)
                if "@" in handle or "." in handle:  # twitter-text cut it short
                    mentions.add(fold(handle.rstrip(".")))
                    long_at.add(m.start())
        mentions.update(_fold_handle(s.text) for s in ents.mentions if s.start not in long_at)
        self.mentions: frozenset[str] = frozenset(mentions)
        self.cashtags: frozenset[str] = frozenset(fold(s.text) for s in ents.cashtags)
        urls = [s.text for s in ents.urls]
        urls.extend(m.url for m in post.media if m.kind == "link_card" and m.url)
        self.url_tokens: tuple[tuple[str, ...], ...] = tuple(tuple(tokenize(u)) for u in urls)
        self.author: str = _fold_handle(post.author.handle)
        self.reply_to: str = _fold_handle(post.reply_to_handle or ents.reply)
        self.language: str = (post.language or "").lower()
        place = post.place
        self.country: str = place.country_code.upper() if place else ""
        self.lat: float | None = place.latitude if place else None
        self.lon: float | None = place.longitude if place else None
        self.has_geo: bool = place is not None and (
            bool(place.name or place.full_name) or self.lat is not None
        )

    @cached_property
    def positions(self) -> dict[str, list[int]]:
        """Token -> the indices where it occurs, for phrase matching."""
        out: dict[str, list[int]] = {}
        for i, tok in enumerate(self.tokens):
            out.setdefault(tok, []).append(i)
        return out

    def has_run(self, words: tuple[str, ...]) -> bool:
        if len(words) == 1:
            return words[0] in self.token_set
        if not all(w in self.token_set for w in words):
            return False
        n = len(words)
        toks = self.tokens
        return any(toks[i : i + n] == words for i in self.positions[words[0]])

    def index_keys(self) -> set[tuple[str, str]]:
        """The prefilter keys this post offers (see :mod:`hubbub.query.matcher`)."""
        keys: set[tuple[str, str]] = {("w", t) for t in self.token_set}
        keys.update(("h", t) for t in self.hashtags)
        keys.update(("m", m.split("@", 1)[0]) for m in self.mentions)
        keys.update(("c", t) for t in self.cashtags)
        keys.update(("u", t) for toks in self.url_tokens for t in toks)
        if self.author:
            keys.add(("f", self.author.split("@", 1)[0]))
        if self.reply_to:
            keys.add(("t", self.reply_to.split("@", 1)[0]))
        if self.lat is not None and self.lon is not None:
            keys.add(("geo", ""))
        if self.country:
            keys.add(("pc", self.country))
        return keys


def view(post: Post) -> PostView:
    """The :class:`PostView` of ``post`` (whose entities must be filled)."""
    return PostView(post)


def _run_in(words: tuple[str, ...], seq: tuple[str, ...]) -> bool:
    n = len(words)
    return any(seq[i : i + n] == words for i in range(len(seq) - n + 1))


def _leaf(node: Node, v: PostView) -> bool:
    post = v.post
    if isinstance(node, Keyword):
        return node.word in v.token_set
    if isinstance(node, Phrase):
        return v.has_run(node.words)
    if isinstance(node, Hashtag):
        return node.tag in v.hashtags
    if isinstance(node, MentionOp):
        return any(handle_matches(node.handle, m) for m in v.mentions)
    if isinstance(node, Cashtag):
        return node.tag in v.cashtags
    if isinstance(node, From):
        return bool(v.author) and handle_matches(node.handle, v.author)
    if isinstance(node, To):
        return bool(v.reply_to) and handle_matches(node.handle, v.reply_to)
    if isinstance(node, Url):
        return any(_run_in(node.words, toks) for toks in v.url_tokens)
    if isinstance(node, Lang):
        return v.language == node.code or v.language.startswith(node.code + "-")
    if isinstance(node, NetworkOp):
        return post.network == node.network
    if isinstance(node, Is):
        if node.what == "retweet":
            return bool(post.repost_of)
        if node.what == "reply":
            return bool(post.reply_to or post.reply_to_handle)
        if node.what == "quote":
            return bool(post.quote_of)
        return post.author.verified is True
    if isinstance(node, Has):
        return _has(node, v)
    if isinstance(node, PlaceCountry):
        return v.country == node.code
    if isinstance(node, PointRadius):
        if v.lat is None or v.lon is None:
            return False
        return haversine_km(v.lat, v.lon, node.latitude, node.longitude) <= node.radius_km
    if isinstance(node, BoundingBox):
        if v.lat is None or v.lon is None:
            return False
        return node.south <= v.lat <= node.north and node.west <= v.lon <= node.east
    if isinstance(node, MinCount):
        count = getattr(post.metrics, node.metric)
        return count is not None and count >= node.minimum
    raise TypeError(f"not a query node: {node!r}")


def _has(node: Has, v: PostView) -> bool:
    what, post = node.what, v.post
    if what == "links":
        return bool(v.url_tokens)
    if what == "media":
        return any(m.kind in _VISUAL_MEDIA for m in post.media)
    if what == "images":
        return any(m.kind == "photo" for m in post.media)
    if what == "mentions":
        return bool(v.mentions)
    if what == "hashtags":
        return bool(v.hashtags)
    if what == "cashtags":
        return bool(v.cashtags)
    return v.has_geo


def evaluate(node: Node, v: PostView) -> bool:
    """True where the query ``node`` matches the post behind ``v``."""
    if isinstance(node, And):
        return all(evaluate(c, v) for c in node.children)
    if isinstance(node, Or):
        return any(evaluate(c, v) for c in node.children)
    if isinstance(node, Not):
        return not evaluate(node.child, v)
    return _leaf(node, v)


def _term(node: Node) -> str | None:
    if isinstance(node, Keyword):
        return node.word
    if isinstance(node, Phrase):
        return node.text or " ".join(node.words)
    if isinstance(node, Hashtag):
        return "#" + node.tag
    if isinstance(node, MentionOp):
        return "@" + node.handle
    if isinstance(node, Cashtag):
        return "$" + node.tag
    if isinstance(node, Url):
        return node.text
    return None


def matched_terms(node: Node, v: PostView) -> tuple[str, ...]:
    """The text terms (keywords, phrases, #, @, $, url:) that made ``node`` match, in order.

    Only positive terms in satisfied branches count; negated ones never do.
    """
    out: list[str] = []
    _collect(node, v, out)
    return tuple(dict.fromkeys(out))


def _collect(node: Node, v: PostView, out: list[str]) -> bool:
    if isinstance(node, And):
        ok = all(evaluate(c, v) for c in node.children)
        if ok:
            for c in node.children:
                _collect(c, v, out)
        return ok
    if isinstance(node, Or):
        hit = False
        for c in node.children:
            hit = _collect(c, v, out) or hit
        return hit
    if isinstance(node, Not):
        return not evaluate(node.child, v)
    ok = _leaf(node, v)
    if ok and (term := _term(node)) is not None:
        out.append(term)
    return ok
