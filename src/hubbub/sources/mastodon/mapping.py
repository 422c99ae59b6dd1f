"""Mastodon's Status and Account entities as hubbub's Post and Account.

A status's ``content`` is HTML. :func:`html_text` turns it into the plain text the
pipeline reads: paragraphs become blank lines, ``<br>`` a newline, a link its full
``href`` (Mastodon shortens the visible text with ``invisible``/``ellipsis`` spans),
a hashtag link its ``#tag`` and a mention link the account's full address
``@user@instance``, whatever the server displayed. The full form is what hubbub's
queries and handles use (``@larkspur@mastodon.social``), and it says which
``larkspur`` is meant. twitter-text (:mod:`hubbub.text`) then finds the hashtags, URLs
and cashtags as for any network; it does not take ``@user@instance`` as a mention,
so those spans are the ones recorded while converting.

An account's handle is likewise always ``user@instance``: Mastodon's ``acct`` omits
the instance for the server's own accounts, so it comes from the profile URL.
Everything of a status stays in ``raw``, as the server sent it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from html import unescape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from hubbub import codec
from hubbub.model import Account, Entities, Media, Metrics, Post, Provenance, Span
from hubbub.text import extract_entities

__all__ = [
    "MappingError",
    "account_from_json",
    "full_handle",
    "html_text",
    "status_post",
    "statuses_posts",
]

_MEDIA_KINDS = {"image": "photo", "gifv": "animated_gif", "video": "video", "audio": "audio"}
_LOCATION_FIELDS = frozenset({"location", "place", "where", "town", "city", "based in"})
_BLOCKS = frozenset({"p", "div", "blockquote", "li", "ul", "ol", "pre", "h1", "h2", "h3"})


class MappingError(ValueError):
    """A status or account cannot become a Post or Account; the message says which field."""


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _time(value: Any, what: str) -> datetime:
    if not isinstance(value, str):
        raise MappingError(f"{what} is missing")
    try:
        return codec.parse_datetime(value)
    except ValueError:
        raise MappingError(f"{what} {value!r} is not an ISO 8601 time") from None


def full_handle(acct: str, profile_url: str) -> str:
    """``user@instance`` from an ``acct`` (bare for the server's own accounts) and profile URL."""
    acct = acct.lstrip("@")
    if "@" in acct or not acct:
        return acct
    host = urlsplit(profile_url).hostname
    return f"{acct}@{host}" if host else acct


# --- HTML to text ------------------------------------------------------------------------


@dataclass
class _Anchor:
    href: str
    classes: frozenset[str]
    parts: list[str] = field(default_factory=list)


class _Content(HTMLParser):
    """Mastodon's status HTML as text, recording where each mention went."""

    def __init__(self, mentions: dict[str, str]) -> None:
        super().__init__(convert_charrefs=True)
        self.mentions = mentions  # profile URL -> full handle
        self.out: list[str] = []
        self.length = 0
        self.spans: list[Span] = []
        self.anchor: _Anchor | None = None

    def _emit(self, text: str) -> None:
        if self.anchor is not None:
            self.anchor.parts.append(text)
            return
        self.out.append(text)
        self.length += len(text)

    def _break(self, text: str) -> None:
        if self.out:  # no leading blank lines
            self._emit(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "br":
            self._emit("\n")
        elif tag in _BLOCKS:
            self._break("\n\n")
        elif tag == "a" and self.anchor is None:
            classes = frozenset(values.get("class", "").split())
            self.anchor = _Anchor(values.get("href", ""), classes)

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self._break("\n\n")
        elif tag == "a" and self.anchor is not None:
            anchor, self.anchor = self.anchor, None
            self._anchor(anchor)

    def handle_data(self, data: str) -> None:
        self._emit(data)

    def _anchor(self, anchor: _Anchor) -> None:
        shown = "".join(anchor.parts)
        if "hashtag" in anchor.classes or shown.startswith("#"):
            self._emit(shown)
            return
        handle = self.mentions.get(anchor.href)
        if handle is None and "mention" in anchor.classes and shown.startswith("@"):
            handle = full_handle(shown[1:], anchor.href)
        if handle:
            start = self.length
            self._emit(f"@{handle}")
            self.spans.append(Span(handle, start, self.length))
            return
        href = anchor.href
        if not href.lower().startswith(("http://", "https://")) or shown.strip() == href:
            self._emit(shown)
        elif shown.strip().lower().startswith(("http", "www.")) or not shown.strip():
            self._emit(href)  # Mastodon's shortened display of a link
        else:
            self._emit(f"{shown} ({href})")  # a link with its own words (other servers)


def _tidy(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def html_text(
    content: str, mentions: Sequence[dict[str, Any]] = ()
) -> tuple[str, tuple[Span, ...]]:
    """Plain text of a status's HTML ``content`` and the spans of its ``@user@instance``."""
    if "<" not in content:  # plain text (most profile fields): nothing to parse
        return _tidy(unescape(content)), ()
    by_url = {
        _str(m.get("url")): full_handle(_str(m.get("acct")), _str(m.get("url")))
        for m in mentions
        if isinstance(m, dict) and m.get("url") and m.get("acct")
    }
    parser = _Content(by_url)
    parser.feed(content)
    parser.close()
    if parser.anchor is not None:  # an unclosed <a>
        anchor, parser.anchor = parser.anchor, None
        parser._anchor(anchor)
    raw = "".join(parser.out)
    text = _tidy(raw)
    if text == raw:
        return text, tuple(parser.spans)
    # whitespace was tidied: find each mention again in order
    spans: list[Span] = []
    at = 0
    for span in parser.spans:
        found = text.find(f"@{span.text}", at)
        if found >= 0:
            spans.append(Span(span.text, found, found + len(span.text) + 1))
            at = found + len(span.text) + 1
    return text, tuple(spans)


# --- entities --------------------------------------------------------------------------


def account_from_json(account: Any) -> Account:
    """A Mastodon Account entity as an :class:`Account` (handle ``user@instance``)."""
    if not isinstance(account, dict):
        raise MappingError("account is missing")
    aid, acct = account.get("id"), _str(account.get("acct")) or _str(account.get("username"))
    if not isinstance(aid, str | int) or isinstance(aid, bool) or not acct:
        raise MappingError("the account has no id or acct")
    url = _str(account.get("url"))
    location = website = ""
    for item in account.get("fields") or []:
        if not isinstance(item, dict):
            continue
        name = _str(item.get("name")).strip().lower()
        value, _ = html_text(_str(item.get("value")))
        if name in _LOCATION_FIELDS and not location:
            location = value
        elif value.startswith(("http://", "https://")) and not website:
            website = value
    avatar, header = _str(account.get("avatar")), _str(account.get("header"))
    created = account.get("created_at")
    bio, _ = html_text(_str(account.get("note")))
    return Account(
        network="mastodon",
        id=str(aid),
        handle=full_handle(acct, url),
        name=_str(account.get("display_name")),
        bio=bio,
        location=location,
        url=website,
        followers=_int(account.get("followers_count")),
        following=_int(account.get("following_count")),
        posts=_int(account.get("statuses_count")),
        created=_time(created, "the account's created_at") if created else None,
        default_avatar=("/avatars/original/missing" in avatar) if avatar else None,
        default_profile=("/headers/original/missing" in header) if header else None,
    )


def _media(status: dict[str, Any]) -> tuple[Media, ...]:
    out: list[Media] = []
    for item in status.get("media_attachments") or []:
        if isinstance(item, dict) and isinstance(item.get("type"), str):
            kind = _MEDIA_KINDS.get(item["type"], str(item["type"]))
            url = _str(item.get("url")) or _str(item.get("remote_url"))
            out.append(Media(kind=kind, url=url, alt=_str(item.get("description"))))
    card = status.get("card")
    if isinstance(card, dict) and card.get("url"):
        out.append(Media(kind="link_card", url=_str(card["url"]), alt=_str(card.get("title"))))
    return tuple(out)


def _entities(text: str, mention_spans: tuple[Span, ...], reply: str | None) -> Entities:
    found = extract_entities(text)
    taken = {(s.start, s.end) for s in mention_spans}
    inside = [range(s.start, s.end) for s in mention_spans]
    others = tuple(
        s
        for s in found.mentions
        if (s.start, s.end) not in taken and not any(s.start in r for r in inside)
    )
    urls = tuple(u for u in found.urls if not any(u.start in r for r in inside))
    mentions = tuple(sorted(mention_spans + others, key=lambda s: s.start))
    return Entities(
        hashtags=found.hashtags,
        mentions=mentions,
        urls=urls,
        cashtags=found.cashtags,
        reply=reply,
    )


def status_post(status: Any, provenance: Provenance | None = None) -> Post:
    """A Mastodon Status entity as a :class:`Post`; raises :class:`MappingError`.

    A boost (``reblog``) is a repost whose text is the boosted status's; a content
    warning (``spoiler_text``) comes first, on its own paragraph.
    """
    if not isinstance(status, dict):
        raise MappingError("expected a status object")
    sid = status.get("id")
    if not isinstance(sid, str | int) or isinstance(sid, bool) or not str(sid):
        raise MappingError("status has no id")
    sid = str(sid)
    try:
        author = account_from_json(status.get("account"))
    except MappingError as exc:
        raise MappingError(f"status {sid}: {exc}") from None
    created = _time(status.get("created_at"), f"status {sid}: created_at")
    reblog = status.get("reblog") if isinstance(status.get("reblog"), dict) else None
    shown: dict[str, Any] = reblog if reblog is not None else status
    if not isinstance(shown.get("content"), str):
        raise MappingError(f"status {sid}: content is missing")
    mentions = [m for m in shown.get("mentions") or [] if isinstance(m, dict)]
    text, spans = html_text(shown["content"], mentions)
    spoiler = _str(shown.get("spoiler_text")).strip()
    if spoiler:
        shift = len(spoiler) + 2
        text = f"{spoiler}\n\n{text}" if text else spoiler
        spans = tuple(Span(s.text, s.start + shift, s.end + shift) for s in spans)

    reply_to = status.get("in_reply_to_id")
    reply_handle = None
    reply_account = status.get("in_reply_to_account_id")
    if reply_account is not None:
        if str(reply_account) == author.id:
            reply_handle = author.handle  # a thread of one's own
        for m in mentions:
            if str(m.get("id")) == str(reply_account):
                reply_handle = full_handle(_str(m.get("acct")), _str(m.get("url")))
    quote = status.get("quote") if isinstance(status.get("quote"), dict) else None
    quoted = quote.get("quoted_status") if quote else None
    application = status.get("application")
    return Post(
        network="mastodon",
        id=sid,
        author=author,
        text=text,
        created=created,
        language=_str(shown.get("language")) or None,
        url=_str(status.get("url")) or _str(status.get("uri")),
        reply_to=str(reply_to) if reply_to is not None else None,
        reply_to_handle=reply_handle,
        quote_of=str(quoted["id"]) if isinstance(quoted, dict) and quoted.get("id") else None,
        repost_of=str(reblog["id"]) if reblog is not None and reblog.get("id") else None,
        entities=_entities(text, spans, reply_handle if reply_to is not None else None),
        metrics=Metrics(
            likes=_int(status.get("favourites_count")),
            reposts=_int(status.get("reblogs_count")),
            replies=_int(status.get("replies_count")),
            quotes=_int(status.get("quotes_count")),
        ),
        client=_str(application.get("name")) if isinstance(application, dict) else "",
        media=_media(shown),
        raw=status,
        provenance=provenance,
    )


def statuses_posts(
    statuses: Any, provenance: Provenance | None = None
) -> tuple[list[Post], list[str]]:
    """The posts of a list of statuses, and a reason for each one that could not be mapped."""
    posts: list[Post] = []
    problems: list[str] = []
    if not isinstance(statuses, list):
        return posts, ["expected a list of statuses"]
    for status in statuses:
        try:
            posts.append(status_post(status, provenance))
        except MappingError as exc:
            problems.append(str(exc))
    return posts, problems
