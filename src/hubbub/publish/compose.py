"""The composer: is this text (or thread, with these images) fit for these networks?

One text is often posted to X, Mastodon and Bluesky at once, and each counts and
limits differently. :func:`check` measures every part of a thread for every chosen
network the way that network does (the inbox's :func:`~hubbub.inbox.rules.reply_length`:
X's weighted length, Mastodon's 500 characters with any URL as 23, Bluesky's 300
grapheme clusters), checks the attachments against each network's limit and says,
in words a person can act on, what is wrong (errors: it cannot be posted) and what
is doubtful (warnings: an image without alt text). Images are checked by what their
bytes are (:class:`Attachment`, from :func:`hubbub.publish.media.probe`), never by
their file names, against :data:`MEDIA_LIMITS`. :func:`split_thread` suggests
parts for a text that is too long, cut at sentence boundaries.

Pure functions on plain dataclasses: the web page, the scheduler and the CLI all call
the same ones, so the live counters and the server-side check never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import regex

from hubbub.inbox.rules import reply_length

__all__ = [
    "MEDIA_LIMITS",
    "NETWORKS",
    "Attachment",
    "Composition",
    "MediaLimits",
    "PartCheck",
    "check",
    "split_thread",
    "strictest_limit",
]

NETWORKS: tuple[str, ...] = ("x", "mastodon", "bluesky")
_SENTENCE_END = regex.compile(r"(?<=[.!?…])[\"')\]]*\s+")
_MB = 1024 * 1024
_STILL = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


@dataclass(frozen=True, slots=True)
class MediaLimits:
    """What one network takes in images on one post."""

    images: int  # per post
    image_bytes: int  # each still image
    formats: frozenset[str]  # MIME types
    animated_bytes: int | None = None  # an animated GIF (None: as a still image)
    animated_alone: bool = False  # an animated GIF must be the post's only image
    max_pixels: int | None = None  # width × height
    alt_chars: int | None = None


#: Each network's documented limits for images (checked 2026-12): X's media upload
#: (5 MB images, 15 MB animated GIFs, alone; 4 per post; alt text 1,000 characters),
#: Mastodon 4's defaults (16 MB, 33,177,600 pixels, 4 per post, 1,500 characters of
#: description; an instance may set others, which the publisher reads from
#: /api/v2/instance before uploading), Bluesky's app.bsky.embed.images (4 images of at
#: most 1,000,000 bytes each).
MEDIA_LIMITS: dict[str, MediaLimits] = {
    "x": MediaLimits(4, 5 * _MB, _STILL, 15 * _MB, animated_alone=True, alt_chars=1000),
    "mastodon": MediaLimits(4, 16 * _MB, _STILL, max_pixels=33_177_600, alt_chars=1500),
    "bluesky": MediaLimits(4, 1_000_000, _STILL),
}


@dataclass(frozen=True, slots=True)
class Attachment:
    """An image to post with the first part, as read from its bytes when it was uploaded
    (:func:`hubbub.publish.media.probe`), and its alt text."""

    sha256: str
    mime: str
    size: int  # bytes
    width: int
    height: int
    alt: str = ""
    name: str = ""  # the uploaded file's name, to say which image a message means
    animated: bool = False

    def label(self, i: int) -> str:
        return f"image {i + 1} ({self.name})" if self.name else f"image {i + 1}"


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
    parts: Sequence[str],
    networks: Sequence[str],
    media: Sequence[Attachment] = (),
    limits: Mapping[str, MediaLimits] | None = None,
) -> Composition:
    """Measure ``parts`` (one for a single post, several for a thread) for ``networks``.

    Errors: no network, an unknown network, no text, an empty part, a part over a
    network's limit, images a network does not take (too many, too large, a format it
    refuses, an animated GIF with other images on X, alt text too long). Warnings: an
    image without alt text (screen-reader users cannot know what it shows).
    ``limits`` replaces :data:`MEDIA_LIMITS` for the networks it names (a Mastodon
    instance's own).
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
                if length <= limit:  # fits in characters, not in bytes (Bluesky's 3,000)
                    size = len(text.encode("utf-8"))
                    errors.append(
                        f"{where} is {size:,} bytes long; {_label(network)} takes 3,000 "
                        "(emoji and accented letters take several bytes each)"
                    )
                else:
                    errors.append(
                        f"{where} is {length - limit} over {_label(network)}'s {limit} limit "
                        f"({length}/{limit})"
                    )
        rules = (limits or {}).get(network) or MEDIA_LIMITS[network]
        errors.extend(_media_errors(network, rules, media))
    for i, item in enumerate(media):
        if not item.alt.strip():
            warnings.append(
                f"{item.label(i)} has no alt text: people using screen readers will not "
                "know what it shows"
            )
    return Composition(texts, chosen, tuple(media), tuple(checks), tuple(errors), tuple(warnings))


def _media_errors(network: str, rules: MediaLimits, media: Sequence[Attachment]) -> list[str]:
    label = _label(network)
    errors: list[str] = []
    if len(media) > rules.images:
        errors.append(f"{label} takes at most {rules.images} images; {len(media)} given")
    if rules.animated_alone and len(media) > 1 and any(m.animated for m in media):
        errors.append(f"{label} takes an animated GIF only as the post's one image")
    for i, item in enumerate(media):
        name = item.label(i)
        if item.mime not in rules.formats:
            kind = item.mime.removeprefix("image/").upper()
            errors.append(f"{name} is {kind}, which {label} does not take")
            continue
        most = rules.animated_bytes if item.animated and rules.animated_bytes else rules.image_bytes
        if item.size > most:
            size, limit = _sizes(item.size, most)
            errors.append(
                f"{name} is {size}; {label} takes at most {limit} "
                f"{'per animated GIF' if item.animated and rules.animated_bytes else 'per image'}"
            )
        if rules.max_pixels is not None and item.width * item.height > rules.max_pixels:
            errors.append(
                f"{name} is {item.width:,} × {item.height:,} pixels; {label} takes at most "
                f"{rules.max_pixels:,} pixels"
            )
        if rules.alt_chars is not None and len(item.alt) > rules.alt_chars:
            errors.append(
                f"the alt text of {name} is {len(item.alt):,} characters; {label} takes "
                f"{rules.alt_chars:,}"
            )
    return errors


def _sizes(size: int, limit: int) -> tuple[str, str]:
    """A size and a limit in the limit's own unit: MB where the network counts in
    (binary) megabytes, as X and Mastodon do, else bytes (Bluesky's 1,000,000)."""
    if limit % _MB == 0:
        return f"{size / _MB:.1f}".removesuffix(".0") + " MB", f"{limit // _MB} MB"
    return f"{size:,} bytes", f"{limit:,} bytes"


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
