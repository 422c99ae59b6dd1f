"""What the Streams form says about a query as it is typed: valid or where it breaks.

:func:`check_query` parses and compiles a query with :mod:`hubbub.query` and returns a
plain :class:`QueryCheck`: the error with its column (and the query cut around it,
for a caret under the spot), or the terms the query looks for and leaves out, and its
length against X's two limits (512 for a recent search on the Basic tier, 1,024 for a
filtered-stream rule). A stream query is held to 1,024: hubbub splits a longer-than-512
query into several searches when it fetches from X.
"""

from __future__ import annotations

from dataclasses import dataclass

from hubbub.model import Stream
from hubbub.query import (
    SEARCH_MAX_LENGTH,
    STREAM_MAX_LENGTH,
    Node,
    QueryError,
    compile_streams,
    parse,
)
from hubbub.query.ast import (
    And,
    BoundingBox,
    Cashtag,
    ConversationId,
    From,
    Hashtag,
    InReplyTo,
    Keyword,
    MentionOp,
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
from hubbub.query.parser import describe

__all__ = ["QueryCheck", "check_query", "term_of"]

CONTEXT = 60  # characters of the query shown on each side of an error's caret


@dataclass(frozen=True, slots=True)
class QueryCheck:
    """A query's check: ``error`` empty when valid.

    ``before``/``at``/``after`` cut the query at the error's column (``at`` is the
    character the caret points at, a space past the end; at most :data:`CONTEXT`
    characters on each side); ``column`` is 1-based.
    """

    query: str
    error: str = ""
    column: int | None = None
    before: str = ""
    at: str = ""
    after: str = ""
    includes: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        return not self.error

    @property
    def length(self) -> int:
        return len(self.query.strip())

    @property
    def fits_search(self) -> bool:
        return self.length <= SEARCH_MAX_LENGTH

    @property
    def fits_stream(self) -> bool:
        return self.length <= STREAM_MAX_LENGTH


def term_of(node: Node) -> str:
    """A leaf written back as a user would type it (``#avl``, ``"west asheville"``)."""
    if isinstance(node, Keyword):
        return node.word
    if isinstance(node, Phrase):
        return f'"{node.text or " ".join(node.words)}"'
    if isinstance(node, Hashtag):
        return f"#{node.tag}"
    if isinstance(node, MentionOp):
        return f"@{node.handle}"
    if isinstance(node, Cashtag):
        return f"${node.tag}"
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
    if isinstance(node, Url):
        return f"url:{node.text or ' '.join(node.words)}"
    if isinstance(node, PlaceOp):
        return f"place:{node.text or ' '.join(node.words)}"
    if isinstance(node, PlaceCountry):
        return f"place_country:{node.code}"
    if isinstance(node, PointRadius):
        return f"point_radius:[{node.longitude:g} {node.latitude:g} {node.radius_km:g}km]"
    if isinstance(node, BoundingBox):
        return f"bounding_box:[{node.west:g} {node.south:g} {node.east:g} {node.north:g}]"
    return describe(node)


def _terms(node: Node, negated: bool, inc: list[str], exc: list[str]) -> None:
    if isinstance(node, (And, Or)):
        for child in node.children:
            _terms(child, negated, inc, exc)
    elif isinstance(node, Not):
        _terms(node.child, not negated, inc, exc)
    else:
        (exc if negated else inc).append(term_of(node))


def check_query(query: str) -> QueryCheck:
    """Parse and compile ``query`` as a stream query (X's 1,024-character limit)."""
    text = query.strip()
    try:
        tree = parse(text, max_length=STREAM_MAX_LENGTH)
        compile_streams([Stream("check", text)])
    except QueryError as err:
        column = err.column
        if column is None:
            return QueryCheck(query=text, error=err.message)
        i = min(column - 1, len(text))
        return QueryCheck(
            query=text,
            error=err.message,
            column=column,
            before=text[:i] if i <= CONTEXT else "…" + text[i - CONTEXT : i],
            at=text[i : i + 1] or " ",
            after=text[i + 1 : i + 1 + CONTEXT] + ("…" if len(text) > i + 1 + CONTEXT else ""),
        )
    inc: list[str] = []
    exc: list[str] = []
    _terms(tree, False, inc, exc)
    return QueryCheck(
        query=text,
        includes=tuple(dict.fromkeys(inc)),
        excludes=tuple(dict.fromkeys(exc)),
    )
