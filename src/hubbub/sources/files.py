"""File imports as a Source: JSON Lines of hubbub posts or X API v2 tweets, gzipped or not;
CSV exports (:mod:`hubbub.sources.csvfile`) and X archive ZIPs (:mod:`hubbub.sources.xarchive`).

Most people who start with social listening already have an archive: ``twarc2
search`` output (raw API response pages, one per line), ``twarc2 flatten`` output
(one tweet per line with its author and places embedded), or hubbub's own JSON
Lines from another install. :class:`FileSource` reads all three, line by line,
detecting the shape of each line, so mixed files work too.

A bad line never stops an import: it becomes one ``FILE:LINE: reason`` entry in
:attr:`FileSource.errors` and the good lines around it are still yielded. Each
batch's cursor is ``path:line`` of the last line read, so the runner stores it with
the batch and an interrupted import resumes after the last stored line; files
appended to later (a running ``twarc2 stream``) resume the same way.

The X v2 mapping is hand-written because it is the point of this module: which
field of which ``includes`` list becomes which part of the vocabulary, following
the X API v2 data dictionary (tweet, user, place and media objects).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import zipfile
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hubbub import codec
from hubbub.model import (
    NETWORKS,
    Account,
    Batch,
    Entities,
    Media,
    Metrics,
    Place,
    Post,
    Provenance,
    Span,
)
from hubbub.sources.base import SourceError

if TYPE_CHECKING:
    from hubbub.sources.csvfile import CsvOptions

__all__ = [
    "FileSource",
    "LineError",
    "parse_line",
    "parse_object",
    "read_line",
    "x_page_posts",
    "x_tweet_post",
]

DEFAULT_BATCH_SIZE = 500


class LineError(ValueError):
    """One line (or one tweet within it) cannot become a post; the message says why."""


def _open(path: Path) -> io.BufferedIOBase:
    raw = path.open("rb")
    if raw.read(2) == b"\x1f\x8b":  # gzip magic, whatever the file is called
        raw.seek(0)
        return gzip.GzipFile(fileobj=raw, mode="rb")
    raw.seek(0)
    return raw


# --- X API v2 --------------------------------------------------------------------------


def _time(value: Any, what: str) -> datetime:
    if not isinstance(value, str):
        raise LineError(f"{what} is missing")
    try:
        return codec.parse_datetime(value)
    except ValueError:
        raise LineError(f"{what} {value!r} is not an ISO 8601 time") from None


def _int(metrics: Any, key: str) -> int | None:
    if not isinstance(metrics, dict):
        return None
    value = metrics.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def x_account(user: dict[str, Any]) -> Account:
    """An X v2 user object as an :class:`Account`."""
    uid, username = user.get("id"), user.get("username")
    if not isinstance(uid, str | int) or not isinstance(username, str) or not username:
        raise LineError("the author has no id or username")
    metrics = user.get("public_metrics")
    url = _str(user.get("url"))
    expanded = (user.get("entities") or {}).get("url", {}).get("urls") or []
    if expanded and isinstance(expanded[0], dict) and expanded[0].get("expanded_url"):
        url = str(expanded[0]["expanded_url"])  # the profile URL as typed, not t.co
    created = user.get("created_at")
    avatar = user.get("profile_image_url")
    verified = user.get("verified")
    return Account(
        network="x",
        id=str(uid),
        handle=username,
        name=_str(user.get("name")),
        bio=_str(user.get("description")),
        location=_str(user.get("location")),
        url=url,
        followers=_int(metrics, "followers_count"),
        following=_int(metrics, "following_count"),
        posts=_int(metrics, "tweet_count"),
        listed=_int(metrics, "listed_count"),
        created=_time(created, "the author's created_at") if created is not None else None,
        verified=verified if isinstance(verified, bool) else None,
        default_avatar=("default_profile_images" in avatar) if isinstance(avatar, str) else None,
    )


def _entities(raw: Any, text: str, is_reply: bool) -> Entities | None:
    """X's own entities, with each URL's expanded form (what ``url:`` searches match)."""
    if not isinstance(raw, dict):
        return None

    def spans(kind: str, field: str, *fallbacks: str) -> tuple[Span, ...]:
        out = []
        for item in raw.get(kind) or []:
            if not isinstance(item, dict):
                continue
            value = next(
                (item[f] for f in (field, *fallbacks) if isinstance(item.get(f), str)), None
            )
            start, end = item.get("start"), item.get("end")
            if value is not None and isinstance(start, int) and isinstance(end, int):
                out.append(Span(value, start, end))
        return tuple(sorted(out, key=lambda s: s.start))

    mentions = spans("mentions", "username")
    reply = None
    if is_reply and mentions and not text[: mentions[0].start].strip():
        reply = mentions[0].text  # the @name the reply starts with
    return Entities(
        hashtags=spans("hashtags", "tag"),
        mentions=mentions,
        urls=spans("urls", "expanded_url", "url"),
        cashtags=spans("cashtags", "tag"),
        reply=reply,
    )


def _place(place: dict[str, Any] | None, coordinates: Any) -> Place | None:
    lat = lon = None
    if isinstance(coordinates, dict) and isinstance(coordinates.get("coordinates"), list):
        point = coordinates["coordinates"]
        if len(point) == 2 and all(isinstance(v, int | float) for v in point):
            lon, lat = float(point[0]), float(point[1])  # GeoJSON order: longitude first
    if place:
        bbox = (place.get("geo") or {}).get("bbox") if isinstance(place.get("geo"), dict) else None
        if lat is None and isinstance(bbox, list) and len(bbox) == 4:
            west, south, east, north = (float(v) for v in bbox)
            lat, lon = (south + north) / 2, (west + east) / 2
        return Place(
            name=_str(place.get("name")),
            full_name=_str(place.get("full_name")),
            country_code=_str(place.get("country_code")),
            latitude=lat,
            longitude=lon,
        )
    if lat is not None:
        return Place(latitude=lat, longitude=lon)
    return None


def _media(items: Sequence[Any]) -> tuple[Media, ...]:
    out = []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("type"), str):
            url = _str(item.get("url")) or _str(item.get("preview_image_url"))
            out.append(Media(kind=item["type"], url=url, alt=_str(item.get("alt_text"))))
    return tuple(out)


class _Includes:
    """A response page's ``includes``, indexed the way tweets refer to them."""

    def __init__(self, includes: Any) -> None:
        inc = includes if isinstance(includes, dict) else {}

        def index(name: str, key: str) -> dict[str, dict[str, Any]]:
            items = inc.get(name) or []
            return {str(i[key]): i for i in items if isinstance(i, dict) and key in i}

        self.users = index("users", "id")
        self.tweets = index("tweets", "id")
        self.places = index("places", "id")
        self.media = index("media", "media_key")


def x_tweet_post(
    tweet: dict[str, Any], includes: Any = None, provenance: Provenance | None = None
) -> Post:
    """An X v2 tweet as a :class:`Post`.

    ``includes`` is the page's ``includes`` for raw response pages, or ``None`` for a
    flattened tweet, whose author, reply user, place and media are embedded in it.
    Raises :class:`LineError` naming the missing field.
    """
    inc = _Includes(includes)
    flat = includes is None
    tid = tweet.get("id")
    if not isinstance(tid, str | int) or isinstance(tid, bool):
        raise LineError("tweet has no id")
    tid = str(tid)
    note: dict[str, Any] | None = (
        tweet["note_tweet"] if isinstance(tweet.get("note_tweet"), dict) else None
    )
    text = note.get("text") if note and isinstance(note.get("text"), str) else tweet.get("text")
    if not isinstance(text, str):
        raise LineError(f"tweet {tid}: text is missing")
    created = _time(tweet.get("created_at"), f"tweet {tid}: created_at")

    author_id = tweet.get("author_id")
    user = tweet.get("author") if flat else inc.users.get(str(author_id))
    if not isinstance(user, dict) or not user:
        if author_id is None:
            raise LineError(f"tweet {tid}: author_id is missing")
        where = "an embedded author" if flat else "includes.users"
        raise LineError(f"tweet {tid}: author {author_id} is not in {where}")
    try:
        author = x_account(user)
    except LineError as exc:
        raise LineError(f"tweet {tid}: {exc}") from None

    refs: dict[str, str] = {}
    for ref in tweet.get("referenced_tweets") or []:
        if isinstance(ref, dict) and isinstance(ref.get("type"), str) and "id" in ref:
            refs.setdefault(ref["type"], str(ref["id"]))
    reply_handle = None
    reply_user_id = tweet.get("in_reply_to_user_id")
    reply_user = tweet.get("in_reply_to_user") if flat else inc.users.get(str(reply_user_id))
    if isinstance(reply_user, dict) and isinstance(reply_user.get("username"), str):
        reply_handle = reply_user["username"]

    geo: dict[str, Any] = tweet["geo"] if isinstance(tweet.get("geo"), dict) else {}
    place_obj: dict[str, Any] | None = None
    if geo.get("place_id") is not None:
        place_obj = geo if flat else inc.places.get(str(geo["place_id"]))

    attachments: dict[str, Any] = (
        tweet["attachments"] if isinstance(tweet.get("attachments"), dict) else {}
    )
    keys = [str(k) for k in attachments.get("media_keys") or []]
    if flat:
        media = _media(attachments.get("media") or [])
    else:
        media = _media([inc.media[k] for k in keys if k in inc.media])

    metrics = tweet.get("public_metrics")
    raw: dict[str, Any] = dict(tweet)
    if not flat:
        subset: dict[str, list[dict[str, Any]]] = {"users": [user]}
        if isinstance(reply_user, dict) and reply_user is not user:
            subset["users"].append(reply_user)
        referenced = [inc.tweets[i] for i in refs.values() if i in inc.tweets]
        if referenced:
            subset["tweets"] = referenced
        if place_obj:
            subset["places"] = [place_obj]
        chosen = [inc.media[k] for k in keys if k in inc.media]
        if chosen:
            subset["media"] = chosen
        raw = {"data": tweet, "includes": subset}

    # A long post's note_tweet carries its own entities; the truncated text's do not fit it.
    entities_raw = note.get("entities") if note else tweet.get("entities")
    return Post(
        network="x",
        id=tid,
        author=author,
        text=text,
        created=created,
        language=tweet.get("lang") if isinstance(tweet.get("lang"), str) else None,
        url=f"https://x.com/{author.handle}/status/{tid}",
        reply_to=refs.get("replied_to"),
        reply_to_handle=reply_handle,
        quote_of=refs.get("quoted"),
        repost_of=refs.get("retweeted"),
        conversation_id=str(tweet["conversation_id"]) if tweet.get("conversation_id") else None,
        entities=_entities(entities_raw, text, "replied_to" in refs),
        metrics=Metrics(
            likes=_int(metrics, "like_count"),
            reposts=_int(metrics, "retweet_count"),
            replies=_int(metrics, "reply_count"),
            quotes=_int(metrics, "quote_count"),
            impressions=_int(metrics, "impression_count"),
        ),
        place=_place(place_obj, geo.get("coordinates")),
        client=_str(tweet.get("source")),
        media=media,
        raw=raw,
        provenance=provenance,
    )


def x_page_posts(
    page: dict[str, Any], provenance: Provenance | None = None
) -> tuple[list[Post], list[str]]:
    """The posts of one X v2 response page, and a reason for each tweet that failed."""
    data = page.get("data")
    tweets = [data] if isinstance(data, dict) else data if isinstance(data, list) else []
    posts, problems = [], []
    for tweet in tweets:
        if not isinstance(tweet, dict):
            problems.append("data holds something other than a tweet object")
            continue
        try:
            posts.append(x_tweet_post(tweet, page.get("includes") or {}, provenance))
        except LineError as exc:
            problems.append(str(exc))
    return posts, problems


# --- one line, any shape -------------------------------------------------------------------


def _is_hubbub_post(obj: dict[str, Any]) -> bool:
    return "network" in obj and isinstance(obj.get("author"), dict) and "handle" in obj["author"]


def parse_line(text: str, provenance: Provenance | None = None) -> tuple[list[Post], list[str]]:
    """Posts from one JSON line of any supported shape, and the reasons some failed.

    Raises :class:`LineError` when the line as a whole is unusable.
    """
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LineError(f"not JSON: {exc.msg} (column {exc.colno})") from None
    return parse_object(obj, provenance)


def parse_object(obj: Any, provenance: Provenance | None = None) -> tuple[list[Post], list[str]]:
    """Posts from one decoded JSON value of any shape :func:`parse_line` reads.

    Readers of other containers (Parquet rows, an X archive's arrays) decode their own
    way and share this, so every format maps to posts by the same rules.
    """
    if not isinstance(obj, dict):
        raise LineError(f"expected a JSON object, got {type(obj).__name__}")
    if "post" in obj and "insight" in obj and isinstance(obj["post"], dict):
        obj = obj["post"]  # a hubbub mention (`hubbub mentions --json`): take its post
    if _is_hubbub_post(obj):
        try:
            post = codec.from_dict(Post, obj)
        except codec.CodecError as exc:
            raise LineError(f"hubbub post: {exc}") from None
        if post.network not in NETWORKS:
            raise LineError(f"hubbub post: network {post.network!r} is not one of {NETWORKS}")
        post.provenance = provenance
        return [post], []
    if "data" in obj or isinstance(obj.get("meta"), dict):
        return x_page_posts(obj, provenance)
    if "id" in obj and ("text" in obj or "note_tweet" in obj) and "id_str" not in obj:
        return [x_tweet_post(obj, None, provenance)], []
    if "id_str" in obj and "user" in obj:
        raise LineError("X API v1.1 tweets are not supported; use X API v2 (twarc2) output")
    raise LineError(
        "unrecognised line: expected a hubbub post, an X API v2 response page "
        "or a flattened X v2 tweet (twarc2 flatten)"
    )


# --- the source -----------------------------------------------------------------------------


def _is_csv(path: Path) -> bool:
    """CSV by name: ``.csv`` or ``.tsv``, gzipped or not."""
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    return bool(suffixes) and (
        suffixes[-1] in (".csv", ".tsv") or suffixes[-2:] in ([".csv", ".gz"], [".tsv", ".gz"])
    )


class FileSource:
    """JSON Lines files (optionally gzipped) as a :class:`~hubbub.sources.base.Source`.

    ``errors`` collects ``FILE:LINE: reason`` for every line or tweet that could not be
    read, while reading; the good lines are yielded regardless.
    """

    def __init__(
        self,
        paths: Sequence[Path | str],
        source_name: str | None = None,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        from_start: bool = False,
        csv: CsvOptions | None = None,
    ) -> None:
        if not paths:
            raise SourceError("no files to import")
        self.paths = [Path(p) for p in paths]
        self.batch_size = batch_size
        self.csv = csv  # how to read .csv/.tsv files (None: recognised headers, network x)
        self.from_start = from_start  # ignore the stored cursor: read every line again
        self.errors: list[str] = []
        self.lines_read = 0
        self.name = source_name or self._default_name()

    def _default_name(self) -> str:
        """One cursor per set of files: readable, and unique by their absolute paths."""
        resolved = "\n".join(str(p.resolve()) for p in self.paths)
        digest = hashlib.sha1(resolved.encode()).hexdigest()[:10]
        more = f"+{len(self.paths) - 1}" if len(self.paths) > 1 else ""
        return f"file:{self.paths[0].name[:150]}{more}@{digest}"

    def _resume_point(self, cursor: str | None) -> tuple[int, str | None, int]:
        """(index of the file to start in, its archive member if any, last line done in it).

        A cursor is ``path:line``, or ``path!member:line`` inside an X archive ZIP.
        """
        if not cursor or ":" not in cursor:
            return 0, None, 0
        path, _, line = cursor.rpartition(":")
        resolved = [str(candidate.resolve()) for candidate in self.paths]
        member = None
        if path not in resolved and "!" in path:
            path, _, member = path.rpartition("!")
        for i, candidate in enumerate(resolved):
            if candidate == path and line.isdigit():
                return i, member, int(line)
        return 0, None, 0  # a cursor for other files: start from the beginning

    def batches(self, cursor: str | None = None) -> Iterator[Batch]:
        start_file, member, done_line = self._resume_point(None if self.from_start else cursor)
        retrieved = datetime.now(UTC)
        for index, path in enumerate(self.paths):
            if index < start_file:
                continue
            skip = done_line if index == start_file else 0
            if zipfile.is_zipfile(path):  # an X archive ("Download an archive of your data")
                from hubbub.sources.xarchive import archive_batches

                resume = member if index == start_file else None
                yield from self._counted(
                    archive_batches(
                        path,
                        name=self.name,
                        resume_member=resume,
                        skip=skip,
                        batch_size=self.batch_size,
                        retrieved=retrieved,
                        errors=self.errors,
                    )
                )
            elif _is_csv(path):
                yield from self._csv_batches(path, skip, retrieved)
            else:
                yield from self._file_batches(path, skip, retrieved)

    def _counted(self, batches: Iterator[tuple[Batch, int]]) -> Iterator[Batch]:
        for batch, read in batches:
            self.lines_read += read
            yield batch

    def _csv_batches(self, path: Path, skip: int, retrieved: datetime) -> Iterator[Batch]:
        from hubbub.sources.csvfile import CsvOptions, csv_batches

        try:
            handle = _open(path)
        except OSError as exc:
            raise SourceError(f"{path}: cannot read: {exc.strerror}") from None
        with handle:
            yield from self._counted(
                csv_batches(
                    path,
                    handle,
                    self.csv or CsvOptions(),
                    name=self.name,
                    skip=skip,
                    batch_size=self.batch_size,
                    retrieved=retrieved,
                    errors=self.errors,
                )
            )

    def _file_batches(self, path: Path, skip: int, retrieved: datetime) -> Iterator[Batch]:
        resolved = str(path.resolve())
        try:
            handle = _open(path)
        except FileNotFoundError:
            raise SourceError(f"{path}: no such file") from None
        except OSError as exc:
            raise SourceError(f"{path}: cannot read: {exc.strerror}") from None
        posts: list[Post] = []
        pending = 0  # lines read since the last batch
        number = 0
        with handle:
            try:
                for number, raw_line in enumerate(handle, start=1):
                    if number <= skip:
                        continue
                    pending += 1
                    self.lines_read += 1
                    posts.extend(self._read_line(path, number, raw_line, retrieved))
                    if len(posts) >= self.batch_size:
                        yield Batch(self.name, posts, f"{resolved}:{number}")
                        posts, pending = [], 0
            except (OSError, EOFError) as exc:  # a truncated or corrupt gzip stream
                self.errors.append(f"{path}:{number + 1}: cannot read further: {exc}")
        if pending:
            yield Batch(self.name, posts, f"{resolved}:{number}")

    def _read_line(self, path: Path, number: int, raw_line: bytes, now: datetime) -> list[Post]:
        posts, problems = read_line(path, number, raw_line, now)
        self.errors.extend(problems)
        return posts


def read_line(
    path: Path, number: int, raw_line: bytes, retrieved: datetime
) -> tuple[list[Post], list[str]]:
    """One raw line of file ``path`` as posts, and a ``FILE:LINE: reason`` per problem.

    The one place a file line becomes posts (with its provenance), shared by
    :class:`FileSource` and the Dask backfill, so both store the same rows.
    """
    try:
        text = raw_line.decode("utf-8").strip()
    except UnicodeDecodeError:
        return [], [f"{path}:{number}: not UTF-8 text"]
    if not text:
        return [], []
    provenance = Provenance(
        source=f"file:{path.name}", url=str(path), retrieved=retrieved, line=number
    )
    try:
        posts, problems = parse_line(text, provenance)
    except LineError as exc:
        return [], [f"{path}:{number}: {exc}"]
    return posts, [f"{path}:{number}: {problem}" for problem in problems]
