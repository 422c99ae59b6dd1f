"""The composer: is this text (or thread, with these images) fit for these networks?

One text is often posted to X, Mastodon and Bluesky at once, and each counts and
limits differently. :func:`check` measures every part of a thread for every chosen
network the way that network does (the inbox's :func:`~hubbub.inbox.rules.reply_length`:
X's weighted length, Mastodon's 500 characters with any URL as 23, Bluesky's 300
grapheme clusters), checks the attachments against each network's limit and says,
in words a person can act on, what is wrong (errors: it cannot be posted) and what
is doubtful (warnings: an image without alt text). :func:`split_thread` suggests
parts for a text that is too long, cut at sentence boundaries.

Pure functions on plain dataclasses: the web page, the scheduler and the CLI all call
the same ones, so the live counters and the server-side check never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import regex

from hubbub.inbox.rules import reply_length

__all__ = [
    "MEDIA_LIMITS",
    "NETWORKS",
    "Attachment",
    "Composition",
    "PartCheck",
    "check",
    "split_thread",
    "strictest_limit",
]

NETWORKS: tuple[str, ...] = ("x", "mastodon", "bluesky")
#: images per post on each network
MEDIA_LIMITS: dict[str, int] = {"x": 4, "mastodon": 4, "bluesky": 4}
_SENTENCE_END = regex.compile(r"(?<=[.!?…])[\"')\]]*\s+")


@dataclass(frozen=True, slots=True)
class Attachment:
    """An image to post with the first part: a path on this machine and its alt text."""

    path: str
    alt: str = ""


@dataclass(frozen=True, slots=True)
class PartCheck:
    """One part of a thread as one network counts it."""

    part: int  # 0-based
    network: str
    length: int
    limit: int | None
    fits: bool

    @property
    def left(self) -> int | None:
        """Characters left (negative: over the limit), or None without a limit."""
        return None if self.limit is None else self.limit - self.length


@dataclass(frozen=True, slots=True)
class Composition:
    """The verdict on a post: every part measured for every network, errors, warnings."""

    parts: tuple[str, ...]
    networks: tuple[str, ...]
    media: tuple[Attachment, ...]
    checks: tuple[PartCheck, ...]
    errors: tuple[str, ...]
    warnings: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.errors

    def for_network(self, network: str) -> tuple[PartCheck, ...]:
        return tuple(c for c in self.checks if c.network == network)


def strictest_limit(networks: Sequence[str]) -> int:
    """The lowest character limit among ``networks`` (280 when none is known)."""
    limits = [limit for n in networks if (limit := reply_length("", n)[1]) is not None]
    return min(limits, default=280)


def check(
    parts: Sequence[str], networks: Sequence[str], media: Sequence[Attachment] = ()
) -> Composition:
    """Measure ``parts`` (one for a single post, several for a thread) for ``networks``.

    Errors: no network, an unknown network, no text, an empty part, a part over a
    network's limit, more images than a network takes, an image without a path.
    Warnings: an image without alt text (screen-reader users cannot see it).
    """
    texts = tuple(p.strip() for p in parts)
    chosen = tuple(dict.fromkeys(n.strip().lower() for n in networks if n.strip()))
    errors: list[str] = []
    warnings: list[str] = []
    if not chosen:
        errors.append("choose at least one network")
    unknown = [n for n in chosen if n not in NETWORKS]
    if unknown:
        errors.append(f"unknown network {unknown[0]!r}: use one of {', '.join(NETWORKS)}")
    if not any(texts):
        errors.append("write something to post")
    elif not all(texts):
        empty = [str(i + 1) for i, t in enumerate(texts) if not t]
        errors.append(f"part {', '.join(empty)} of the thread is empty")
    checks: list[PartCheck] = []
    for network in (n for n in chosen if n in NETWORKS):
        for i, text in enumerate(texts):
            length, limit, fits = reply_length(text, network)
            checks.append(PartCheck(i, network, length, limit, fits or not text))
            if text and not fits and limit is not None:
                where = f"part {i + 1}" if len(texts) > 1 else "the post"
                errors.append(
                    f"{where} is {length - limit} over {_label(network)}'s {limit} limit "
                    f"({length}/{limit})"
                )
        allowed = MEDIA_LIMITS[network]
        if len(media) > allowed:
            errors.append(f"{_label(network)} takes at most {allowed} images; {len(media)} given")
    for i, item in enumerate(media):
        if not item.path.strip():
            errors.append(f"image {i + 1} has no file")
        elif not item.alt.strip():
            warnings.append(f"image {i + 1} ({item.path}) has no alt text")
    return Composition(texts, chosen, tuple(media), tuple(checks), tuple(errors), tuple(warnings))


def _label(network: str) -> str:
    return {"x": "X", "mastodon": "Mastodon", "bluesky": "Bluesky"}.get(network, network)


def split_thread(text: str, networks: Sequence[str] = NETWORKS) -> list[str]:
    """Suggest thread parts for ``text`` that each fit every network in ``networks``.

    Cuts between sentences, packing as many whole sentences into a part as fit;
    a sentence longer than a part is cut between words, and a word longer than a
    part (a very long URL-less token) is cut where it must. A text that fits is
    returned as one part.
    """
    text = text.strip()
    if not text:
        return []

    def fits(candidate: str) -> bool:
        return all(reply_length(candidate, n)[2] for n in networks)

    if fits(text):
        return [text]
    pieces: list[str] = []
    for sentence in (s.strip() for s in _SENTENCE_END.split(text)):
        if not sentence:
            continue
        if fits(sentence):
            pieces.append(sentence)
        else:
            pieces.extend(_split_words(sentence, fits))
    parts: list[str] = []
    for piece in pieces:
        joined = f"{parts[-1]} {piece}" if parts else piece
        if parts and fits(joined):
            parts[-1] = joined
        else:
            parts.append(piece)
    return parts


def _split_words(sentence: str, fits: Callable[[str], bool]) -> list[str]:
    out: list[str] = []
    current = ""
    for word in sentence.split():
        joined = f"{current} {word}" if current else word
        if fits(joined):
            current = joined
            continue
        if current:
            out.append(current)
        while not fits(word):  # one word longer than a whole part: cut it
            cut = len(word) - 1
            while cut > 1 and not fits(word[:cut]):
                cut -= 1
            out.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        out.append(current)
    return out
