"""Tokenisation of post text and query keywords, the way X's matcher does it.

X documents keyword matching as *tokenised*: text is split on punctuation,
symbols and separators, and a keyword matches a whole token, so ``bake`` does
not match ``baker`` and ``coca-cola`` is the two tokens ``coca cola``. Emoji
are tokens of their own (``🍞`` matches "fresh🍞today"). Both sides go
through :func:`tokenize`, so query and post can never disagree on what a word is.

Hand-written with the ``regex`` module rather than a tokenizer library because
the rule is exactly this one regular expression and must be identical for queries
and posts; NLP tokenizers keep punctuation tokens and split contractions in ways
X does not.
"""

from __future__ import annotations

import re
import unicodedata

import regex

__all__ = ["fold", "tokenize"]

# An emoji: a pictographic character with its modifiers / ZWJ sequence, a flag
# (pair of regional indicators) or a keycap. Otherwise a run of letters, marks,
# digits and underscores.
_TOKEN = regex.compile(
    r"[\U0001F1E6-\U0001F1FF]{2}"
    r"|[0-9#*]\uFE0F?\u20E3"
    r"|\p{Extended_Pictographic}(?:\uFE0F|[\U0001F3FB-\U0001F3FF]|\u200D\p{Extended_Pictographic}\uFE0F?)*"
    r"|[\p{L}\p{M}\p{N}_]+",
    regex.V1,
)


def fold(text: str) -> str:
    """Case- and width-fold ``text`` (NFKC + casefold) and drop emoji variation selectors."""
    if text.isascii():  # NFKC leaves ASCII alone and casefold is lower() there
        return text.lower()
    return unicodedata.normalize("NFKC", text).casefold().replace("\ufe0f", "")


# ASCII text has no emoji, keycaps, marks or width variants: folding is lower() and a
# token is a run of [a-z0-9_], which the standard ``re`` finds several times faster.
_ASCII_TOKEN = re.compile(r"[a-z0-9_]+")


def tokenize(text: str) -> list[str]:
    """The folded tokens of ``text``: whole words and emoji, punctuation dropped."""
    if text.isascii():
        return _ASCII_TOKEN.findall(text.lower())
    return _TOKEN.findall(fold(text))  # fold already dropped every U+FE0F
