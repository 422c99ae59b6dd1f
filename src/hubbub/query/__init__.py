"""The standing-search language: X API v2 rules, parsed to a typed tree and matched on posts.

``parse(q)`` gives the tree or raises :class:`QueryError` (message and column);
``compile_streams(streams)`` gives a :class:`Matcher` whose ``match(post)`` says
which streams a post satisfies and which terms matched. See docs/query-language.md.
"""

from __future__ import annotations

from hubbub.query.ast import Node
from hubbub.query.errors import QueryError
from hubbub.query.evaluate import PostView, evaluate, matched_terms
from hubbub.query.geo import haversine_km
from hubbub.query.matcher import Matcher, StreamMatch, compile_streams
from hubbub.query.parser import (
    LENGTH_LIMITS,
    MAX_LENGTH,
    SEARCH_MAX_LENGTH,
    STREAM_MAX_LENGTH,
    parse,
)
from hubbub.query.tokens import fold, tokenize

__all__ = [
    "LENGTH_LIMITS",
    "MAX_LENGTH",
    "SEARCH_MAX_LENGTH",
    "STREAM_MAX_LENGTH",
    "Matcher",
    "Node",
    "PostView",
    "QueryError",
    "StreamMatch",
    "compile_streams",
    "evaluate",
    "fold",
    "haversine_km",
    "matched_terms",
    "parse",
    "tokenize",
]
