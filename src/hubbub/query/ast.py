"""The typed syntax tree of a query: what the parser builds and the matcher reads.

Frozen, hashable dataclasses so a parsed query can be cached, compared in tests
(``parse("a b OR c") == parse("(a b) OR c")``) and used as a dict key. Each node
keeps the 1-based ``column`` where it starts so later checks (standalone rules)
can point at the right spot; ``column`` is excluded from equality.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, TypeAlias

__all__ = [
    "CONJUNCTION_ONLY",
    "And",
    "BoundingBox",
    "Cashtag",
    "ConversationId",
    "From",
    "Has",
    "Hashtag",
    "InReplyTo",
    "Is",
    "Keyword",
    "Lang",
    "Leaf",
    "MentionOp",
    "MinCount",
    "NetworkOp",
    "Node",
    "Not",
    "Or",
    "Phrase",
    "PlaceCountry",
    "PlaceOp",
    "PointRadius",
    "RetweetsOf",
    "To",
    "Url",
]

IsWhat = Literal["retweet", "reply", "quote", "verified"]
HasWhat = Literal["links", "media", "images", "mentions", "hashtags", "cashtags", "geo"]
MetricName = Literal["likes", "replies", "reposts"]


def _col() -> int:
    return field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Keyword:
    """One whole word or emoji (already case-folded); matches it as a word or a hashtag."""

    word: str
    column: int = _col()


@dataclass(frozen=True, slots=True)
class Phrase:
    """A run of whole words, in order (``"west asheville"``, or a bare ``coca-cola``)."""

    words: tuple[str, ...]
    text: str = field(default="", compare=False)  # as typed, for highlighting
    column: int = _col()


@dataclass(frozen=True, slots=True)
class Hashtag:
    tag: str  # case-folded, without '#'
    column: int = _col()


@dataclass(frozen=True, slots=True)
class MentionOp:
    handle: str  # case-folded, without the leading '@'; may be 'user@instance'
    column: int = _col()


@dataclass(frozen=True, slots=True)
class Cashtag:
    tag: str  # case-folded, without '$'
    column: int = _col()


@dataclass(frozen=True, slots=True)
class From:
    handle: str
    column: int = _col()


@dataclass(frozen=True, slots=True)
class To:
    handle: str
    column: int = _col()


@dataclass(frozen=True, slots=True)
class RetweetsOf:
    """A repost of a post by ``handle`` (X's ``retweets_of:``)."""

    handle: str
    column: int = _col()


@dataclass(frozen=True, slots=True)
class ConversationId:
    """A post in the conversation (thread) started by post ``id``."""

    id: str
    column: int = _col()


@dataclass(frozen=True, slots=True)
class InReplyTo:
    """A direct reply to post ``id`` (X's ``in_reply_to_tweet_id:``)."""

    id: str
    column: int = _col()


@dataclass(frozen=True, slots=True)
class Url:
    words: tuple[str, ...]  # the value's tokens, matched as a run in a URL's tokens
    text: str = field(default="", compare=False)
    column: int = _col()


@dataclass(frozen=True, slots=True)
class Lang:
    code: str
    column: int = _col()


@dataclass(frozen=True, slots=True)
class NetworkOp:
    network: str
    column: int = _col()


@dataclass(frozen=True, slots=True)
class Is:
    what: IsWhat
    column: int = _col()


@dataclass(frozen=True, slots=True)
class Has:
    what: HasWhat
    column: int = _col()


@dataclass(frozen=True, slots=True)
class PlaceOp:
    """A post tagged with a place whose name has these words in order, or with this place id."""

    words: tuple[str, ...]  # the value's tokens (case-folded)
    text: str = field(default="", compare=False)  # as typed: also compared with the place id
    column: int = _col()


@dataclass(frozen=True, slots=True)
class PlaceCountry:
    code: str  # upper-case ISO 3166-1 alpha-2
    column: int = _col()


@dataclass(frozen=True, slots=True)
class PointRadius:
    longitude: float
    latitude: float
    radius_km: float
    column: int = _col()


@dataclass(frozen=True, slots=True)
class BoundingBox:
    west: float
    south: float
    east: float
    north: float
    column: int = _col()


@dataclass(frozen=True, slots=True)
class MinCount:
    metric: MetricName
    minimum: int
    column: int = _col()


@dataclass(frozen=True, slots=True)
class Not:
    child: Node
    column: int = _col()


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]
    column: int = _col()


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]
    column: int = _col()


Leaf: TypeAlias = (
    Keyword
    | Phrase
    | Hashtag
    | MentionOp
    | Cashtag
    | From
    | To
    | RetweetsOf
    | ConversationId
    | InReplyTo
    | Url
    | Lang
    | NetworkOp
    | Is
    | Has
    | PlaceOp
    | PlaceCountry
    | PointRadius
    | BoundingBox
    | MinCount
)
Node: TypeAlias = Leaf | Not | And | Or

#: Operators that, as on X, cannot stand alone: a query needs a positive standalone
#: operator (keyword, phrase, #, @, $, from:, to:, url:, retweets_of:, conversation_id:,
#: in_reply_to_tweet_id:, place/geo) beside them.
CONJUNCTION_ONLY: tuple[type, ...] = (Lang, NetworkOp, Is, Has, MinCount)
