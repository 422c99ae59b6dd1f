"""Recursive-descent parser for the X API v2 rule language (search and filtered stream).

Grammar (AND by juxtaposition binds tighter than OR, as X documents)::

    query   := or_expr EOF
    or_expr := and_expr ("OR" and_expr)*
    and_expr:= unary+
    unary   := "-" unary | primary
    primary := "(" or_expr ")" | TERM | "PHRASE" | name:value

After parsing, X's standalone rule is checked: ``is:``, ``has:``, ``lang:``,
``network:`` and ``min_*:`` only narrow a match, so a query (and each side of an
OR) needs a positive standalone term beside them, and cannot be only negations.
"""

from __future__ import annotations

import math
from typing import cast, get_args

import regex

from hubbub.query.ast import (
    CONJUNCTION_ONLY,
    And,
    BoundingBox,
    Cashtag,
    ConversationId,
    From,
    Has,
    Hashtag,
    HasWhat,
    InReplyTo,
    Is,
    IsWhat,
    Keyword,
    Lang,
    MentionOp,
    MetricName,
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
from hubbub.query.errors import QueryError
from hubbub.query.lexer import Tok, lex
from hubbub.query.tokens import fold, tokenize

__all__ = [
    "LENGTH_LIMITS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "SEARCH_MAX_LENGTH",
    "STREAM_MAX_LENGTH",
    "describe",
    "parse",
]

#: X's length limit for a filtered-stream rule (and Pro-tier search queries).
STREAM_MAX_LENGTH = 1024
#: X's length limit for a recent-search query on the self-serve (Basic) tier.
SEARCH_MAX_LENGTH = 512
#: The default: a stream rule, since hubbub's streams are standing searches.
MAX_LENGTH = STREAM_MAX_LENGTH
#: The limits by name, for options such as ``hubbub query check --limit search``.
LENGTH_LIMITS: dict[str, int] = {"stream": STREAM_MAX_LENGTH, "search": SEARCH_MAX_LENGTH}
#: Deepest nesting of parentheses and negations; far beyond any real rule, and it
#: keeps the recursive parser and evaluator well inside Python's recursion limit.
MAX_DEPTH = 64

NETWORK_NAMES = ("x", "mastodon", "bluesky", "rss")
_IS_ALIASES: dict[str, str] = {"repost": "retweet"}
_HASHTAG = regex.compile(r"[\p{L}\p{M}\p{N}_]+")
_HANDLE = regex.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*(?:@[A-Za-z0-9][A-Za-z0-9.\-]*)?")
_CASHTAG = regex.compile(r"[A-Za-z]{1,6}(?:[._][A-Za-z]{1,2})?")
_LANG = regex.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
_POST_ID = regex.compile(r"[A-Za-z0-9][A-Za-z0-9_.:/\-]*")  # X/Mastodon: digits; others vary
_RADIUS = regex.compile(r"(\d+(?:\.\d+)?)(km|mi)")


def parse(query: str, *, standalone: bool = True, max_length: int = MAX_LENGTH) -> Node:
    """Parse ``query`` into its syntax tree; raise :class:`QueryError` with the column.

    ``standalone=False`` skips X's standalone rule, to evaluate a fragment such as
    ``is:reply`` on its own (previews, tests); stream queries always keep it.
    ``max_length`` is X's limit to hold the query to: :data:`STREAM_MAX_LENGTH`
    (1,024, the default) or :data:`SEARCH_MAX_LENGTH` (512, recent search).
    """
    if len(query) > max_length:
        raise QueryError(
            f"query is {len(query):,} characters long; the limit is {max_length:,}",
            max_length + 1,
            query=query,
        )
    toks = lex(query)
    if not toks:
        raise QueryError("empty query: give at least one term to match", 1, query=query)
    p = _Parser(query, toks)
    node = p.or_expr()
    if p.i < len(toks):
        tok = toks[p.i]
        # The only token or_expr stops at without consuming is a stray ')'.
        raise QueryError("unbalanced parenthesis: ')' has no matching '('", tok.column, query=query)
    if standalone:
        _check_standalone(node, query)
    return node


class _Parser:
    def __init__(self, query: str, toks: list[Tok]) -> None:
        self.q = query
        self.toks = toks
        self.i = 0
        self.depth = 0

    def _peek(self) -> Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def _err(self, message: str, column: int) -> QueryError:
        return QueryError(message, column, query=self.q)

    def or_expr(self) -> Node:
        first = self._peek()
        if first is not None and first.kind == "OR":
            raise self._err("OR needs a term before it", first.column)
        parts = [self.and_expr()]
        while (tok := self._peek()) is not None and tok.kind == "OR":
            self.i += 1
            nxt = self._peek()
            if nxt is None or nxt.kind in ("OR", "RPAREN"):
                raise self._err("OR needs a term after it", tok.column)
            parts.append(self.and_expr())
        if len(parts) == 1:
            return parts[0]
        flat: list[Node] = []
        for part in parts:
            flat.extend(part.children if isinstance(part, Or) else (part,))
        return Or(tuple(flat), column=_column(parts[0]))

    def and_expr(self) -> Node:
        parts: list[Node] = []
        while (tok := self._peek()) is not None and tok.kind not in ("OR", "RPAREN"):
            parts.append(self.unary())
        if not parts:  # or_expr and the OR checks guarantee at least one term
            tok = self._peek()
            raise self._err("expected a term", tok.column if tok else len(self.q) + 1)
        if len(parts) == 1:
            return parts[0]
        flat: list[Node] = []
        for part in parts:
            flat.extend(part.children if isinstance(part, And) else (part,))
        return And(tuple(flat), column=_column(parts[0]))

    def unary(self) -> Node:
        tok = self.toks[self.i]
        if tok.kind in ("NOT", "LPAREN"):
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise self._err(f"nested more than {MAX_DEPTH} levels deep", tok.column)
            try:
                return self._unary(tok)
            finally:
                self.depth -= 1
        return self.primary()

    def _unary(self, tok: Tok) -> Node:
        if tok.kind == "NOT":
            self.i += 1
            nxt = self._peek()
            if nxt is None or nxt.kind in ("OR", "RPAREN"):
                raise self._err("'-' must be followed directly by the term it negates", tok.column)
            if nxt.kind == "NOT":
                raise self._err("a term can be negated only once", nxt.column)
            return Not(self.unary(), column=tok.column)
        return self.primary()

    def primary(self) -> Node:
        tok = self.toks[self.i]
        self.i += 1
        if tok.kind == "LPAREN":
            nxt = self._peek()
            if nxt is None:
                raise self._err("unbalanced parenthesis: '(' is never closed", tok.column)
            if nxt.kind == "RPAREN":
                raise self._err("empty parentheses", tok.column)
            inner = self.or_expr()
            close = self._peek()
            if close is None or close.kind != "RPAREN":
                raise self._err("unbalanced parenthesis: '(' is never closed", tok.column)
            self.i += 1
            return inner
        if tok.kind == "TERM":
            return self._term(tok)
        if tok.kind == "PHRASE":
            words = tuple(tokenize(tok.text))
            if not words:
                raise self._err("empty phrase: put words between the quotes", tok.column)
            return Phrase(words, text=tok.text, column=tok.column)
        if tok.kind == "OP":
            return self._operator(tok)
        # RPAREN / OR are consumed by the callers; reaching here is a parser bug.
        raise self._err(f"unexpected {tok.text!r}", tok.column)

    def _term(self, tok: Tok) -> Node:
        text, col = tok.text, tok.column
        sigil, rest = text[0], text[1:]
        if sigil == "#":
            if not _HASHTAG.fullmatch(rest):
                raise self._err(f"invalid hashtag {text!r}: letters, digits and _ only", col)
            return Hashtag(fold(rest), column=col)
        if sigil == "@":
            if not _HANDLE.fullmatch(rest):
                raise self._err(f"invalid mention {text!r}: expected @user or @user@instance", col)
            return MentionOp(fold(rest), column=col)
        if sigil == "$" and rest and not rest[0].isdigit():
            if not _CASHTAG.fullmatch(rest):
                raise self._err(f"invalid cashtag {text!r}: expected letters like $AAPL", col)
            return Cashtag(fold(rest), column=col)
        words = tokenize(text)
        if not words:
            raise self._err(f"{text!r} has no letters, digits or emoji to match", col)
        if len(words) == 1:
            return Keyword(words[0], column=col)
        return Phrase(tuple(words), text=text, column=col)

    def _operator(self, tok: Tok) -> Node:
        name, value, col, vcol = tok.name, tok.text, tok.column, tok.value_column
        if name in ("from", "to"):
            handle = value[1:] if value.startswith("@") else value
            if not _HANDLE.fullmatch(handle):
                raise self._err(f"{name}: needs a user name, got {value!r}", vcol)
            return (
                From(fold(handle), column=col) if name == "from" else To(fold(handle), column=col)
            )
        if name == "url":
            words = tuple(tokenize(value))
            if not words:
                raise self._err("url: needs part of a link to match", vcol)
            return Url(words, text=value, column=col)
        if name == "retweets_of":
            handle = value[1:] if value.startswith("@") else value
            if not _HANDLE.fullmatch(handle):
                raise self._err(f"retweets_of: needs a user name, got {value!r}", vcol)
            return RetweetsOf(fold(handle), column=col)
        if name in ("conversation_id", "in_reply_to_tweet_id"):
            if not _POST_ID.fullmatch(value):
                raise self._err(f"{name}: needs a post id like 1453489038376132611", vcol)
            if name == "conversation_id":
                return ConversationId(value, column=col)
            return InReplyTo(value, column=col)
        if name == "place":
            words = tuple(tokenize(value))
            if not words:
                raise self._err('place: needs a place name like "asheville" or a place id', vcol)
            return PlaceOp(words, text=value, column=col)
        if name == "lang":
            if not _LANG.fullmatch(value):
                raise self._err(f"lang: needs a BCP 47 language code like en, got {value!r}", vcol)
            return Lang(value.lower(), column=col)
        if name == "network":
            net = value.lower()
            if net not in NETWORK_NAMES:
                raise self._err(f"network: must be one of {', '.join(NETWORK_NAMES)}", vcol)
            return NetworkOp(net, column=col)
        if name == "is":
            what = _IS_ALIASES.get(value.lower(), value.lower())
            if what not in get_args(IsWhat):
                raise self._err(f"is: must be one of {', '.join(get_args(IsWhat))}", vcol)
            return Is(cast(IsWhat, what), column=col)
        if name == "has":
            what = value.lower()
            if what not in get_args(HasWhat):
                raise self._err(f"has: must be one of {', '.join(get_args(HasWhat))}", vcol)
            return Has(cast(HasWhat, what), column=col)
        if name == "place_country":
            if not regex.fullmatch(r"[A-Za-z]{2}", value):
                raise self._err("place_country: needs a two-letter ISO country code like US", vcol)
            return PlaceCountry(value.upper(), column=col)
        if name == "point_radius":
            return self._point_radius(value, col, vcol)
        if name == "bounding_box":
            return self._bounding_box(value, col, vcol)
        # min_likes / min_replies / min_reposts
        if not value.isdigit():
            raise self._err(f"{name}: needs a whole number, got {value!r}", vcol)
        metric = cast(MetricName, name.removeprefix("min_"))
        return MinCount(metric, int(value), column=col)

    def _bracket(self, name: str, value: str, count: int, vcol: int, shape: str) -> list[str]:
        if not (value.startswith("[") and value.endswith("]")):
            raise self._err(f"{name}: needs {shape} in square brackets", vcol)
        parts = value[1:-1].split()
        if len(parts) != count:
            raise self._err(f"{name}: needs {shape}, got {len(parts)} values", vcol)
        return parts

    def _coord(self, name: str, text: str, limit: float, what: str, vcol: int) -> float:
        try:
            val = float(text)
        except ValueError:
            raise self._err(f"{name}: {what} {text!r} is not a number", vcol) from None
        if not math.isfinite(val) or abs(val) > limit:
            raise self._err(f"{name}: {what} {text} is outside -{limit:g}..{limit:g}", vcol)
        return val

    def _point_radius(self, value: str, col: int, vcol: int) -> PointRadius:
        name = "point_radius"
        lon_s, lat_s, rad_s = self._bracket(name, value, 3, vcol, "[longitude latitude radius]")
        lon = self._coord(name, lon_s, 180.0, "longitude", vcol)
        lat = self._coord(name, lat_s, 90.0, "latitude", vcol)
        m = _RADIUS.fullmatch(rad_s.lower())
        if m is None:
            raise self._err(f"{name}: radius {rad_s!r} must be a number with km or mi", vcol)
        radius = float(m.group(1)) * (1.609344 if m.group(2) == "mi" else 1.0)
        if radius <= 0:
            raise self._err(f"{name}: radius must be more than 0", vcol)
        return PointRadius(lon, lat, radius, column=col)

    def _bounding_box(self, value: str, col: int, vcol: int) -> BoundingBox:
        name = "bounding_box"
        w_s, s_s, e_s, n_s = self._bracket(name, value, 4, vcol, "[west south east north]")
        west = self._coord(name, w_s, 180.0, "west longitude", vcol)
        south = self._coord(name, s_s, 90.0, "south latitude", vcol)
        east = self._coord(name, e_s, 180.0, "east longitude", vcol)
        north = self._coord(name, n_s, 90.0, "north latitude", vcol)
        if west >= east or south >= north:
            raise self._err(f"{name}: needs west < east and south < north", vcol)
        return BoundingBox(west, south, east, north, column=col)


def _column(node: Node) -> int:
    return node.column


def describe(node: Node) -> str:
    """A short source-like rendering of a leaf, for messages (``is:reply``, ``lang:en``)."""
    if isinstance(node, Is):
        return f"is:{node.what}"
    if isinstance(node, Has):
        return f"has:{node.what}"
    if isinstance(node, Lang):
        return f"lang:{node.code}"
    if isinstance(node, NetworkOp):
        return f"network:{node.network}"
    if isinstance(node, MinCount):
        return f"min_{node.metric}:{node.minimum}"
    return type(node).__name__.lower()


def _standalone(node: Node) -> bool:
    """True where ``node`` alone can select posts (X's 'standalone' operators)."""
    if isinstance(node, (Not, *CONJUNCTION_ONLY)):
        return False
    if isinstance(node, And):
        return any(_standalone(c) for c in node.children)
    if isinstance(node, Or):
        return all(_standalone(c) for c in node.children)
    return True


def _has_positive(node: Node) -> bool:
    if isinstance(node, Not):
        return False
    if isinstance(node, And | Or):
        return any(_has_positive(c) for c in node.children)
    return True


def _check_standalone(node: Node, query: str) -> None:
    if _standalone(node):
        return
    if not _has_positive(node):
        raise QueryError(
            "a query cannot be only negations: add a term to match (e.g. bakery -spam)",
            node.column,
            query=query,
        )
    message, column = _why_not_standalone(node)
    raise QueryError(message, column, query=query)


def _why_not_standalone(node: Node) -> tuple[str, int]:
    beside = "put a keyword, phrase, #hashtag, @mention or other standalone operator beside it"
    if isinstance(node, Not):
        return f"a negation cannot stand alone: {beside}", node.column
    if isinstance(node, CONJUNCTION_ONLY):
        return f"{describe(node)} cannot stand alone: {beside}", node.column
    if isinstance(node, And):
        for child in node.children:
            if isinstance(child, CONJUNCTION_ONLY):
                return _why_not_standalone(child)
        for child in node.children:
            if not isinstance(child, Not):
                return _why_not_standalone(child)
        return f"a group of only negations cannot stand alone: {beside}", node.column
    if isinstance(node, Or):
        for child in node.children:
            if not _standalone(child):
                return _why_not_standalone(child)
    return f"this part cannot stand alone: {beside}", node.column
