"""The plain evaluator: does one query's tree match one post, and which terms did.

A post is first turned into a :class:`~hubbub.query.view.PostView` (its tokens,
entity sets, folded handles, coordinates), computed once and shared by every
stream, so each leaf test is a set lookup. This module walks the tree node by
node, as plainly as possible: the compiled matcher (:mod:`hubbub.query.compile`)
turns each tree into Python code for speed, and this evaluator is what it is
checked against (property tests, ``Matcher.match_all``).

Semantics (docs/query-language.md has examples):
- keywords and phrases match whole tokens of the text (URLs masked out), so a
  keyword also matches the same word as a hashtag (``avl`` matches ``#AVL``);
- ``#tag``, ``$tag`` match entities exactly (case-insensitive), as on X;
- ``@user`` matches a mention whose text is ``user`` or ``user@instance``;
  ``@user@instance`` only the full form. The same rule serves from: and to:.
"""

from __future__ import annotations

from hubbub.model import Post
from hubbub.query.ast import (
    And,
    BoundingBox,
    Cashtag,
    ConversationId,
    From,
    Has,
    Hashtag,
    InReplyTo,
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
    PlaceOp,
    PointRadius,
    RetweetsOf,
    To,
    Url,
)
from hubbub.query.geo import haversine_km
from hubbub.query.view import PostView, handle_matches, run_in

__all__ = ["PostView", "evaluate", "handle_matches", "matched_terms", "view"]

_VISUAL_MEDIA = frozenset({"photo", "video", "animated_gif"})


def view(post: Post) -> PostView:
    """The :class:`PostView` of ``post`` (whose entities must be filled)."""
    return PostView(post)


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
        return any(run_in(node.words, toks) for toks in v.url_tokens)
    if isinstance(node, RetweetsOf):
        return bool(v.reposted) and handle_matches(node.handle, v.reposted)
    if isinstance(node, ConversationId):
        return (post.conversation_id or post.id) == node.id
    if isinstance(node, InReplyTo):
        return post.reply_to == node.id
    if isinstance(node, PlaceOp):
        if v.place_id and v.place_id == node.text:
            return True
        return any(run_in(node.words, toks) for toks in v.place_names)
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
