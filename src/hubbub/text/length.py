"""Weighted tweet length: twitter-text's ``parseTweet``.

A post's length on X is not ``len(text)``: the text is NFC-normalised, every
URL counts as ``transformedURLLength`` (23), code points in the config's ranges
(Latin, General Punctuation spaces and quotes) weigh 100 and all others 200
(scale 100), and with config v3 every emoji sequence (ZWJ families, skin tones,
flags, keycaps) weighs 200 whatever its length. The result says whether the
text fits (``valid``), how full it is (``permillage``), and the inclusive
UTF-16 ranges of the text and of its part that fits, as twitter-text reports
them (indices into the *original*, unnormalised text).

Emoji come from the ``emoji`` package's table (current Unicode) instead of the
twemoji-parser regular expression twitter-text ships; bare ``©`` and ``®``
without U+FE0F are left as text (they are text-presentation characters, and
they sit in the weight-100 range). Fast paths: an ASCII text needs no
normalisation and holds no emoji; the weight of a span is counted with one
C-level regex scan for the heavy code points; the per-character walk runs only
when the text is too long or holds an invalid character, to find where the
valid range ends.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import emoji

from hubbub.model import Entities
from hubbub.text.extract import Entity, extract_entities, extract_urls_with_indices

__all__ = [
    "ParsedTweet",
    "TextConfig",
    "analyze",
    "emoji_spans",
    "load_config",
    "parse_tweet",
]

_INVALID = frozenset("\ufffe\ufeff\uffff")


@dataclass(frozen=True, slots=True)
class TextConfig:
    """A twitter-text configuration (``config/v*.json``)."""

    version: int
    max_weighted_tweet_length: int
    scale: int
    default_weight: int
    transformed_url_length: int = 23
    emoji_parsing_enabled: bool = False
    ranges: tuple[tuple[int, int, int], ...] = ()  # (start, end inclusive, weight)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TextConfig:
        try:
            return cls(
                version=int(data["version"]),
                max_weighted_tweet_length=int(data["maxWeightedTweetLength"]),
                scale=int(data["scale"]),
                default_weight=int(data["defaultWeight"]),
                transformed_url_length=int(data.get("transformedURLLength", 23)),
                emoji_parsing_enabled=bool(data.get("emojiParsingEnabled", False)),
                ranges=tuple(
                    (int(r["start"]), int(r["end"]), int(r["weight"]))
                    for r in data.get("ranges", ())
                ),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"twitter-text config: missing or bad field {exc}") from None


@dataclass(frozen=True, slots=True)
class ParsedTweet:
    """twitter-text's parse result; ranges are inclusive UTF-16 indices."""

    weighted_length: int
    valid: bool
    permillage: int
    display_range_start: int
    display_range_end: int
    valid_range_start: int
    valid_range_end: int

    def as_dict(self) -> dict[str, int | bool]:
        """The result under twitter-text's own (camelCase) field names."""
        return {
            "weightedLength": self.weighted_length,
            "valid": self.valid,
            "permillage": self.permillage,
            "displayRangeStart": self.display_range_start,
            "displayRangeEnd": self.display_range_end,
            "validRangeStart": self.valid_range_start,
            "validRangeEnd": self.valid_range_end,
        }


@cache
def load_config(name: str) -> TextConfig:
    """A shipped config by name: ``"v1"``, ``"v2"`` or ``"v3"``."""
    if name not in ("v1", "v2", "v3"):
        raise ValueError(f"unknown twitter-text config {name!r}: expected v1, v2 or v3")
    text = resources.files("hubbub.text").joinpath("data", f"{name}.json").read_text("utf-8")
    return TextConfig.from_json(json.loads(text))


# --- per-config weighing ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Weigher:
    config: TextConfig
    ascii_weight: int | None  # the weight of every ASCII code point, if uniform
    # (pattern of the code points OUTSIDE one weight's ranges, that weight's delta
    # from the default): deleting the outsiders and measuring what is left counts
    # the insiders in C, and is fastest when the outsiders are few (they are).
    classes: tuple[tuple[re.Pattern[str], int], ...]

    def weigh(self, text: str) -> int:
        """The summed weight of every code point of ``text`` (no URLs, no emoji)."""
        if self.ascii_weight is not None and text.isascii():
            return self.ascii_weight * len(text)
        total = self.config.default_weight * len(text)
        for outside, delta in self.classes:
            total += delta * len(outside.sub("", text))
        return total

    def weight_of(self, char: str) -> int:
        cp = ord(char)
        for start, end, weight in self.config.ranges:
            if start <= cp <= end:
                return weight
        return self.config.default_weight


def _char_class(bounds: list[tuple[int, int]]) -> str:
    return "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in bounds)


@cache
def _weigher(config: TextConfig) -> _Weigher:
    by_weight: dict[int, list[tuple[int, int]]] = {}
    for start, end, weight in config.ranges:
        if weight != config.default_weight:
            by_weight.setdefault(weight, []).append((start, end))
    classes = tuple(
        (re.compile(f"[^{_char_class(bounds)}]"), weight - config.default_weight)
        for weight, bounds in by_weight.items()
    )
    ascii_weights = {_Weigher(config, None, ()).weight_of(chr(c)) for c in range(128)}
    ascii_weight = ascii_weights.pop() if len(ascii_weights) == 1 else None
    return _Weigher(config, ascii_weight, classes)


# --- emoji -------------------------------------------------------------------------------


def _emoji_table() -> tuple[frozenset[str], tuple[int, ...], re.Pattern[str], str]:
    keys = frozenset(k for k in emoji.EMOJI_DATA if k not in ("\u00a9", "\u00ae"))
    lengths = tuple(sorted({len(k) for k in keys}, reverse=True))
    firsts = sorted({ord(k[0]) for k in keys if not k[0].isascii()})
    # Coarse ranges of possible first code points (gaps under 512 merged): a
    # short class scans fast; the set lookup below rejects the false hits.
    bounds: list[tuple[int, int]] = []
    lo = hi = firsts[0]
    for cp in firsts[1:]:
        if cp - hi > 512:
            bounds.append((lo, hi))
            lo = cp
        hi = cp
    bounds.append((lo, hi))
    candidates = re.compile(f"[{_char_class(bounds)}]|[#*0-9](?=[\\ufe0f\\u20e3])")
    # Below this code point a text can hold no emoji: keycaps need U+20E3 or
    # U+FE0F, and bare (c) and (r) are not counted.
    floor = chr(min([cp for cp in firsts if cp > 0xAE] + [0x20E3]))
    return keys, lengths, candidates, floor


_EMOJI, _EMOJI_LENGTHS, _EMOJI_CANDIDATES, _EMOJI_FLOOR = _emoji_table()


def emoji_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` code-point spans of the emoji sequences in ``text``, longest first."""
    if text.isascii() or max(text) < _EMOJI_FLOOR:
        return []
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _EMOJI_CANDIDATES.finditer(text):
        i = m.start()
        if i < pos:
            continue
        for length in _EMOJI_LENGTHS:
            if text[i : i + length] in _EMOJI:
                pos = i + length
                spans.append((i, pos))
                break
    return spans


# --- parse_tweet ------------------------------------------------------------------------


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _utf16_len(text: str) -> int:
    if text.isascii():
        return len(text)
    return len(text) + len(_ASTRAL.findall(text))


@cache
def _named(name: str) -> _Weigher:
    return _weigher(load_config(name))


def parse_tweet(
    text: str, config: str | TextConfig = "v3", *, urls: Sequence[Entity] | None = None
) -> ParsedTweet:
    """twitter-text's ``parseTweet`` under ``config`` (a shipped name or a TextConfig).

    ``urls`` may pass in ``extract_urls_with_indices(text)`` when the caller
    already has them (see :func:`analyze`); they are used only when ``text`` is
    already NFC, as the count runs on the normalised text.
    """
    weigher = _named(config) if isinstance(config, str) else _weigher(config)
    cfg = weigher.config
    if not text:
        return ParsedTweet(0, False, 0, 0, 0, 0, 0)
    is_ascii = text.isascii()
    norm = (
        text
        if is_ascii or unicodedata.is_normalized("NFC", text)
        else (unicodedata.normalize("NFC", text))
    )
    url_weight = cfg.transformed_url_length * cfg.scale
    # (start, end, weight) of every unit that does not weigh per code point
    if urls is None or norm is not text:
        urls = extract_urls_with_indices(norm)
    units: list[tuple[int, int, int]] = [(e.start, e.end, url_weight) for e in urls]
    if cfg.emoji_parsing_enabled and not is_ascii:
        spans = emoji_spans(norm)
        if spans:
            if units:
                spans = [(s, e) for s, e in spans if not any(us <= s < ue for us, ue, _ in units)]
            units.extend((s, e, cfg.default_weight) for s, e in spans)
            units.sort()

    weight = weigher.weigh(norm)
    for start, end, unit_weight in units:
        weight += unit_weight - weigher.weigh(norm[start:end])

    max_scaled = cfg.max_weighted_tweet_length * cfg.scale
    text16 = len(text) if is_ascii else _utf16_len(text)
    has_invalid = not is_ascii and ("\ufffe" in norm or "\ufeff" in norm or "\uffff" in norm)
    if weight <= max_scaled and not has_invalid:
        valid_end = text16 - 1
    else:
        valid_end = _valid_end(norm, units, weigher, max_scaled) + text16 - _utf16_len(norm)

    weighted_length = weight // cfg.scale
    valid = not has_invalid and 0 < weighted_length <= cfg.max_weighted_tweet_length
    permillage = weighted_length * 1000 // cfg.max_weighted_tweet_length
    return ParsedTweet(weighted_length, valid, permillage, 0, text16 - 1, 0, valid_end)


def _valid_end(
    norm: str, units: list[tuple[int, int, int]], weigher: _Weigher, max_scaled: int
) -> int:
    """The UTF-16 index of the last code unit of the last unit that still fits."""
    by_start = {start: (end, w) for start, end, w in units}
    weight = 0
    index16 = -1  # UTF-16 index of the last code unit seen
    valid_end = 0
    valid = True
    i = 0
    n = len(norm)
    while i < n:
        unit = by_start.get(i)
        if unit is not None:
            end, w = unit
            piece = norm[i:end]
            index16 += len(piece) + sum(1 for c in piece if c > "\uffff")
            weight += w
            i = end
        else:
            c = norm[i]
            index16 += 2 if c > "\uffff" else 1
            weight += weigher.weight_of(c)
            if valid and c in _INVALID:
                valid = False
            i += 1
        if valid and weight <= max_scaled:
            valid_end = index16
    return valid_end


def analyze(text: str, config: str | TextConfig = "v3") -> tuple[Entities, ParsedTweet]:
    """:func:`~hubbub.text.extract.extract_entities` and :func:`parse_tweet`
    together, finding the URLs once (the costliest step of both)."""
    urls = extract_urls_with_indices(text) if text else []
    return extract_entities(text, urls), parse_tweet(text, config, urls=urls)
