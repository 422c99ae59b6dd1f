"""A workspace's streams as X queries and rules, within X's length limits.

hubbub's query language is X's rule language plus a few operators X does not have
(``network:``, ``min_likes:`` and friends, ``@user@instance`` mentions of other
networks). A stream's query is parsed and rendered back for X with those parts
resolved: ``network:x`` is always true and ``network:mastodon`` never, and operators
X lacks are dropped so the X query matches *at least* what the stream does; the
pipeline's matcher runs the full query on every post afterwards, so over-fetching
is filtered out and nothing the stream wants is missed.

X limits a recent-search query to 512 characters and a stream rule to 1,024. A
longer query is split on its top-level ``OR`` (or the ``OR`` group of a top-level
``AND``, repeating the rest beside each part); one that cannot be split under the
limit is an error naming the stream.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from hubbub.model import Stream
from hubbub.query import QueryError, parse
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
from hubbub.sources.base import SourceError

__all__ = [
    "RULE_LIMIT",
    "SEARCH_LIMIT",
    "StreamQuery",
    "render",
    "split_query",
    "stream_queries",
]

SEARCH_LIMIT: Final = 512
RULE_LIMIT: Final = 1024
_X_HANDLE = re.compile(r"[A-Za-z0-9_]{1,15}")
_BARE = re.compile(r"[\w]+", re.UNICODE)
_MAX_RADIUS_KM = 40.0  # X's point_radius may be at most 25 miles


class _Const:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


#: exactly true on X (``network:x``), exactly false (another network), or an
#: operator X lacks (treated as true inside AND and OR, so the query only widens)
TRUE, FALSE, UNKNOWN = _Const("TRUE"), _Const("FALSE"), _Const("UNKNOWN")
_Part = _Const | Node


@dataclass(frozen=True, slots=True)
class StreamQuery:
    """One X query (or rule value) for a stream; a long stream gives several, numbered."""

    stream: str
    part: int  # 1-based; 1 when the stream needs one query
    query: str


#: the leaves X has an operator for, rendered by :func:`_leaf`; any other leaf (one
#: hubbub adds later) is UNKNOWN, which only widens the X query
_X_LEAVES: Final = (
    Keyword,
    Phrase,
    Hashtag,
    Cashtag,
    MentionOp,
    From,
    To,
    RetweetsOf,
    ConversationId,
    InReplyTo,
    Url,
    Lang,
    Is,
    Has,
    PlaceOp,
    PlaceCountry,
    PointRadius,
    BoundingBox,
)


def _simplify(node: Node) -> _Part:
    """The tree with X-only truths resolved: TRUE, FALSE, UNKNOWN or an X-renderable node."""
    if isinstance(node, NetworkOp):
        return TRUE if node.network == "x" else FALSE
    if isinstance(node, MentionOp | From | To | RetweetsOf):
        return node if _X_HANDLE.fullmatch(node.handle) else FALSE
    if isinstance(node, Not):
        inner = _simplify(node.child)
        if inner is TRUE:
            return FALSE
        if inner is FALSE:
            return TRUE
        if inner is UNKNOWN:
            return UNKNOWN
        assert not isinstance(inner, _Const)
        return Not(inner)
    if isinstance(node, And):
        kept: list[Node] = []
        for child in node.children:
            part = _simplify(child)
            if part is FALSE:
                return FALSE
            if not isinstance(part, _Const):
                kept.append(part)
        if not kept:
            return UNKNOWN
        return kept[0] if len(kept) == 1 else And(tuple(kept))
    if isinstance(node, Or):
        alts: list[Node] = []
        for child in node.children:
            part = _simplify(child)
            if part is TRUE or part is UNKNOWN:
                return UNKNOWN
            if not isinstance(part, _Const):
                alts.append(part)
        if not alts:
            return FALSE
        return alts[0] if len(alts) == 1 else Or(tuple(alts))
    return node if isinstance(node, _X_LEAVES) else UNKNOWN  # e.g. min_likes: X has none


def _word(word: str) -> str:
    if _BARE.fullmatch(word) and word.upper() not in ("OR", "AND"):
        return word
    return '"' + word.replace('"', "") + '"'


def render(node: Node) -> str:
    """An X-renderable node as X query text (AND by juxtaposition, OR groups in brackets)."""
    if isinstance(node, Or):
        return " OR ".join(render(c) for c in node.children)
    if isinstance(node, And):
        return " ".join(f"({render(c)})" if isinstance(c, Or) else render(c) for c in node.children)
    if isinstance(node, Not):
        inner = render(node.child)
        return f"-({inner})" if isinstance(node.child, And | Or) else f"-{inner}"
    return _leaf(node)


def _leaf(node: Node) -> str:
    if isinstance(node, Keyword):
        return _word(node.word)
    if isinstance(node, Phrase):
        text = (node.text or " ".join(node.words)).replace('"', "").strip()
        return f'"{text}"'
    if isinstance(node, Hashtag):
        return f"#{node.tag}"
    if isinstance(node, Cashtag):
        return f"${node.tag}"
    if isinstance(node, MentionOp):
        return f"@{node.handle}"
    if isinstance(node, From):
        return f"from:{node.handle}"
    if isinstance(node, To):
        return f"to:{node.handle}"
    if isinstance(node, RetweetsOf):
        return f"retweets_of:{node.handle}"
    if isinstance(node, ConversationId):
        return f"conversation_id:{node.id}"
    if isinstance(node, InReplyTo):
        return f"in_reply_to_tweet_id:{node.id}"
    if isinstance(node, PlaceOp):
        name = (node.text or " ".join(node.words)).replace('"', "").strip()
        return f"place:{name}" if _BARE.fullmatch(name) else f'place:"{name}"'
    if isinstance(node, Url):
        return f'url:"{node.text.replace(chr(34), "")}"'
    if isinstance(node, Lang):
        return f"lang:{node.code}"
    if isinstance(node, Is):
        return f"is:{node.what}"
    if isinstance(node, Has):
        return f"has:{node.what}"
    if isinstance(node, PlaceCountry):
        return f"place_country:{node.code}"
    if isinstance(node, PointRadius):
        radius = min(node.radius_km, _MAX_RADIUS_KM)
        return f"point_radius:[{node.longitude:g} {node.latitude:g} {radius:g}km]"
    if isinstance(node, BoundingBox):
        return f"bounding_box:[{node.west:g} {node.south:g} {node.east:g} {node.north:g}]"
    raise TypeError(f"cannot render {type(node).__name__} for X")


def _pack(alternatives: Sequence[str], limit: int, wrap: str = "{}") -> list[str] | None:
    """Greedily group OR alternatives so each ``wrap``-ped group fits; None if one cannot."""
    groups: list[str] = []
    current = ""
    for alt in alternatives:
        joined = f"{current} OR {alt}" if current else alt
        if len(wrap.format(joined)) <= limit:
            current = joined
            continue
        if not current or len(wrap.format(alt)) > limit:
            return None
        groups.append(wrap.format(current))
        current = alt
    if current:
        groups.append(wrap.format(current))
    return groups


def split_query(node: Node, limit: int) -> list[str] | None:
    """X query texts, each at most ``limit`` characters, that together match ``node``.

    ``None`` when the node cannot be split that small.
    """
    text = render(node)
    if len(text) <= limit:
        return [text]
    if isinstance(node, Or):
        return _pack([render(c) for c in node.children], limit)
    if isinstance(node, And):
        groups = [c for c in node.children if isinstance(c, Or)]
        if not groups:
            return None
        widest = max(groups, key=lambda g: len(render(g)))
        rest = [render(c) if not isinstance(c, Or) else f"({render(c)})" for c in node.children]
        rest_text = " ".join(r for c, r in zip(node.children, rest, strict=True) if c is not widest)
        wrap = "({}) " + rest_text.replace("{", "{{").replace("}", "}}")
        return _pack([render(c) for c in widest.children], limit, wrap)
    return None


def stream_queries(streams: Sequence[Stream], limit: int = SEARCH_LIMIT) -> list[StreamQuery]:
    """The X queries for a workspace's streams: paused and other-network streams left out.

    Raises :class:`SourceError` naming the stream when its query cannot be used on X.
    """
    out: list[StreamQuery] = []
    for stream in streams:
        if stream.paused:
            continue
        try:
            node = parse(stream.query)
        except QueryError as exc:
            raise SourceError(f"x: stream {stream.name!r}: {exc}") from None
        simple = _simplify(node)
        if simple is FALSE:
            continue  # e.g. network:mastodon: nothing to ask X for
        if isinstance(simple, _Const):
            raise SourceError(
                f"x: stream {stream.name!r}: without the operators X lacks its query would "
                "match every post; add a keyword, #hashtag or @mention"
            )
        parts = split_query(simple, limit)
        if parts is None:
            raise SourceError(
                f"x: stream {stream.name!r}: its query is {len(render(simple)):,} characters "
                f"for X and cannot be split into parts of at most {limit}; shorten it or "
                "split it into several streams"
            )
        out.extend(StreamQuery(stream.name, i, q) for i, q in enumerate(parts, start=1))
    return out
