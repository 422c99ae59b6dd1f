"""Validation of single tokens: usernames, lists, hashtags, URLs, whole posts.

Ports twitter-text's ``Validator`` (Apache-2.0, see ``data/LICENSE-twitter-text``).
The URL check is twitter-text's RFC 3986-based one (``validate_url_*`` in the
Ruby implementation): split the URL with RFC 3986 Appendix B, then require each
part to match its grammar. It is stricter than extraction on purpose: it answers
"is this string a well-formed http(s) URL", which the composer needs before it
wraps a link for tracking.
"""

from __future__ import annotations

import regex

from hubbub.text import regexes as rx
from hubbub.text.extract import extract_hashtags_with_indices, extract_mentioned_screen_names
from hubbub.text.length import TextConfig, parse_tweet

__all__ = [
    "is_valid_hashtag",
    "is_valid_list",
    "is_valid_tweet_text",
    "is_valid_url",
    "is_valid_username",
]

_UNRESERVED = "[a-zA-Z\\p{Cyrillic}0-9\\-._~]"
_PCT_ENCODED = "(?:%[0-9a-fA-F]{2})"
_SUB_DELIMS = "[!$&'()*+,;=]"
_PCHAR = f"(?:{_UNRESERVED}|{_PCT_ENCODED}|{_SUB_DELIMS}|[:\\|@])"
_SCHEME = "(?:[a-zA-Z][a-zA-Z0-9+\\-.]*)"
_USERINFO = f"(?:{_UNRESERVED}|{_PCT_ENCODED}|{_SUB_DELIMS}|:)*"
_DEC_OCTET = "(?:[0-9]|(?:[1-9][0-9])|(?:1[0-9]{2})|(?:2[0-4][0-9])|(?:25[0-5]))"
_IPV4 = f"(?:{_DEC_OCTET}(?:\\.{_DEC_OCTET}){{3}})"
_IPV6 = "(?:\\[[a-fA-F0-9:\\.]+\\])"  # as upstream: not a real IPv6 check
_IP = f"(?:{_IPV4}|{_IPV6})"
_SUBDOMAIN_SEGMENT = "(?:[a-zA-Z0-9](?:[a-zA-Z0-9_\\-]*[a-zA-Z0-9])?)"
_DOMAIN_SEGMENT = "(?:[a-zA-Z0-9](?:[a-zA-Z0-9\\-]*[a-zA-Z0-9])?)"
_DOMAIN_TLD = "(?:[a-zA-Z](?:[a-zA-Z0-9\\-]*[a-zA-Z0-9])?)"
_DOMAIN = f"(?:(?:{_SUBDOMAIN_SEGMENT}\\.)*(?:{_DOMAIN_SEGMENT}\\.){_DOMAIN_TLD})"
_HOST = f"(?:{_IP}|{_DOMAIN})"
_U = "[^\\x00-\\x7f]"
_UNICODE_SUBDOMAIN_SEGMENT = (
    f"(?:(?:[a-zA-Z0-9]|{_U})(?:(?:[a-zA-Z0-9_\\-]|{_U})*(?:[a-zA-Z0-9]|{_U}))?)"
)
_UNICODE_DOMAIN_SEGMENT = (
    f"(?:(?:[a-zA-Z0-9]|{_U})(?:(?:[a-zA-Z0-9\\-]|{_U})*(?:[a-zA-Z0-9]|{_U}))?)"
)
_UNICODE_DOMAIN_TLD = f"(?:(?:[a-zA-Z]|{_U})(?:(?:[a-zA-Z0-9\\-]|{_U})*(?:[a-zA-Z0-9]|{_U}))?)"
_UNICODE_DOMAIN = (
    f"(?:(?:{_UNICODE_SUBDOMAIN_SEGMENT}\\.)*(?:{_UNICODE_DOMAIN_SEGMENT}\\.){_UNICODE_DOMAIN_TLD})"
)
_UNICODE_HOST = f"(?:{_IP}|{_UNICODE_DOMAIN})"
_PORT = "[0-9]{1,5}"

_AUTHORITY = regex.compile(f"(?:({_USERINFO})@)?({_HOST})(?::({_PORT}))?")
_UNICODE_AUTHORITY = regex.compile(f"(?:({_USERINFO})@)?({_UNICODE_HOST})(?::({_PORT}))?")
_PATH = regex.compile(f"(/{_PCHAR}*)*")
_QUERY = regex.compile(f"(?:{_PCHAR}|/|\\?)*")
_FRAGMENT = _QUERY
_SCHEME_RE = regex.compile(_SCHEME)
_UNENCODED = regex.compile(
    "(?:([^:/?#]+)://)?([^/?#]*)([^?#]*)(?:\\?([^#]*))?(?:\\#(.*))?", regex.DOTALL
)


def _full(pattern: regex.Pattern[str], value: str) -> bool:
    return pattern.fullmatch(value) is not None


def is_valid_url(url: str, *, unicode_domains: bool = True, require_protocol: bool = True) -> bool:
    """Whether ``url`` is a well-formed http(s) URL by twitter-text's rules."""
    if not url:
        return False
    parts = _UNENCODED.fullmatch(url)
    if parts is None:
        return False
    scheme, authority, path, query, fragment = parts.groups()
    if require_protocol and not (
        scheme and _full(_SCHEME_RE, scheme) and scheme.lower() in ("http", "https")
    ):
        return False
    if not _full(_PATH, path or ""):
        return False
    if query and not _full(_QUERY, query):
        return False
    if fragment and not _full(_FRAGMENT, fragment):
        return False
    return _full(_UNICODE_AUTHORITY if unicode_domains else _AUTHORITY, authority or "")


def is_valid_username(username: str) -> bool:
    """``@name``: exactly one mention, the whole string."""
    if not username:
        return False
    names = extract_mentioned_screen_names(username)
    return len(names) == 1 and names[0] == username[1:]


def is_valid_list(username_list: str) -> bool:
    """``@name/slug``: a list reference and nothing else."""
    m = rx.VALID_MENTION_OR_LIST.match(username_list)
    return bool(m and m.group(1) == "" and m.group(4) and m.end() == len(username_list))


def is_valid_hashtag(hashtag: str) -> bool:
    """``#tag``: exactly one hashtag, the whole string."""
    if not hashtag:
        return False
    tags = extract_hashtags_with_indices(hashtag)
    return len(tags) == 1 and tags[0].value == hashtag[1:]


def is_valid_tweet_text(text: str, config: str | TextConfig = "v3") -> bool:
    """Whether ``text`` fits a post under ``config`` and holds no invalid character."""
    return parse_tweet(text, config).valid
