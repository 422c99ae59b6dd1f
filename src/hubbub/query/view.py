"""What the matcher needs of one post, computed once and shared by every rule.

A :class:`PostView` holds the post's folded tokens and entity sets, so each leaf
of a query is a set lookup. It is built for every post that goes through the
matcher, firehose-fast, so it computes eagerly only what the index and most
rules read (tokens, hashtags, mentions and their user parts, the author, the
coordinates) and the rest (URL words, place names, the reposted author) on first
use. ``fold`` and the fediverse-handle scan each check a cheap ASCII condition
first, as most posts' text and handles are plain ASCII.
"""

from __future__ import annotations

import math
import re
from functools import cached_property

import regex

from hubbub.model import Entities, Post
from hubbub.query.geo import EARTH_RADIUS_KM, haversine_km
from hubbub.query.tokens import fold, tokenize

__all__ = ["PostView", "handle_matches", "place_id", "reposted_handle", "run_in"]

# Fediverse (user@instance) and Bluesky (name.bsky.social) handles, which
# twitter-text's @mention rule (letters, digits, _ up to 20) cuts short.
_LONG_HANDLE = regex.compile(
    r"(?<![\w@])@([A-Za-z0-9_][A-Za-z0-9_.\-]*[A-Za-z0-9_]"
    r"(?:@[A-Za-z0-9][A-Za-z0-9.\-]*[A-Za-z0-9])?)"
)
# A necessary condition for a _LONG_HANDLE hit with "." or "@" in it: checked first with
# the standard ``re`` (several times faster), as most posts' mentions are plain X handles.
_MAYBE_LONG = re.compile(r"@[A-Za-z0-9_][A-Za-z0-9_.\-]*[.@][A-Za-z0-9_.\-]")
# X's text of a repost: "RT @original_author: the original text".
_RT_PREFIX = regex.compile(r"RT @([A-Za-z0-9_]{1,20}):")
_KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180
_VISUAL_MEDIA = frozenset({"photo", "video", "animated_gif"})


def handle_matches(query_handle: str, handle: str) -> bool:
    """``user`` matches ``user`` and ``user@instance``; ``user@instance`` only itself."""
    return handle == query_handle or handle.startswith(query_handle + "@")


def run_in(words: tuple[str, ...], seq: tuple[str, ...]) -> bool:
    """True where ``words`` occur side by side, in order, in ``seq``."""
    n = len(words)
    return any(seq[i : i + n] == words for i in range(len(seq) - n + 1))


def _fold_handle(handle: str | None) -> str:
    return fold(handle.removeprefix("@")) if handle else ""


def _dig(obj: object, *path: str) -> object:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def reposted_handle(post: Post) -> str:
    """The folded handle of the author a repost reposts, where the post says ("" if not).

    From X's ``RT @name:`` prefix, or the payload's ``includes`` (the retweeted
    tweet's ``author_id`` looked up in its users), as X API v2 pages carry them.
    """
    if not post.repost_of:
        return ""
    m = _RT_PREFIX.match(post.text)
    if m is not None:
        return fold(m.group(1))
    tweets = _dig(post.raw, "includes", "tweets")
    users = _dig(post.raw, "includes", "users")
    if not isinstance(tweets, list) or not isinstance(users, list):
        return ""
    author_id = next(
        (
            t.get("author_id")
            for t in tweets
            if isinstance(t, dict) and str(t.get("id")) == post.repost_of
        ),
        None,
    )
    for user in users:
        if isinstance(user, dict) and author_id is not None and user.get("id") == author_id:
            return _fold_handle(str(user.get("username") or ""))
    return ""


def place_id(post: Post) -> str:
    """The network's own id of the post's place (X's ``geo.place_id``), where the payload has it."""
    pid = _dig(post.raw, "geo", "place_id") or _dig(post.raw, "data", "geo", "place_id")
    return str(pid) if isinstance(pid, str | int) else ""


def _mask(text: str, ents: Entities) -> str:
    """``text`` with its links blanked, so 'com' or 'https' never match as words."""
    parts: list[str] = []
    at = 0
    for span in sorted(ents.urls, key=lambda s: s.start):
        if span.start < at:
            continue
        parts.append(text[at : span.start])
        parts.append(" " * (span.end - span.start))
        at = span.end
    parts.append(text[at:])
    return "".join(parts)


class PostView:
    """What the matcher needs of a post, computed once: folded tokens, entity sets, geo."""

    def __init__(self, post: Post) -> None:
        ents = post.entities
        if ents is None:
            raise ValueError(
                f"post {post.network}:{post.id} has no entities: run "
                "hubbub.text.extract_entities first (hubbub.pipeline.process does)"
            )
        self.post = post
        self.entities: Entities = ents
        text = post.text
        self.tokens: tuple[str, ...] = tuple(tokenize(_mask(text, ents) if ents.urls else text))
        self.token_set: frozenset[str] = frozenset(self.tokens)
        self.hashtags: frozenset[str] = (
            frozenset(fold(s.text) for s in ents.hashtags) if ents.hashtags else frozenset()
        )
        self.cashtags: frozenset[str] = (
            frozenset(fold(s.text) for s in ents.cashtags) if ents.cashtags else frozenset()
        )
        if "@" in text or ents.mentions:
            self.mentions: frozenset[str] = self._mentions(text, ents)
            # The user part of each mention (``user`` of ``user@instance``).
            self.mention_users: frozenset[str] = frozenset(
                m.split("@", 1)[0] for m in self.mentions
            )
        else:
            self.mentions = self.mention_users = frozenset()
        self.author: str = _fold_handle(post.author.handle)
        self.reply_to: str = _fold_handle(post.reply_to_handle or ents.reply)
        self.language: str = (post.language or "").lower()
        place = post.place  # read by every geo rule and the geo index: plain attributes
        self.lat: float | None = place.latitude if place else None
        self.lon: float | None = place.longitude if place else None

    @staticmethod
    def _mentions(text: str, ents: Entities) -> frozenset[str]:
        mentions: set[str] = set()
        long_at: set[int] = set()
        if "@" in text and _MAYBE_LONG.search(text) is not None:
            for m in _LONG_HANDLE.finditer(text):
                handle = m.group(1)
                if "@" in handle or "." in handle:  # twitter-text cut it short
                    mentions.add(fold(handle.rstrip(".")))
                    long_at.add(m.start())
        mentions.update(_fold_handle(s.text) for s in ents.mentions if s.start not in long_at)
        return frozenset(mentions)

    # --- read by fewer rules: computed on first use -------------------------------------

    @cached_property
    def url_tokens(self) -> tuple[tuple[str, ...], ...]:
        urls = [s.text for s in self.entities.urls]
        urls.extend(m.url for m in self.post.media if m.kind == "link_card" and m.url)
        return tuple(tuple(tokenize(u)) for u in urls)

    @cached_property
    def country(self) -> str:
        place = self.post.place
        return place.country_code.upper() if place else ""

    @cached_property
    def has_geo(self) -> bool:
        place = self.post.place
        return place is not None and (bool(place.name or place.full_name) or self.lat is not None)

    @cached_property
    def place_names(self) -> tuple[tuple[str, ...], ...]:
        place = self.post.place
        if place is None:
            return ()
        return tuple(tuple(tokenize(n)) for n in dict.fromkeys((place.name, place.full_name)) if n)

    @cached_property
    def place_id(self) -> str:
        return place_id(self.post) if self.post.place is not None else ""

    @cached_property
    def reposted(self) -> str:
        return reposted_handle(self.post)

    @cached_property
    def has_media(self) -> bool:
        return any(m.kind in _VISUAL_MEDIA for m in self.post.media)

    @cached_property
    def has_images(self) -> bool:
        return any(m.kind == "photo" for m in self.post.media)

    @cached_property
    def positions(self) -> dict[str, list[int]]:
        """Token -> the indices where it occurs, for phrase matching."""
        out: dict[str, list[int]] = {}
        for i, tok in enumerate(self.tokens):
            out.setdefault(tok, []).append(i)
        return out

    # --- tests used by both evaluators -----------------------------------------------------

    def has_run(self, words: tuple[str, ...]) -> bool:
        """The words side by side, in order, in the text."""
        if len(words) == 1:
            return words[0] in self.token_set
        token_set = self.token_set
        for w in words:
            if w not in token_set:
                return False
        n = len(words)
        toks = self.tokens
        return any(toks[i : i + n] == words for i in self.positions[words[0]])

    def url_has(self, words: tuple[str, ...]) -> bool:
        return any(run_in(words, toks) for toks in self.url_tokens)

    def place_has(self, words: tuple[str, ...], text: str) -> bool:
        if self.place_id and self.place_id == text:
            return True
        return any(run_in(words, toks) for toks in self.place_names)

    def within(self, latitude: float, longitude: float, radius_km: float) -> bool:
        lat, lon = self.lat, self.lon
        if lat is None or lon is None:
            return False
        # A great circle is never shorter than its north-south part: a cheap, safe "no".
        if abs(lat - latitude) * _KM_PER_DEGREE > radius_km * 1.000001 + 1e-9:
            return False
        return haversine_km(lat, lon, latitude, longitude) <= radius_km

    def in_box(self, west: float, south: float, east: float, north: float) -> bool:
        lat, lon = self.lat, self.lon
        if lat is None or lon is None:
            return False
        return south <= lat <= north and west <= lon <= east

    def index_keys(self) -> set[tuple[str, str]]:
        """The prefilter keys this post offers (see :mod:`hubbub.query.matcher`)."""
        keys: set[tuple[str, str]] = {("w", t) for t in self.token_set}
        keys.update(("h", t) for t in self.hashtags)
        keys.update(("m", m) for m in self.mention_users)
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
        keys.update(("pl", t) for toks in self.place_names for t in toks)
        if self.place_id:
            keys.add(("pl", fold(self.place_id)))
        if self.reposted:
            keys.add(("rt", self.reposted.split("@", 1)[0]))
        post = self.post
        keys.add(("cv", post.conversation_id or post.id))
        if post.reply_to:
            keys.add(("ir", post.reply_to))
        return keys
