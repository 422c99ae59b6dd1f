"""CSV exports as posts: a column mapping, common headers found by themselves, row errors named.

Many small businesses have their history as a spreadsheet: a social-media tool's
export, a hand-kept log, a competitor watch. :func:`csv_batches` reads one such
file row by row into :class:`~hubbub.model.Post` objects, for
:class:`~hubbub.sources.files.FileSource`, which routes ``.csv`` / ``.tsv`` files
here and keeps the same ``path:line`` cursor as for JSON Lines (``line`` is the
last physical line of the last row read, so quoted fields spanning lines resume
right).

Which column is which: :class:`CsvOptions` ``mapping`` (``--map text=Message``)
wins; otherwise the headers are matched, case and punctuation ignored, against
:data:`SYNONYMS` (``Message``, ``Tweet``, ``Content`` ... for the text). ``text``,
``created`` and ``author`` must be found. A row without an ``id`` column gets a
stable id from its network, author, time and text, so importing the same file
twice stores nothing twice. Without an ``author_id`` column an author is keyed by
its lower-cased handle, so it is a different account row from the same person read
from a network's API (which keys by the network's numeric id). Times are ISO
8601, X's ``Wed Oct 10 20:19:24 +0000 2018``, ``YYYY-MM-DD HH:MM[:SS]``, or epoch
seconds; a time without a zone is UTC.

A bad row never stops the import: it becomes one ``FILE:LINE:FIELD: reason``
error and the other rows are still read.

The standard library's :mod:`csv` rather than pandas or polars: it streams a row
at a time (a large export is never held whole), it reports the physical line of
every record (what the errors and the cursor need), it sniffs the delimiter of a
European ``;`` export, and it adds no dependency.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, cast

from hubbub import codec
from hubbub.model import NETWORKS, Account, Batch, Metrics, Post, Provenance
from hubbub.sources.base import SourceError

__all__ = [
    "FIELDS",
    "REQUIRED",
    "SYNONYMS",
    "CsvOptions",
    "RowError",
    "csv_batches",
    "match_columns",
    "parse_mapping",
    "resolve_columns",
    "row_post",
    "sniff_dialect",
]

#: every field a column can fill, and the header names recognised for it
SYNONYMS: dict[str, tuple[str, ...]] = {
    "text": ("text", "message", "content", "body", "tweet", "post", "fulltext", "posttext"),
    "created": (
        "created",
        "createdat",
        "date",
        "datetime",
        "time",
        "timestamp",
        "posted",
        "postedat",
        "published",
        "publishedat",
    ),
    "author": ("author", "user", "username", "handle", "screenname", "from", "account"),
    "id": ("id", "postid", "tweetid", "messageid", "statusid", "nativeid"),
    "author_name": ("name", "authorname", "displayname", "fullname"),
    "author_id": ("authorid", "userid", "accountid"),
    "url": ("url", "link", "permalink", "posturl", "tweeturl"),
    "network": ("network", "platform", "channel", "site", "socialnetwork"),
    "language": ("language", "lang"),
    "reply_to": ("replyto", "inreplyto", "inreplytostatusid", "parentid"),
    "likes": ("likes", "likecount", "favorites", "favoritecount", "favourites"),
    "reposts": ("reposts", "repostcount", "retweets", "retweetcount", "shares", "boosts"),
    "replies": ("replies", "replycount", "comments", "commentcount"),
    "followers": ("followers", "followerscount", "authorfollowers"),
    "location": ("location", "userlocation", "authorlocation"),
}
FIELDS: tuple[str, ...] = tuple(SYNONYMS)
REQUIRED: tuple[str, ...] = ("text", "created", "author")
_TIME_FORMATS = (
    "%a %b %d %H:%M:%S %z %Y",  # X API v1.1 and archives
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
)


class RowError(ValueError):
    """One cell cannot be read; ``field`` names the hubbub field it was for."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field


@dataclass(frozen=True, slots=True)
class CsvOptions:
    """How to read CSV files: explicit ``mapping`` (field -> header) and the default network."""

    mapping: Mapping[str, str] = field(default_factory=dict)
    network: str = "x"

    def __post_init__(self) -> None:
        unknown = sorted(set(self.mapping) - set(FIELDS))
        if unknown:
            raise SourceError(
                f"--map: unknown field {unknown[0]!r}: expected one of {', '.join(FIELDS)}"
            )
        if self.network not in NETWORKS:
            raise SourceError(f"--network: {self.network!r} is not one of {', '.join(NETWORKS)}")


def parse_mapping(items: list[str]) -> dict[str, str]:
    """``["text=Message", "created=Date"]`` as a mapping; :class:`SourceError` if malformed."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, header = item.partition("=")
        if not sep or not name.strip() or not header.strip():
            raise SourceError(f"--map: {item!r} is not FIELD=Header (e.g. text=Message)")
        out[name.strip()] = header.strip()
    return out


def _norm(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def resolve_columns(headers: list[str], options: CsvOptions, path: Path) -> dict[str, int]:
    """Field -> column index: the mapping first, then recognised headers.

    Raises :class:`SourceError` naming the file when a mapped header is missing or a
    required field has no column.
    """
    return match_columns(headers, options.mapping, path, SYNONYMS, REQUIRED)


def match_columns(
    headers: list[str],
    mapping: Mapping[str, str],
    path: Path,
    synonyms: Mapping[str, tuple[str, ...]],
    required: tuple[str, ...],
) -> dict[str, int]:
    """:func:`resolve_columns` for any set of fields: ``synonyms`` names each field's
    recognised headers (normalised: lower case, letters and digits only) and
    ``required`` the fields that must have a column. Other CSV imports (the goals'
    redemptions) read their columns with it too."""
    found: dict[str, int] = {}
    by_name = {h.strip(): i for i, h in enumerate(headers)}
    by_norm: dict[str, int] = {}
    for i, h in enumerate(headers):
        by_norm.setdefault(_norm(h), i)
    for name, header in mapping.items():
        if header in by_name:
            found[name] = by_name[header]
        elif _norm(header) in by_norm:
            found[name] = by_norm[_norm(header)]
        else:
            raise SourceError(
                f"{path}:1: --map {name}={header}: no such column "
                f"(the columns are: {', '.join(h.strip() for h in headers)})"
            )
    taken = set(found.values())
    for name, known in synonyms.items():
        if name in found:
            continue
        for synonym in known:
            index = by_norm.get(synonym)
            if index is not None and index not in taken:
                found[name] = index
                taken.add(index)
                break
    missing = [name for name in required if name not in found]
    if missing:
        raise SourceError(
            f"{path}:1: no column for {', '.join(missing)}: name it with --map "
            f"{missing[0]}=Header (the columns are: {', '.join(h.strip() for h in headers)})"
        )
    return found


def _time(value: str) -> datetime:
    text = value.strip()
    if not text:
        raise RowError("created", "is empty")
    if re.fullmatch(r"\d{9,10}(\.\d+)?", text):
        return datetime.fromtimestamp(float(text), UTC)
    try:
        return codec.parse_datetime(text)
    except ValueError:
        pass
    for fmt in _TIME_FORMATS:
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
    raise RowError("created", f"{text!r} is not a date and time (e.g. 2026-11-20T09:30:00Z)")


def _count(row: Mapping[str, str], name: str) -> int | None:
    value = row.get(name, "").strip().replace(",", "")
    if not value:
        return None
    if not value.isdigit():
        raise RowError(name, f"{value!r} is not a whole number")
    return int(value)


def row_post(
    values: Mapping[str, str], options: CsvOptions, provenance: Provenance | None = None
) -> Post:
    """One row (hubbub field -> cell text) as a :class:`Post`; :class:`RowError` if bad."""
    text = values.get("text", "")
    if not text.strip():
        raise RowError("text", "is empty")
    created = _time(values.get("created", ""))
    handle = values.get("author", "").strip().lstrip("@")
    if not handle:
        raise RowError("author", "is empty")
    network = values.get("network", "").strip().lower() or options.network
    if network == "twitter":
        network = "x"
    if network not in NETWORKS:
        raise RowError("network", f"{network!r} is not one of {', '.join(NETWORKS)}")
    pid = values.get("id", "").strip()
    if not pid:  # stable across imports of the same export: nothing twice
        digest = hashlib.sha256(
            "\x1f".join((network, handle.lower(), created.isoformat(), text)).encode()
        ).hexdigest()
        pid = f"csv-{digest[:20]}"
    url = values.get("url", "").strip()
    if not url and network == "x" and pid.isdigit():
        url = f"https://x.com/{handle}/status/{pid}"
    reply_to = values.get("reply_to", "").strip() or None
    author = Account(
        network=network,
        id=values.get("author_id", "").strip() or handle.lower(),
        handle=handle,
        name=values.get("author_name", "").strip(),
        location=values.get("location", "").strip(),
        followers=_count(values, "followers"),
    )
    return Post(
        network=network,
        id=pid,
        author=author,
        text=text,
        created=created,
        language=values.get("language", "").strip() or None,
        url=url,
        reply_to=reply_to,
        metrics=Metrics(
            likes=_count(values, "likes"),
            reposts=_count(values, "reposts"),
            replies=_count(values, "replies"),
        ),
        raw={k: v for k, v in values.items() if v},
        provenance=provenance,
    )


def sniff_dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    """The delimiter and quoting of a CSV sample (``,``, ``;``, tab or ``|``); Excel's
    when it cannot tell."""
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def csv_batches(
    path: Path,
    handle: io.BufferedIOBase,
    options: CsvOptions,
    *,
    name: str,
    skip: int,
    batch_size: int,
    retrieved: datetime,
    errors: list[str],
) -> Iterator[tuple[Batch, int]]:
    """Batches of the rows ending after line ``skip``, each with the rows it read.

    ``errors`` receives ``FILE:LINE:FIELD: reason`` per bad row; the cursor of each
    batch is ``<resolved path>:<last line read>``.
    """
    resolved = str(path.resolve())
    sample = handle.read(8192).decode("utf-8-sig", errors="ignore")
    handle.seek(0)  # a plain file or a gzip stream: both seek back to the start
    text = io.TextIOWrapper(cast(IO[bytes], handle), encoding="utf-8-sig", newline="")
    reader = csv.reader(text, sniff_dialect(sample))
    try:
        headers = next(reader)
    except StopIteration:
        return
    except UnicodeDecodeError:
        raise SourceError(f"{path}:1: not UTF-8 text (save the CSV as UTF-8)") from None
    columns = resolve_columns(headers, options, path)
    posts: list[Post] = []
    rows = 0
    last = reader.line_num
    start = last + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except UnicodeDecodeError:
            errors.append(f"{path}:{reader.line_num + 1}: not UTF-8 text; stopped here")
            break
        except csv.Error as exc:
            errors.append(f"{path}:{reader.line_num}: {exc}")
            break
        start, last = last + 1, reader.line_num
        if last <= skip:
            continue
        if not any(c.strip() for c in cells):
            continue
        rows += 1
        values = {name: cells[i] if i < len(cells) else "" for name, i in columns.items()}
        provenance = Provenance(
            source=f"file:{path.name}", url=str(path), retrieved=retrieved, line=start
        )
        try:
            posts.append(row_post(values, options, provenance))
        except RowError as exc:
            errors.append(f"{path}:{start}:{exc.field}: {exc}")
        if len(posts) >= batch_size:
            yield Batch(name, posts, f"{resolved}:{last}"), rows
            posts, rows = [], 0
    if rows:
        yield Batch(name, posts, f"{resolved}:{last}"), rows
