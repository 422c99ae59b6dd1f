"""Entity extraction: mentions, lists, replies, hashtags, cashtags and URLs.

Follows twitter-text's ``Extractor`` (Java) step for step: each kind has its
regular expression (``regexes.py``) plus the checks the reference code applies
after a match (what may not follow a mention or hashtag, t.co slugs, host
length after IDNA encoding), and ``extract_entities`` drops a hashtag, mention
or cashtag that overlaps an earlier URL, as ``extractEntitiesWithIndices`` does.

Indices are Python ``str`` indices (code points), half-open, and include the
sigil (``@``, ``#``, ``$``), as in the conformance suite. Every extractor starts
with a cheap test for its sigil (or ``.`` for URLs), so the common post with no
entity of a kind costs one ``in`` scan rather than a regex pass.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Literal, NamedTuple

import regex

from hubbub.model import Entities, Span
from hubbub.text import regexes as rx

__all__ = [
    "Entity",
    "EntityKind",
    "extract_cashtags",
    "extract_cashtags_with_indices",
    "extract_entities",
    "extract_entities_with_indices",
    "extract_hashtags",
    "extract_hashtags_with_indices",
    "extract_mentioned_screen_names",
    "extract_mentioned_screen_names_with_indices",
    "extract_mentions_or_lists_with_indices",
    "extract_reply_screen_name",
    "extract_urls",
    "extract_urls_with_indices",
    "is_valid_host_and_length",
]

EntityKind = Literal["url", "hashtag", "mention", "cashtag"]

MAX_URL_LENGTH = 4096
MAX_TCO_SLUG_LENGTH = 40
_PROTOCOL_LENGTH = len("https://")

_VALID_URL_FINDITER = rx.VALID_URL.finditer
_VALID_CASHTAG_FINDITER = rx.VALID_CASHTAG.finditer
_END_HASHTAG = rx.END_HASHTAG_MATCH.match
_END_MENTION = rx.END_MENTION_MATCH.match
_TCO = rx.VALID_TCO_URL.match
_BAD_BEFORE = rx.INVALID_URL_WITHOUT_PROTOCOL_PRECEDING.search
_TLD_CANDIDATE = rx.URL_TLD_CANDIDATE.finditer
_BREAK = rx.URL_BREAK.search
_BREAK_BEFORE = rx.URL_BREAK_BEFORE.search
_HASHTAG_MATCH = rx.VALID_HASHTAG.match
_HASHTAG_ASCII_MATCH = rx.VALID_HASHTAG_ASCII.match
_MENTION_MATCH = rx.VALID_MENTION_OR_LIST.match


class Entity(NamedTuple):
    """One extracted entity with its kind; ``value`` is without the sigil.

    ``list_slug`` is the ``/slug`` of an ``@user/slug`` list reference, or ``""``.
    A named tuple rather than a dataclass: extraction makes millions of them.
    """

    kind: EntityKind
    start: int
    end: int
    value: str
    list_slug: str = ""
    display_url: str = ""  # URLs from a network's JSON: what to show
    expanded_url: str = ""  # ... and where the short link leads

    def span(self) -> Span:
        return Span(self.value, self.start, self.end)


# --- URLs -----------------------------------------------------------------------


def is_valid_host_and_length(url_length: int, protocol: str | None, host: str) -> bool:
    """twitter-text's ``isValidHostAndLength``: every IDNA label 1-63 long, and
    the URL (with ``https://`` added where it has no protocol) at most 4096."""
    if not host:
        return False
    if host.isascii():
        encoded_length = len(host)
        if any(not 0 < len(label) <= 63 for label in host.rstrip(".").split(".")):
            return False
    else:
        try:
            encoded_length = len(host.encode("idna"))
        except UnicodeError:
            return False
    if encoded_length == 0:
        return False
    length = url_length + encoded_length - len(host)
    if not protocol:
        length += _PROTOCOL_LENGTH
    return length <= MAX_URL_LENGTH


def _url_matches(text: str) -> Iterator[re.Match[str]]:
    """The matches a global ``VALID_URL`` scan would give, found faster.

    Every URL's host ends in ``.`` and a TLD, and no URL holds a space, so only
    the space-delimited tokens with a ``.`` before a known TLD (or a non-ASCII
    or punycode label) are scanned, each within its own bounds (from the space
    before it, which the pattern takes as the preceding character). Scanning
    every position of the text with the full pattern costs ten times more.
    """
    token_end = -1
    for candidate in _TLD_CANDIDATE(text):
        dot = candidate.start()
        if dot < token_end:
            continue
        word = candidate.group(1)
        if word is not None and word.lower() not in rx.TLDS:
            continue
        before = _BREAK_BEFORE(text, 0, dot)
        start = before.start() if before is not None else 0
        after = _BREAK(text, dot)
        token_end = after.start() if after is not None else len(text)
        yield from _VALID_URL_FINDITER(text, start, token_end)


def extract_urls_with_indices(text: str, *, without_protocol: bool = True) -> list[Entity]:
    """URLs as twitter-text finds them; ``without_protocol=False`` keeps only
    those written with ``http://`` or ``https://`` (what autolink links)."""
    if not text or ("." not in text if without_protocol else ":" not in text):
        return []
    urls: list[Entity] = []
    for m in _url_matches(text):
        protocol = m.group(4)
        if not protocol and (not without_protocol or _BAD_BEFORE(m.group(2))):
            continue
        url = m.group(3)
        start, end = m.span(3)
        if protocol:
            tco = _TCO(url)
            if tco is not None:
                if len(tco.group(1)) > MAX_TCO_SLUG_LENGTH:
                    continue
                url = tco.group(0)
                end = start + len(url)
        if is_valid_host_and_length(len(url), protocol, m.group(5)):
            urls.append(Entity("url", start, end, url))
    return urls


def extract_urls(text: str) -> list[str]:
    return [e.value for e in extract_urls_with_indices(text)]


# --- hashtags -------------------------------------------------------------------


def _hashtags(text: str) -> list[Entity]:
    if "#" not in text and "\uff03" not in text:
        return []
    tags: list[Entity] = []
    pattern = _HASHTAG_ASCII_MATCH if text.isascii() else _HASHTAG_MATCH
    for m in _sigil_matches(text, pattern, "#", "\uff03", 1):
        end = m.end()
        if _END_HASHTAG(text, end):
            continue
        tags.append(Entity("hashtag", m.start(2), end, m.group(3)))
    return tags


_AnyMatch = re.Match[str] | regex.Match[str]


def _sigil_matches(
    text: str, match: Callable[[str, int], _AnyMatch | None], sigil: str, wide: str, lead: int
) -> Iterator[_AnyMatch]:
    """The matches a global scan of ``text`` would give, tried only near sigils.

    A match begins at most ``lead`` characters (its preceding context: one
    character, or ``RT:`` and one for mentions) before its sigil, so trying the
    pattern at just those positions, in order and never before the end of the
    previous match, finds exactly what a scan of every position finds, at a
    fraction of the cost.
    """
    pos = 0  # where the scan stands: no match may start before it
    tried = -1  # the last position tried
    n = len(text)
    has_wide = wide in text
    i = text.find(sigil) if not has_wide else _first(text, sigil, wide, 0)
    while i >= 0:
        for p in range(max(pos, i - lead, tried + 1), max(i, 1)):
            tried = p
            m = match(text, p)
            if m is not None:
                yield m
                pos = m.end()
                if pos >= n:
                    return
                break
        i = text.find(sigil, i + 1) if not has_wide else _first(text, sigil, wide, i + 1)


def _first(text: str, a: str, b: str, start: int) -> int:
    i = text.find(a, start)
    j = text.find(b, start)
    return j if i < 0 or 0 <= j < i else i


def extract_hashtags_with_indices(text: str, *, check_url_overlap: bool = True) -> list[Entity]:
    """Hashtags; by default those inside a URL (``example.com/#frag``) are dropped."""
    tags = _hashtags(text) if text else []
    if tags and check_url_overlap:
        urls = extract_urls_with_indices(text)
        if urls:
            kept = _remove_overlapping([*tags, *urls])
            tags = [e for e in kept if e.kind == "hashtag"]
    return tags


def extract_hashtags(text: str) -> list[str]:
    return [e.value for e in extract_hashtags_with_indices(text)]


# --- mentions, lists, replies ------------------------------------------------------


def extract_mentions_or_lists_with_indices(text: str) -> list[Entity]:
    """``@user`` mentions and ``@user/list`` references (``list_slug`` set)."""
    if not text or ("@" not in text and "\uff20" not in text):
        return []
    found: list[Entity] = []
    for m in _sigil_matches(text, _MENTION_MATCH, "@", "\uff20", 4):
        end = m.end()
        if _END_MENTION(text, end):
            continue
        start = m.start(3) - 1
        found.append(Entity("mention", start, end, m.group(3), m.group(4) or ""))
    return found


def extract_mentioned_screen_names_with_indices(text: str) -> list[Entity]:
    return [e for e in extract_mentions_or_lists_with_indices(text) if not e.list_slug]


def extract_mentioned_screen_names(text: str) -> list[str]:
    return [e.value for e in extract_mentioned_screen_names_with_indices(text)]


def extract_reply_screen_name(text: str) -> str | None:
    """The screen name a reply starts with (after optional spaces), or ``None``."""
    if not text:
        return None
    m = rx.VALID_REPLY.match(text)
    if m is None or _END_MENTION(text, m.end()):
        return None
    return m.group(1)


# --- cashtags ---------------------------------------------------------------------


def extract_cashtags_with_indices(text: str) -> list[Entity]:
    if not text or "$" not in text:
        return []
    return [
        Entity("cashtag", m.start(2), m.end(3), m.group(3)) for m in _VALID_CASHTAG_FINDITER(text)
    ]


def extract_cashtags(text: str) -> list[str]:
    return [e.value for e in extract_cashtags_with_indices(text)]


# --- all together -----------------------------------------------------------------


def _remove_overlapping(entities: list[Entity]) -> list[Entity]:
    """Sort by start; drop any entity that starts inside the one kept before it."""
    entities.sort(key=lambda e: e.start)
    kept: list[Entity] = []
    for e in entities:
        if kept and kept[-1].end > e.start:
            continue
        kept.append(e)
    return kept


def extract_entities_with_indices(text: str, *, urls_without_protocol: bool = True) -> list[Entity]:
    """URLs, hashtags, mentions/lists and cashtags in text order, overlaps removed."""
    if not text:
        return []
    entities = [
        *extract_urls_with_indices(text, without_protocol=urls_without_protocol),
        *_hashtags(text),
        *extract_mentions_or_lists_with_indices(text),
        *extract_cashtags_with_indices(text),
    ]
    if len(entities) < 2:
        return entities
    return _remove_overlapping(entities)


_EMPTY = Entities()


def extract_entities(text: str, urls: list[Entity] | None = None) -> Entities:
    """All entities of ``text`` as a :class:`~hubbub.model.Entities`.

    Span texts are without the sigil; a list reference ``@user/slug`` counts as
    a mention of ``user`` with its span over ``@user`` only (as X's API reports
    user mentions). ``reply`` is the screen name the text starts with, if any.
    ``urls`` may pass in this text's :func:`extract_urls_with_indices` when the
    caller already has them.

    Only a URL can overlap another entity (a hashtag in its fragment, a mention
    in its path), so the overlap pass runs only when there are URLs and others.
    """
    if not text:
        return _EMPTY
    if urls is None:
        urls = extract_urls_with_indices(text)
    tags = _hashtags(text)
    mentions = extract_mentions_or_lists_with_indices(text)
    cashtags = extract_cashtags_with_indices(text)
    if not (urls or tags or mentions or cashtags):
        return _EMPTY
    if urls and (tags or mentions or cashtags):
        kept = _remove_overlapping([*urls, *tags, *mentions, *cashtags])
        urls = [e for e in kept if e.kind == "url"]
        tags = [e for e in kept if e.kind == "hashtag"]
        mentions = [e for e in kept if e.kind == "mention"]
        cashtags = [e for e in kept if e.kind == "cashtag"]
    # A reply's leading @name is always also found as a mention.
    reply = extract_reply_screen_name(text) if mentions else None
    return Entities(
        hashtags=tuple([Span(e.value, e.start, e.end) for e in tags]),
        mentions=tuple([Span(e.value, e.start, e.start + 1 + len(e.value)) for e in mentions]),
        urls=tuple([Span(e.value, e.start, e.end) for e in urls]),
        cashtags=tuple([Span(e.value, e.start, e.end) for e in cashtags]),
        reply=reply,
    )
