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

:func:`archive_batches` is the archive as :class:`~hubbub.sources.files.FileSource`
reads it for ``hubbub import``: the owner's tweets, then its followers
(``data/follower.js``, ids only) into ``Batch.followers``, with a
``path!member:line`` cursor so an interrupted import resumes where it stopped.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from hubbub.model import Account, Batch, Entities, Media, Metrics, Post, Provenance, Span
from hubbub.sources.base import SourceError
from hubbub.sources.files import LineError

__all__ = [
    "MAX_ELEMENT_CHARS",
    "archive_account",
    "archive_batches",
    "archive_follow",
    "follow_members",
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


# --- the archive as batches: the owner's posts and followers (for FileSource) ---------------

_FOLLOW = re.compile(r"^(?:.*/)?data/(follower|following)(?:-part\d+)?\.js$")


def follow_members(archive: zipfile.ZipFile, kind: str) -> list[str]:
    """The archive's ``data/follower.js`` (``kind="follower"``) or ``following.js`` files."""
    return sorted(n for n in archive.namelist() if (m := _FOLLOW.match(n)) and m.group(1) == kind)


def archive_follow(element: Any, kind: str) -> Account:
    """One element of ``follower.js`` / ``following.js`` (``{"follower": {"accountId"...}}``).

    The archive gives only the account id (and a link built from it), so the
    account's handle is its id until X is read for it (``hubbub fetch x --timeline
    followers`` fills in the handle, bio and counts).
    """
    item = element.get(kind) if isinstance(element, dict) else None
    uid = item.get("accountId") if isinstance(item, dict) else None
    if not isinstance(uid, str | int) or isinstance(uid, bool) or not str(uid).isdigit():
        raise LineError(f"{kind}: no accountId")
    return Account(network="x", id=str(uid), handle=str(uid))


def _count_elements(archive: zipfile.ZipFile, members: list[str]) -> int | None:
    total = 0
    try:
        for name in members:
            with archive.open(name) as member:
                total += sum(1 for _ in iter_js_array(member))
    except LineError:
        return None  # a broken file: its errors are reported when it is read
    return total if members else None


def archive_batches(
    path: Path,
    *,
    name: str,
    resume_member: str | None,
    skip: int,
    batch_size: int,
    retrieved: datetime,
    errors: list[str],
) -> Iterator[tuple[Batch, int]]:
    """An X archive ZIP as batches: the owner's tweets as posts, then its followers.

    The owner (``account.js`` and ``profile.js``) is the author of every post, with
    its follower and following counts taken from ``follower.js`` and
    ``following.js``. Each batch's cursor is ``<resolved path>!<member>:<line>``
    (the line the last element read starts on), so an interrupted import resumes
    after it. Yields each batch with the number of elements it read; ``errors``
    receives ``FILE!MEMBER:LINE: reason`` per element that could not be read.
    """
    resolved = str(path.resolve())
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise SourceError(f"{path}: not a ZIP file (expected an X archive)") from None
    with archive:
        members = [(m, "tweet") for m in tweet_members(archive)]
        members += [(m, "follower") for m in follow_members(archive, "follower")]
        if not members:
            raise SourceError(
                f"{path}: no data/tweets.js or data/follower.js: is this an X archive?"
            )
        try:
            owner = archive_account(archive)
        except LineError as exc:
            raise SourceError(f"{path}: {exc}") from None
        owner = dataclasses.replace(
            owner,
            followers=_count_elements(archive, follow_members(archive, "follower")),
            following=_count_elements(archive, follow_members(archive, "following")),
        )
        names = [m for m, _ in members]
        started = resume_member not in names
        for member, kind in members:
            done = 0
            if not started:
                if member != resume_member:
                    continue
                started, done = True, skip
            yield from _member_batches(
                archive,
                path,
                resolved,
                member,
                kind,
                owner,
                name,
                done,
                batch_size,
                retrieved,
                errors,
            )


def _member_batches(
    archive: zipfile.ZipFile,
    path: Path,
    resolved: str,
    member: str,
    kind: str,
    owner: Account,
    name: str,
    skip: int,
    batch_size: int,
    retrieved: datetime,
    errors: list[str],
) -> Iterator[tuple[Batch, int]]:
    posts: list[Post] = []
    followers: list[Account] = []
    read = 0
    last = skip
    with archive.open(member) as stream:
        try:
            for line, element in iter_js_array(stream):
                if line <= skip:
                    continue
                read, last = read + 1, line
                try:
                    if kind == "tweet":
                        provenance = Provenance(
                            source=f"file:{path.name}",
                            url=f"{path}!{member}",
                            retrieved=retrieved,
                            line=line,
                        )
                        posts.append(x_archive_post(element, owner, provenance))
                    else:
                        followers.append(archive_follow(element, kind))
                except LineError as exc:
                    errors.append(f"{path}!{member}:{line}: {exc}")
                if len(posts) + len(followers) >= batch_size:
                    yield Batch(name, posts, f"{resolved}!{member}:{line}", followers), read
                    posts, followers, read = [], [], 0
        except LineError as exc:  # the array itself is broken: the rest of it is lost
            errors.append(f"{path}!{member}:{exc}")
    if read:
        yield Batch(name, posts, f"{resolved}!{member}:{last}", followers), read
