"""X account archives ("Download an archive of your data"): the ZIP's tweets as posts.

A business that has been on X for years holds its whole history in that ZIP. Its
``data/tweets.js`` (older archives: ``data/tweet.js``; big accounts also
``data/tweets-part1.js`` ...) is JavaScript, not JSON: ``window.YTD.tweets.part0 = [``
followed by a pretty-printed array of ``{"tweet": {...}}`` objects. Each tweet is
a v1.1-like object (``id_str``, ``full_text``, ``entities`` with ``indices``,
``created_at`` as ``"Wed Oct 10 20:19:24 +0000 2018"``, counts as strings) with no
user object: every tweet is the archive owner's, described once in
``data/account.js`` and ``data/profile.js``.

:func:`iter_js_array` streams that array element by element (with the line each
element starts on, for ``FILE:LINE`` errors) so a member of hundreds of megabytes
is never held whole; :func:`x_archive_post` maps one element to a :class:`Post`.
The mapping is hand-written, like the v2 one in :mod:`hubbub.sources.files`,
because which field becomes which part of the vocabulary is the point. The
archive's e-mail address and other private fields are never read.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import IO, Any

from hubbub.model import Account, Entities, Media, Metrics, Post, Provenance, Span
from hubbub.sources.files import LineError

__all__ = [
    "MAX_ELEMENT_CHARS",
    "archive_account",
    "iter_js_array",
    "tweet_members",
    "x_archive_post",
]

#: an element bigger than this is taken as corrupt rather than read on and on
MAX_ELEMENT_CHARS = 8_000_000
_CHUNK = 1 << 16
_MEMBER = re.compile(r"^(?:.*/)?data/(?:tweets?)(?:-part\d+)?\.js$")
_TAG = re.compile(r"<[^>]*>")


def tweet_members(archive: zipfile.ZipFile) -> list[str]:
    """The archive's tweet files, in name order (``data/tweets.js``, ``-part1`` ...)."""
    return sorted(n for n in archive.namelist() if _MEMBER.match(n))


def iter_js_array(stream: IO[bytes]) -> Iterator[tuple[int, Any]]:
    """Each element of ``window.YTD.x.partN = [ ... ]`` with the line it starts on.

    Reads ``stream`` in chunks; raises :class:`LineError` (message starting with the
    line number and a colon) where an element is not JSON or the array is cut short.
    """
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="strict", newline="")
    buf = ""
    pos = 0
    line = 1
    eof = False
    decoder = json.JSONDecoder()

    def more() -> bool:
        nonlocal buf, pos, eof
        if eof:
            return False
        try:
            chunk = text.read(_CHUNK)
        except UnicodeDecodeError:
            raise LineError(f"{line}: not UTF-8 text") from None
        if not chunk:
            eof = True
            return False
        buf = buf[pos:] + chunk
        pos = 0
        return True

    while "[" not in buf:  # the `window.YTD.tweets.part0 = ` prefix
        if not more():
            raise LineError(f"{line}: no array found (expected `window.YTD.... = [`)")
    opening = buf.index("[")
    line += buf.count("\n", 0, opening)
    pos = opening + 1
    while True:
        while True:  # skip whitespace and the commas between elements
            while pos < len(buf) and buf[pos] in " \t\r\n,":
                if buf[pos] == "\n":
                    line += 1
                pos += 1
            if pos < len(buf) or not more():
                break
        if pos >= len(buf):
            raise LineError(f"{line}: the array is cut short (no closing `]`)")
        if buf[pos] == "]":
            return
        while True:
            try:
                value, end = decoder.raw_decode(buf, pos)
                break
            except json.JSONDecodeError as exc:
                if len(buf) - pos > MAX_ELEMENT_CHARS or not more():
                    at = line + buf.count("\n", pos, exc.pos)
                    raise LineError(f"{at}: not JSON: {exc.msg}") from None
        yield line, value
        line += buf.count("\n", pos, end)
        pos = end
        if pos > _CHUNK:
            buf, pos = buf[pos:], 0


def _js_first(archive: zipfile.ZipFile, suffix: str, key: str) -> dict[str, Any]:
    names = [n for n in archive.namelist() if n.endswith(f"data/{suffix}")]
    if not names:
        return {}
    with archive.open(names[0]) as member:
        for _, item in iter_js_array(member):
            if isinstance(item, dict) and isinstance(item.get(key), dict):
                found: dict[str, Any] = item[key]
                return found
    return {}


def archive_account(archive: zipfile.ZipFile) -> Account:
    """The archive's owner, from ``data/account.js`` and ``data/profile.js``.

    Raises :class:`LineError` when the archive does not say who the owner is.
    """
    account = _js_first(archive, "account.js", "account")
    uid, username = account.get("accountId"), account.get("username")
    if not isinstance(uid, str | int) or not isinstance(username, str) or not username:
        raise LineError("data/account.js: no accountId or username")
    profile = _js_first(archive, "profile.js", "profile")
    description = profile.get("description") if isinstance(profile.get("description"), dict) else {}
    assert isinstance(description, dict)
    created = account.get("createdAt")
    when = None
    if isinstance(created, str):
        try:
            when = datetime.fromisoformat(created.replace("Z", "+00:00")).astimezone(UTC)
        except ValueError:
            when = None
    avatar = profile.get("avatarMediaUrl")
    return Account(
        network="x",
        id=str(uid),
        handle=username,
        name=_str(account.get("accountDisplayName")),
        bio=_str(description.get("bio")),
        location=_str(description.get("location")),
        url=_str(description.get("website")),
        created=when,
        default_avatar=("default_profile_images" in avatar) if isinstance(avatar, str) else None,
    )


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _count(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _v11_time(value: Any, what: str) -> datetime:
    if not isinstance(value, str):
        raise LineError(f"{what} is missing")
    try:
        return datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y").astimezone(UTC)
    except ValueError:
        raise LineError(f"{what} {value!r} is not like 'Wed Oct 10 20:19:24 +0000 2018'") from None


def _spans(items: Any, field: str) -> tuple[Span, ...]:
    out = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get(field), str):
            continue
        indices = item.get("indices")
        if isinstance(indices, list) and len(indices) == 2:
            start, end = _count(indices[0]), _count(indices[1])
            if start is not None and end is not None:
                out.append(Span(item[field], start, end))
    return tuple(sorted(out, key=lambda s: s.start))


def x_archive_post(element: Any, owner: Account, provenance: Provenance | None = None) -> Post:
    """One element of an archive's tweets array (``{"tweet": {...}}``) as a :class:`Post`.

    Raises :class:`LineError` naming the missing or malformed field.
    """
    if not isinstance(element, dict):
        raise LineError(f"expected a tweet object, got {type(element).__name__}")
    tweet = element.get("tweet", element)
    if not isinstance(tweet, dict):
        raise LineError("tweet: expected an object")
    tid = tweet.get("id_str", tweet.get("id"))
    if not isinstance(tid, str | int) or isinstance(tid, bool) or not str(tid).isdigit():
        raise LineError("tweet has no id_str")
    tid = str(tid)
    text = tweet.get("full_text", tweet.get("text"))
    if not isinstance(text, str):
        raise LineError(f"tweet {tid}: full_text is missing")
    created = _v11_time(tweet.get("created_at"), f"tweet {tid}: created_at")
    raw_entities = tweet.get("entities") if isinstance(tweet.get("entities"), dict) else {}
    assert isinstance(raw_entities, dict)
    mentions = _spans(raw_entities.get("user_mentions"), "screen_name")
    reply_to = tweet.get("in_reply_to_status_id_str") or tweet.get("in_reply_to_status_id")
    reply_handle = tweet.get("in_reply_to_screen_name")
    reply = None
    if reply_to and mentions and not text[: mentions[0].start].strip():
        reply = mentions[0].text
    urls = tuple(
        Span(s.text, s.start, s.end) for s in _spans(raw_entities.get("urls"), "expanded_url")
    )
    extended = tweet.get("extended_entities")
    media_items = extended.get("media") if isinstance(extended, dict) else None
    media = tuple(
        Media(kind=m["type"], url=_str(m.get("media_url_https")) or _str(m.get("media_url")))
        for m in (media_items if isinstance(media_items, list) else [])
        if isinstance(m, dict) and isinstance(m.get("type"), str)
    )
    return Post(
        network="x",
        id=tid,
        author=owner,
        text=text,
        created=created,
        language=tweet["lang"] if isinstance(tweet.get("lang"), str) else None,
        url=f"https://x.com/{owner.handle}/status/{tid}",
        reply_to=str(reply_to) if reply_to else None,
        reply_to_handle=reply_handle if isinstance(reply_handle, str) else None,
        entities=Entities(
            hashtags=_spans(raw_entities.get("hashtags"), "text"),
            mentions=mentions,
            urls=urls,
            cashtags=_spans(raw_entities.get("symbols"), "text"),
            reply=reply,
        ),
        metrics=Metrics(
            likes=_count(tweet.get("favorite_count")),
            reposts=_count(tweet.get("retweet_count")),
        ),
        client=_TAG.sub("", _str(tweet.get("source"))).strip(),
        media=media,
        raw=tweet,
        provenance=provenance,
    )
