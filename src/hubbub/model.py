"""The vocabulary of hubbub (see DESIGN.md) as plain typed dataclasses.

Every stage of the pipeline passes these between each other, so they are the
contract of the whole code base. This module imports nothing of hubbub, and no
other module defines a vocabulary word of its own.

Conventions that hold everywhere:
- ``network`` is one of :data:`NETWORKS`; ``id`` is the network's own (native) id,
  always a string, so a post is identified by ``(network, id)``.
- Datetimes are timezone-aware and in UTC; views convert to the workspace's zone.
- Entity indices count Unicode code points (Python ``str`` indices), exactly as
  twitter-text's conformance suite does.
- Counts a network does not give are ``None`` (missing), never ``0``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, get_args

__all__ = [
    "GOALS",
    "INBOX_STATES",
    "INTENTS",
    "NETWORKS",
    "POST_TYPES",
    "RELATIONSHIPS",
    "ROLES",
    "SENTIMENT_LABELS",
    "STREAM_KINDS",
    "WINDOWED_KINDS",
    "Account",
    "Audit",
    "Batch",
    "Competitor",
    "Draft",
    "Entities",
    "Extent",
    "Goal",
    "GoalName",
    "How",
    "InboxItem",
    "InboxState",
    "Insight",
    "Intent",
    "Locale",
    "Media",
    "MediaFile",
    "Mention",
    "Metrics",
    "Network",
    "Place",
    "Post",
    "PostType",
    "Provenance",
    "Published",
    "Relationship",
    "Role",
    "Sentiment",
    "SentimentLabel",
    "Span",
    "Stream",
    "StreamKind",
    "TeamMember",
    "TrackedLink",
    "Uploaded",
    "What",
    "When",
    "Where",
    "Who",
    "Why",
    "Workspace",
]

Network = Literal["x", "mastodon", "bluesky", "rss"]
NETWORKS: tuple[str, ...] = get_args(Network)

StreamKind = Literal["brand", "competitor", "locale", "industry", "event", "campaign"]
STREAM_KINDS: tuple[str, ...] = get_args(StreamKind)
#: the kinds of stream that may have a window (``Stream.starts``/``ends``)
WINDOWED_KINDS: tuple[str, ...] = ("event", "campaign")

SentimentLabel = Literal["negative", "neutral", "positive"]
SENTIMENT_LABELS: tuple[str, ...] = get_args(SentimentLabel)

Intent = Literal[
    "question",
    "complaint",
    "praise",
    "recommendation_request",
    "purchase_intent",
    "spam_promo",
    "other",
]
INTENTS: tuple[str, ...] = get_args(Intent)

PostType = Literal["original", "reply", "quote", "repost"]
POST_TYPES: tuple[str, ...] = get_args(PostType)

Relationship = Literal["business", "staff", "competitor", "customer", "fan", "new"]
RELATIONSHIPS: tuple[str, ...] = get_args(Relationship)

InboxState = Literal["new", "assigned", "replied", "done", "ignored"]
INBOX_STATES: tuple[str, ...] = get_args(InboxState)

Role = Literal["owner", "manager", "staff"]
ROLES: tuple[str, ...] = get_args(Role)

GoalName = Literal[
    "traffic", "promotions", "leads", "visits", "events", "customer_service", "loyalty"
]
GOALS: tuple[str, ...] = get_args(GoalName)


# --- accounts and posts -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Account:
    """A person or organisation on a network."""

    network: str
    id: str
    handle: str
    name: str = ""
    bio: str = ""
    location: str = ""
    url: str = ""
    followers: int | None = None
    following: int | None = None
    posts: int | None = None
    listed: int | None = None
    created: datetime | None = None
    verified: bool | None = None
    default_avatar: bool | None = None
    default_profile: bool | None = None


@dataclass(frozen=True, slots=True)
class Span:
    """One entity: its text without the sigil (``#``, ``@``, ``$``) and its indices."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Entities:
    """Hashtags, mentions, URLs and cashtags, as twitter-text extracts them."""

    hashtags: tuple[Span, ...] = ()
    mentions: tuple[Span, ...] = ()
    urls: tuple[Span, ...] = ()
    cashtags: tuple[Span, ...] = ()
    reply: str | None = None  # the screen name a reply starts with, if any


@dataclass(frozen=True, slots=True)
class Metrics:
    """Public metrics; ``None`` where the network does not say."""

    likes: int | None = None
    reposts: int | None = None
    replies: int | None = None
    quotes: int | None = None
    impressions: int | None = None


@dataclass(frozen=True, slots=True)
class Place:
    name: str = ""
    full_name: str = ""
    country_code: str = ""
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True, slots=True)
class Media:
    kind: str  # photo, video, animated_gif, link_card
    url: str = ""
    alt: str = ""


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a raw payload came from, so posts can be re-processed later."""

    source: str  # e.g. "demo", "file:tweets.jsonl", "x:recent-search"
    url: str = ""  # the URL or file path it was read from
    retrieved: datetime | None = None
    line: int | None = None  # line number within a file, for imports


@dataclass(slots=True)
class Post:
    """One item from any network, normalised."""

    network: str
    id: str
    author: Account
    text: str
    created: datetime
    language: str | None = None
    url: str = ""
    reply_to: str | None = None  # native id of the post this replies to
    reply_to_handle: str | None = None
    quote_of: str | None = None
    repost_of: str | None = None
    conversation_id: str | None = None
    entities: Entities | None = None  # None until text extraction has run
    metrics: Metrics = field(default_factory=Metrics)
    place: Place | None = None
    client: str = ""
    media: tuple[Media, ...] = ()
    raw: dict[str, Any] | None = None
    provenance: Provenance | None = None

    @property
    def key(self) -> tuple[str, str]:
        """The post's identity: ``(network, native id)``."""
        return (self.network, self.id)

    @property
    def post_type(self) -> PostType:
        if self.repost_of:
            return "repost"
        if self.quote_of:
            return "quote"
        if self.reply_to:
            return "reply"
        return "original"


@dataclass(frozen=True, slots=True)
class Batch:
    """What a source yields: some posts and the cursor to resume after them.

    The store writes the batch's mentions and the cursor in one transaction.
    """

    source: str
    posts: list[Post]
    cursor: str | None = None
    followers: list[Account] = field(default_factory=list)  # the business's followers (audit)


# --- the workspace ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Stream:
    """A named standing search in a workspace.

    ``starts``/``ends`` bound an event's or a campaign's window, ``[starts, ends)``:
    the events goal measures a stream's activity within it (matching goes on outside it).
    """

    name: str
    query: str
    kind: StreamKind = "campaign"
    paused: bool = False
    starts: datetime | None = None
    ends: datetime | None = None


@dataclass(frozen=True, slots=True)
class Locale:
    town: str
    latitude: float
    longitude: float
    radius_km: float = 10.0
    country: str = ""
    nicknames: tuple[str, ...] = ()  # other names people use for the place


@dataclass(frozen=True, slots=True)
class Competitor:
    name: str
    handles: dict[str, str] = field(default_factory=dict)  # network -> handle


@dataclass(frozen=True, slots=True)
class TeamMember:
    name: str
    email: str = ""
    role: Role = "staff"
    handles: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Workspace:
    """One business being watched, as described in its ``hubbub.toml``."""

    slug: str
    name: str
    handles: dict[str, str] = field(default_factory=dict)  # network -> handle
    website: str = ""
    blog_feed: str = ""
    locale: Locale | None = None
    competitors: tuple[Competitor, ...] = ()
    products: tuple[str, ...] = ()
    industry_words: tuple[str, ...] = ()
    timezone: str = "UTC"
    team: tuple[TeamMember, ...] = ()
    streams: tuple[Stream, ...] = ()
    response_target_hours: float = 4.0


# --- insight: 5W+H+E plus sentiment ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sentiment:
    label: SentimentLabel = "neutral"
    score: float = 0.0  # in [-1, 1]


@dataclass(frozen=True, slots=True)
class Who:
    handle: str = ""
    followers: int | None = None
    authenticity: float | None = None  # 0 questionable .. 1 authentic
    relationship: Relationship = "new"


@dataclass(frozen=True, slots=True)
class What:
    hashtags: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    cashtags: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    key_phrases: tuple[str, ...] = ()
    matched_terms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class When:
    local_time: datetime | None = None
    hour_of_week: int | None = None  # 0 = Monday 00:00 local


@dataclass(frozen=True, slots=True)
class Where:
    place: str = ""
    latitude: float | None = None
    longitude: float | None = None
    in_locale: bool | None = None
    distance_km: float | None = None
    town: str = ""  # the gazetteer's reading of the place or profile location
    region: str = ""
    country: str = ""


@dataclass(frozen=True, slots=True)
class Why:
    intents: tuple[Intent, ...] = ()


@dataclass(frozen=True, slots=True)
class How:
    network: str = ""
    client: str = ""
    post_type: PostType = "original"
    has_media: bool = False
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Extent:
    reach: int = 0  # the author's followers
    engagement: int = 0  # likes + reposts + replies + quotes
    impressions: int | None = None


@dataclass(frozen=True, slots=True)
class Insight:
    who: Who = field(default_factory=Who)
    what: What = field(default_factory=What)
    when: When = field(default_factory=When)
    where: Where = field(default_factory=Where)
    why: Why = field(default_factory=Why)
    how: How = field(default_factory=How)
    extent: Extent = field(default_factory=Extent)
    sentiment: Sentiment = field(default_factory=Sentiment)


@dataclass(slots=True)
class Mention:
    """A post that one or more of a workspace's streams matched, with its insight."""

    workspace: str  # workspace slug
    post: Post
    streams: tuple[str, ...]
    insight: Insight


# --- engage, audit, publish, goals ---------------------------------------------------


@dataclass(slots=True)
class InboxItem:
    workspace: str
    post_key: tuple[str, str]
    state: InboxState = "new"
    assignee: str | None = None
    priority: float = 0.0
    created: datetime | None = None
    first_response: datetime | None = None
    resolved: datetime | None = None


@dataclass(slots=True)
class Audit:
    workspace: str
    created: datetime
    figures: dict[str, float] = field(default_factory=dict)
    recommendations: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Draft:
    workspace: str
    text: str
    networks: tuple[str, ...] = ("x",)
    media: tuple[Media, ...] = ()
    scheduled_for: datetime | None = None
    state: str = "draft"  # draft, scheduled, publishing, published, failed
    goal: GoalName | None = None


@dataclass(frozen=True, slots=True)
class Published:
    """A post that hubbub wrote to a network (a reply from the inbox or a scheduled
    post): the network's own id and address for it, and when the network took it."""

    network: str
    id: str
    url: str = ""
    created: datetime | None = None
    reply_to: str | None = None  # native id of the post it answers, if a reply


@dataclass(frozen=True, slots=True)
class MediaFile:
    """An image to publish with a post: its bytes as the user uploaded them, the type
    and size read from those bytes (not from the file's name), and its alt text."""

    data: bytes = field(repr=False)
    mime: str  # image/jpeg, image/png, image/gif or image/webp
    width: int
    height: int
    alt: str = ""
    animated: bool = False

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True, slots=True)
class Uploaded:
    """An image a network holds, ready to attach: the network's reference for it (X's
    media id, Mastodon's attachment id, Bluesky's blob as JSON), until when the network
    keeps it unattached (None: not known), and what the post needs besides (alt text,
    size in pixels)."""

    network: str
    ref: str
    alt: str = ""
    width: int = 0
    height: int = 0
    expires: datetime | None = None


@dataclass(frozen=True, slots=True)
class TrackedLink:
    workspace: str
    code: str
    url: str  # the destination, with its UTM parameters
    campaign: str = ""
    clicks: int = 0


@dataclass(frozen=True, slots=True)
class Goal:
    name: GoalName
    figures: dict[str, float] = field(default_factory=dict)
