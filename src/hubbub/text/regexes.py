"""twitter-text's regular expressions, ported to Python's ``regex`` module.

Ported from twitter-text's Java ``Regex.java`` (the newest of the reference
implementations, the one whose URL rules the 2021 conformance suite tests), with
the JavaScript implementation consulted where the two differ. twitter-text is
Copyright Twitter, Inc. and licensed under the Apache License 2.0; see
``data/LICENSE-twitter-text``.

Why ``regex`` and not ``re``: the rules need Unicode property classes
(``\\p{L}``, ``\\p{M}``, ``\\p{Nd}``, ``\\p{Z}``, the General Punctuation block),
possessive quantifiers and atomic groups (which keep the URL pattern from
backtracking exponentially), and a variable-width look-behind (``(?<=https?://)``);
``re`` has only some of these.

Case: Java compiles these patterns with ``CASE_INSENSITIVE``, which folds ASCII
only. Python's IGNORECASE folds Unicode (``[a-z]`` would then match the Kelvin
sign and long s), so ASCII classes are spelled ``[a-zA-Z]`` and only the TLD
alternatives (``[cC][oO][mM]``) and the scheme (``(?i:...)``) fold case.
Java's ``\\s`` and ``\\p{Punct}`` are ASCII-only, so they are spelled out too.
"""

from __future__ import annotations

import re
from typing import Any

import regex

from hubbub.text._tlds import CCTLDS, GTLDS

__all__ = [
    "AT_SIGNS",
    "DIRECTIONAL_CHARACTERS",
    "END_HASHTAG_MATCH",
    "END_MENTION_MATCH",
    "HASH_SIGNS",
    "INVALID_CHARACTERS",
    "INVALID_URL_WITHOUT_PROTOCOL_PRECEDING",
    "RTL_CHARACTERS",
    "TLDS",
    "UNICODE_SPACES",
    "URL_BREAK",
    "URL_BREAK_BEFORE",
    "URL_TLD_CANDIDATE",
    "VALID_CASHTAG",
    "VALID_DOMAIN",
    "VALID_HASHTAG",
    "VALID_HASHTAG_ASCII",
    "VALID_MENTION_OR_LIST",
    "VALID_REPLY",
    "VALID_TCO_URL",
    "VALID_URL",
]

_FLAGS = regex.VERSION0

INVALID_CHARACTERS = "\ufffe\ufeff\uffff"
DIRECTIONAL_CHARACTERS = (
    "\u061c"  # ARABIC LETTER MARK
    "\u200e\u200f"  # LRM, RLM
    "\u202a\u202b\u202c\u202d\u202e"  # LRE, RLE, PDF, LRO, RLO
    "\u2066\u2067\u2068\u2069"  # LRI, RLI, FSI, PDI
)
_SPACES = (
    "\\u0009-\\u000d\\u0020\\u0085\\u00a0\\u1680\\u180e\\u2000-\\u200a"
    "\\u2028\\u2029\\u202f\\u205f\\u3000"
)
UNICODE_SPACES = f"[{_SPACES}]"
_DIRECTIONAL = f"[{DIRECTIONAL_CHARACTERS}]"
_JAVA_SPACE = "[ \\t\\n\\x0b\\f\\r]"  # Java's \s (ASCII)
# Unicode general category Z (Zs, Zl, Zp), spelled out for ``re``
_UNICODE_Z = "\\u0020\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
_ASCII_PUNCT = "[!-/:-@\\[-`{-~]"  # Java's \p{Punct} (ASCII)

_LATIN_ACCENTS = (
    "\\u00c0-\\u00d6\\u00d8-\\u00f6\\u00f8-\\u00ff\\u0100-\\u024f"
    "\\u0253\\u0254\\u0256\\u0257\\u0259\\u025b\\u0263\\u0268\\u026f\\u0272\\u0289\\u028b"
    "\\u02bb\\u0300-\\u036f\\u1e00-\\u1eff"
)
_CYRILLIC = "\\u0400-\\u04ff"

# Letters and marks for hashtags. twitter-text adds code points its Unicode
# tables lacked; the ``regex`` module's current tables already hold the astral
# ones, so only the BMP extras (several are private-use) are listed.
_HASHTAG_LETTERS_AND_MARKS = (
    "\\p{L}\\p{M}"
    "\\u037f\\u0528-\\u052f\\u08a0-\\u08b2\\u08e4-\\u08ff\\u0978\\u0980\\u0c00\\u0c34\\u0c81"
    "\\u0d01\\u0ede\\u0edf\\u10c7\\u10cd\\u10fd-\\u10ff\\u16f1-\\u16f8\\u17b4\\u17b5\\u191d"
    "\\u191e\\u1ab0-\\u1abe\\u1bab-\\u1bad\\u1bba-\\u1bbf\\u1cf3-\\u1cf6\\u1cf8\\u1cf9"
    "\\u1de7-\\u1df5\\u2cf2\\u2cf3\\u2d27\\u2d2d\\u2d66\\u2d67\\u9fcc\\ua674-\\ua67b\\ua698"
    "-\\ua69d\\ua69f\\ua792-\\ua79f\\ua7aa-\\ua7ad\\ua7b0\\ua7b1\\ua7f7-\\ua7f9\\ua9e0-"
    "\\ua9ef\\ua9fa-\\ua9fe\\uaa7c-\\uaa7f\\uaae0-\\uaaef\\uaaf2-\\uaaf6\\uab30-\\uab5a"
    "\\uab5c-\\uab5f\\uab64\\uab65\\uf870-\\uf87f\\uf882\\uf884-\\uf89f\\uf8b8\\uf8c1-"
    "\\uf8d6\\ufa2e\\ufa2f\\ufe27-\\ufe2d"
)
_HASHTAG_NUMERALS = "\\p{Nd}\\u0de6-\\u0def\\ua9f0-\\ua9f9"
_HASHTAG_SPECIAL = (
    "_\\u200c\\u200d\\ua67e\\u05be\\u05f3\\u05f4\\uff5e\\u301c\\u309b\\u309c"
    "\\u30a0\\u30fb\\u3003\\u0f0b\\u0f0c\\u00b7"
)
_HASHTAG_LN = _HASHTAG_LETTERS_AND_MARKS + _HASHTAG_NUMERALS + _HASHTAG_SPECIAL
_HASHTAG_LETTERS_SET = f"[{_HASHTAG_LETTERS_AND_MARKS}]"
_HASHTAG_LN_SET = f"[{_HASHTAG_LN}]"

HASH_SIGNS = "#\uff03"
AT_SIGNS = "@\uff20"

#: groups: 1 before, 2 hash sign, 3 tag
VALID_HASHTAG = regex.compile(
    f"(^|\\ufe0e|\\ufe0f|[^&{_HASHTAG_LN}])([{HASH_SIGNS}])(?![\\ufe0f\\u20e3])"
    f"({_HASHTAG_LN_SET}*{_HASHTAG_LETTERS_SET}{_HASHTAG_LN_SET}*)",
    _FLAGS,
)
#: VALID_HASHTAG restricted to ASCII text, where letters, marks, numerals and
#: the special characters reduce to ``[A-Za-z0-9_]``: the same matches, through
#: the faster standard ``re``, for the common all-ASCII post
VALID_HASHTAG_ASCII = re.compile("(^|[^&A-Za-z0-9_])(#)([A-Za-z0-9_]*[A-Za-z][A-Za-z0-9_]*)")
END_HASHTAG_MATCH = re.compile(f"[{HASH_SIGNS}]|://")
RTL_CHARACTERS = re.compile("[\u0600-\u06ff\u0750-\u077f\u0590-\u05ff\ufe70-\ufeff]")

#: groups: 1 before, 2 at signs, 3 screen name, 4 list slug (with its ``/``)
VALID_MENTION_OR_LIST = re.compile(
    f"([^a-zA-Z0-9_!#$%&*{AT_SIGNS}]|^|(?:^|[^a-zA-Z0-9_+~.-])[rR][tT]:?)"
    f"([{AT_SIGNS}]+)([a-zA-Z0-9_]{{1,20}})(/[a-zA-Z][a-zA-Z0-9_\\-]{{0,24}})?"
)
#: group 1: screen name
VALID_REPLY = re.compile(f"^(?:{UNICODE_SPACES}|{_DIRECTIONAL})*[{AT_SIGNS}]([a-zA-Z0-9_]{{1,20}})")
END_MENTION_MATCH = re.compile(f"[{AT_SIGNS}{_LATIN_ACCENTS}]|://")

# --- URLs ---------------------------------------------------------------------


def _alternation(words: tuple[str, ...]) -> str:
    """The words as one pattern shaped like a trie.

    A flat alternation of 1,500 TLDs makes the engine try every word at every
    candidate position (tens of microseconds each); a trie tries one branch per
    character. Each node tries its longer continuations before ending, so the
    longest TLD wins, as in twitter-text's longest-first alternation.
    """
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word.lower():
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie(trie)


def _char(c: str) -> str:
    # ASCII-only case folding, as Java's CASE_INSENSITIVE
    return f"[{c}{c.upper()}]" if c.isascii() and c.isalpha() else regex.escape(c)


def _trie(node: dict[str, Any]) -> str:
    branches = [_char(c) + _trie(child) for c, child in sorted(node.items()) if c]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" in node:
        return f"(?:{body})?"
    return body


#: every TLD, lower case
TLDS: frozenset[str] = frozenset(GTLDS) | frozenset(CCTLDS)

_VALID_GTLD = f"(?:{_alternation(GTLDS)}(?=[^a-zA-Z0-9@+-]|$))"
_VALID_CCTLD = f"(?:{_alternation(CCTLDS)}(?=[^a-zA-Z0-9@+-]|$))"
_PUNYCODE = "(?:(?i:xn--)[-0-9a-zA-Z]+)"

_URL_VALID_PRECEDING = (
    f"(?:[^a-zA-Z0-9@\uff20$#\uff03{INVALID_CHARACTERS}]|[{DIRECTIONAL_CHARACTERS}]|^)"
)
_URL_VALID_CHARS = f"[a-zA-Z0-9{_LATIN_ACCENTS}]"
_URL_VALID_SUBDOMAIN = (
    f"(?>(?:{_URL_VALID_CHARS}[a-zA-Z0-9{_LATIN_ACCENTS}\\-_]*)?{_URL_VALID_CHARS}\\.)"
)
_URL_VALID_DOMAIN_NAME = (
    f"(?:(?:{_URL_VALID_CHARS}[a-zA-Z0-9{_LATIN_ACCENTS}\\-]*)?{_URL_VALID_CHARS}\\.)"
)
_PUNCTUATION = "\\-_!\"#$%&'\\(\\)*+,./:;<=>?@\\[\\]^`\\{|}~"
_URL_VALID_UNICODE_CHARS = (
    f"[^{_PUNCTUATION} \\t\\n\\x0b\\f\\r{_UNICODE_Z}\\u2000-\\u206f]"  # Z, General Punctuation
)
_URL_VALID_UNICODE_DOMAIN_NAME = (
    f"(?:(?:{_URL_VALID_UNICODE_CHARS}(?:{_URL_VALID_UNICODE_CHARS}|\\-)*)?"
    f"{_URL_VALID_UNICODE_CHARS}\\.)"
)
_URL_VALID_DOMAIN = (
    f"(?:{_URL_VALID_SUBDOMAIN}*{_URL_VALID_DOMAIN_NAME}"
    f"(?:{_VALID_GTLD}|{_VALID_CCTLD}|{_PUNYCODE}))"
    f"|(?:(?:(?<=[hH][tT][tT][pP]://)|(?<=[hH][tT][tT][pP][sS]://))"
    f"(?:(?:{_URL_VALID_DOMAIN_NAME}{_VALID_CCTLD})"
    f"|(?:{_URL_VALID_UNICODE_DOMAIN_NAME}(?:{_VALID_GTLD}|{_VALID_CCTLD}))))"
    f"|(?:{_URL_VALID_DOMAIN_NAME}{_VALID_CCTLD}(?=/))"
)
_URL_VALID_PORT = "[0-9]++"
_URL_PATH_CHARS = (
    f"[a-zA-Z0-9!\\*';:=\\+,.\\$/%#\\[\\]\\-\\u2013_~\\|&@{_LATIN_ACCENTS}{_CYRILLIC}]"
)
_URL_BALANCED_PARENS = (
    f"\\((?:{_URL_PATH_CHARS}+|(?:{_URL_PATH_CHARS}*\\({_URL_PATH_CHARS}+\\){_URL_PATH_CHARS}*))\\)"
)
_URL_PATH_ENDING = f"[a-zA-Z0-9=_#/\\-\\+{_LATIN_ACCENTS}{_CYRILLIC}]|(?:{_URL_BALANCED_PARENS})"
_URL_VALID_PATH = (
    f"(?:(?:{_URL_PATH_CHARS}*(?:{_URL_BALANCED_PARENS}{_URL_PATH_CHARS}*)*{_URL_PATH_ENDING})"
    f"|(?:@{_URL_PATH_CHARS}+/))"
)
_URL_QUERY_CHARS = "[a-zA-Z0-9!?\\*'\\(\\);:&=\\+\\$/%#\\[\\]\\-_\\.,~\\|@]"
_URL_QUERY_ENDING = "[a-zA-Z0-9\\-_&=#/]"

#: groups: 1 all, 2 before, 3 url, 4 protocol, 5 domain, 6 port, 7 path, 8 query
VALID_URL = re.compile(
    f"(({_URL_VALID_PRECEDING})"
    f"(((?i:https?://))?"
    f"({_URL_VALID_DOMAIN})"
    f"(?::({_URL_VALID_PORT}))?"
    f"(/{_URL_VALID_PATH}*+)?"
    f"(\\?{_URL_QUERY_CHARS}*{_URL_QUERY_ENDING})?))"
)
#: group 1: the t.co slug
VALID_TCO_URL = re.compile(
    f"^(?i:https?://t\\.co/)([a-zA-Z0-9]+)(?:\\?{_URL_QUERY_CHARS}*{_URL_QUERY_ENDING})?"
)
#: what can follow the ``.`` before a TLD: an ASCII word (checked against the
#: TLD set by the caller), a word running into non-ASCII, or punycode
URL_TLD_CANDIDATE = re.compile(
    "\\.(?:([a-zA-Z][a-zA-Z0-9]*)(?=(?![a-zA-Z0-9@+-])[\\x00-\\x7f]|$)"
    "|[a-zA-Z0-9]*[^\\x00-\\x7f]|[xX][nN]--)"
)
# ASCII whitespace (Java's \s) and Unicode Z (Zs, Zl, Zp): no part of a URL
# match can hold one, so URLs lie between two of them.
_URL_BREAK_CHARS = f" \\t\\n\\x0b\\f\\r{_UNICODE_Z}"
URL_BREAK = re.compile(f"[{_URL_BREAK_CHARS}]")
URL_BREAK_BEFORE = regex.compile(f"(?r)[{_URL_BREAK_CHARS}]", _FLAGS)
INVALID_URL_WITHOUT_PROTOCOL_PRECEDING = re.compile("[-_./]$")
VALID_DOMAIN = re.compile(_URL_VALID_DOMAIN)

#: groups: 1 before, 2 dollar sign, 3 cashtag
VALID_CASHTAG = re.compile(
    f"(^|{UNICODE_SPACES}|{_DIRECTIONAL})(\\$)([a-zA-Z]{{1,6}}(?:[._][a-zA-Z]{{1,2}})?)"
    f"(?=$|{_JAVA_SPACE}|{_ASCII_PUNCT})"
)
