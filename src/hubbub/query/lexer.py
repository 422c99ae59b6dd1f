"""Split a query into tokens, each with the 1-based column it starts at.

The grammar is small enough that a hand-written scanner gives better error
columns than a parser generator would: every error names the exact spot
(an unclosed quote points at the quote, an unknown operator at its name).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import regex

from hubbub.query.errors import QueryError

__all__ = ["OPERATORS", "Tok", "lex"]

TokKind = Literal["LPAREN", "RPAREN", "OR", "NOT", "TERM", "PHRASE", "OP"]

#: Operator names the language knows (``name:value``); aliases map to a canonical name.
OPERATORS: dict[str, str] = {
    "from": "from",
    "to": "to",
    "url": "url",
    "retweets_of": "retweets_of",
    "conversation_id": "conversation_id",
    "in_reply_to_tweet_id": "in_reply_to_tweet_id",
    "in_reply_to_status_id": "in_reply_to_tweet_id",
    "place": "place",
    "lang": "lang",
    "network": "network",
    "is": "is",
    "has": "has",
    "place_country": "place_country",
    "point_radius": "point_radius",
    "bounding_box": "bounding_box",
    "min_likes": "min_likes",
    "min_faves": "min_likes",
    "min_replies": "min_replies",
    "min_reposts": "min_reposts",
    "min_retweets": "min_reposts",
}

_OP_NAME = regex.compile(r"([A-Za-z_]+):")
_BARE_END = frozenset(' \t\r\n()"')


@dataclass(frozen=True, slots=True)
class Tok:
    kind: TokKind
    text: str  # the term, the phrase's content, or the operator's value
    column: int
    name: str = ""  # operator name (canonical) for OP
    value_column: int = 0  # where an OP's value starts
    quoted: bool = False  # an OP whose value was in quotes


def _read_quoted(query: str, i: int) -> tuple[str, int]:
    """Read a "..." string starting at ``query[i] == '"'``; return (content, next index)."""
    out: list[str] = []
    j = i + 1
    while j < len(query):
        ch = query[j]
        if ch == "\\" and j + 1 < len(query) and query[j + 1] in '"\\':
            out.append(query[j + 1])
            j += 2
            continue
        if ch == '"':
            return "".join(out), j + 1
        out.append(ch)
        j += 1
    raise QueryError('unterminated quote: add the closing "', i + 1, query=query)


def _read_bare(query: str, i: int) -> int:
    j = i
    while j < len(query) and query[j] not in _BARE_END:
        j += 1
    return j


def lex(query: str) -> list[Tok]:
    """The tokens of ``query``; raises :class:`QueryError` on a lexical error."""
    toks: list[Tok] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        col = i + 1
        if ch.isspace():
            i += 1
        elif ch == "(":
            toks.append(Tok("LPAREN", ch, col))
            i += 1
        elif ch == ")":
            toks.append(Tok("RPAREN", ch, col))
            i += 1
        elif ch == '"':
            text, i = _read_quoted(query, i)
            toks.append(Tok("PHRASE", text, col))
        elif ch == "-":
            if i + 1 >= n or query[i + 1].isspace() or query[i + 1] == ")":
                raise QueryError(
                    "'-' must be followed directly by the term it negates", col, query=query
                )
            toks.append(Tok("NOT", ch, col))
            i += 1
        else:
            m = _OP_NAME.match(query, i)
            if m is not None:
                toks.append(_read_operator(query, i, m.group(1), m.end()))
                i = _op_end(query, m.end())
                continue
            j = _read_bare(query, i)
            word = query[i:j]
            if word == "OR":
                toks.append(Tok("OR", word, col))
            elif word == "AND":
                raise QueryError(
                    "AND is implicit: put terms side by side (a b), or use OR", col, query=query
                )
            else:
                toks.append(Tok("TERM", word, col))
            i = j
    return toks


def _op_end(query: str, vstart: int) -> int:
    """Index just past an operator's value starting at ``vstart``."""
    if vstart < len(query) and query[vstart] == '"':
        return _read_quoted(query, vstart)[1]
    if vstart < len(query) and query[vstart] == "[":
        return query.index("]", vstart) + 1
    return _read_bare(query, vstart)


def _read_operator(query: str, i: int, name: str, vstart: int) -> Tok:
    col = i + 1
    canonical = OPERATORS.get(name.lower())
    if canonical is None:
        hint = " (to match a link, use url:)" if name.lower() in ("http", "https") else ""
        known = ", ".join(f"{k}:" for k in OPERATORS)
        raise QueryError(
            f"unknown operator '{name}:'{hint}; known operators are {known}", col, query=query
        )
    vcol = vstart + 1
    if vstart < len(query) and query[vstart] == '"':
        value, _ = _read_quoted(query, vstart)
        return Tok("OP", value, col, canonical, vcol, quoted=True)
    if vstart < len(query) and query[vstart] == "[":
        end = query.find("]", vstart)
        if end < 0:
            raise QueryError(f"{name}: has an unclosed '['", vcol, query=query)
        return Tok("OP", query[vstart : end + 1], col, canonical, vcol)
    value = query[vstart : _read_bare(query, vstart)]
    if not value:
        raise QueryError(f"{name}: needs a value right after the colon", col, query=query)
    return Tok("OP", value, col, canonical, vcol)
