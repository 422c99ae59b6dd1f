"""Cutting archives into partitions, and reading one partition as batches of posts.

A partition is the unit of work, of failure and of resumption of a backfill:

- plain JSON Lines: byte ranges of about ``partition_bytes``, each boundary moved
  forward to the start of a line, so every line belongs to exactly one range. The
  planner reads the file once (in chunks, counting newlines) to know the line number
  each range starts on: errors then say ``FILE:LINE`` exactly as ``hubbub import``
  does, at a cost of about a second per gigabyte.
- gzip JSON Lines: the whole file (a deflate stream cannot be entered midway).
- X archives (a ZIP with ``data/tweets.js``): one partition per tweet file.
- Parquet: one partition per row group.

Reading never holds a partition whole: :func:`read_partition` yields batches of
``batch_size`` posts, decoded line by line (JSON Lines, through
:func:`hubbub.sources.files.read_line`, the same code ``hubbub import`` uses),
element by element (X archives) or row group by row group (Parquet), so a worker's
memory is bounded by the batch, not the archive.

An archive's *fingerprint* (its size, first and last MiB, hashed) names its
partitions' completion marks: cheap to compute on any size, stable when the file is
moved, different when it is replaced or appended to.
"""

from __future__ import annotations

import gzip
import hashlib
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Literal

from hubbub.model import Post, Provenance
from hubbub.sources.files import LineError, parse_object, read_line
from hubbub.sources.xarchive import (
    archive_account,
    iter_js_array,
    tweet_members,
    x_archive_post,
)

__all__ = [
    "DEFAULT_PARTITION_BYTES",
    "Kind",
    "Partition",
    "PartitionError",
    "Piece",
    "archive_kind",
    "fingerprint",
    "line_ranges",
    "plan",
    "read_partition",
]

DEFAULT_PARTITION_BYTES = 64 * 1024 * 1024
_READ = 1 << 20
_SAMPLE = 1 << 20
Kind = Literal["jsonl", "gzip", "xarchive", "parquet"]


class PartitionError(Exception):
    """An archive cannot be partitioned at all (missing, unreadable, not a format we read)."""


@dataclass(frozen=True, slots=True)
class Partition:
    """One piece of one archive; ``start``/``end`` are bytes (JSON Lines) or a row group."""

    archive: str  # the path as the user gave it: for messages and provenance
    path: str  # absolute: what a worker opens
    kind: Kind
    fingerprint: str
    start: int = 0
    end: int = -1  # JSON Lines: the byte after the range; -1: to the end
    first_line: int = 1  # the number of the range's first line (Parquet: its first row)
    member: str = ""  # X archives: the tweet file inside the ZIP

    @property
    def id(self) -> str:
        """Stable within the archive for the same ``partition_bytes``."""
        if self.kind == "jsonl":
            return f"{self.start}-{self.end}"
        if self.kind == "parquet":
            return f"rg{self.start}"
        if self.kind == "xarchive":
            return self.member
        return "all"

    @property
    def source_name(self) -> str:
        """The completion mark's name in ``source_cursors`` (at most 200 characters)."""
        name = f"backfill:{self.fingerprint}:{self.id}"
        if len(name) > 200:
            digest = hashlib.sha1(self.id.encode()).hexdigest()[:16]
            name = f"backfill:{self.fingerprint}:{digest}"
        return name

    @property
    def label(self) -> str:
        """How messages name it: ``FILE`` plus where in it."""
        if self.kind == "jsonl":
            return f"{self.archive} (from line {self.first_line})"
        if self.kind == "parquet":
            return f"{self.archive} (row group {self.start})"
        if self.kind == "xarchive":
            return f"{self.archive}/{self.member}"
        return self.archive


@dataclass(slots=True)
class Piece:
    """What reading a partition yields: some posts and the problems met since the last."""

    posts: list[Post]
    errors: list[str] = field(default_factory=list)
    lines: int = 0  # lines (elements, rows) read for this piece


def fingerprint(path: Path) -> str:
    """16 hex digits naming the archive's content: its size, first and last MiB."""
    size = path.stat().st_size
    digest = hashlib.sha256(str(size).encode())
    with path.open("rb") as handle:
        digest.update(handle.read(_SAMPLE))
        if size > _SAMPLE:
            handle.seek(max(_SAMPLE, size - _SAMPLE))
            digest.update(handle.read(_SAMPLE))
    return digest.hexdigest()[:16]


def archive_kind(path: Path) -> Kind:
    """The archive's format, by its first bytes (whatever it is called)."""
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic[:2] == b"\x1f\x8b":
        return "gzip"
    if magic == b"PK\x03\x04":
        return "xarchive"
    if magic == b"PAR1":
        return "parquet"
    return "jsonl"


def line_ranges(path: Path, partition_bytes: int) -> list[tuple[int, int, int]]:
    """``(start, end, first line number)`` of byte ranges covering ``path``'s lines.

    Each range but the last is at least ``partition_bytes`` long and ends just after a
    ``\\n`` (so CRLF stays whole and a line spanning the nominal boundary goes to the
    range it starts in); the last ends at the file's end, newline or not.
    """
    if partition_bytes < 1:
        raise ValueError("partition_bytes must be at least 1")
    size = path.stat().st_size
    ranges: list[tuple[int, int, int]] = []
    start, line, offset, lines_seen = 0, 1, 0, 0
    target = partition_bytes
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(_READ)
            if not chunk:
                break
            at = 0
            while target < offset + len(chunk):
                newline = chunk.find(b"\n", max(at, target - 1 - offset))
                if newline < 0:
                    break
                end = offset + newline + 1
                lines_seen += chunk.count(b"\n", at, newline + 1)
                at = newline + 1
                if end < size:
                    ranges.append((start, end, line))
                    start, line = end, lines_seen + 1
                target = end + partition_bytes
            lines_seen += chunk.count(b"\n", at)
            offset += len(chunk)
    if start < size or not ranges:
        ranges.append((start, size, line))
    return ranges


def plan(
    paths: Sequence[Path | str], partition_bytes: int = DEFAULT_PARTITION_BYTES
) -> list[Partition]:
    """The partitions of every archive, in order. Raises :class:`PartitionError`."""
    out: list[Partition] = []
    for given in paths:
        path = Path(given)
        try:
            kind = archive_kind(path)
            mark = fingerprint(path)
            resolved = str(path.resolve())
            base = Partition(archive=str(given), path=resolved, kind=kind, fingerprint=mark)
            if kind == "jsonl":
                out += [
                    replace(base, start=s, end=e, first_line=n)
                    for s, e, n in line_ranges(path, partition_bytes)
                ]
            elif kind == "gzip":
                out.append(base)
            elif kind == "xarchive":
                out += _zip_partitions(path, base)
            else:
                out += _parquet_partitions(path, base)
        except FileNotFoundError:
            raise PartitionError(f"{given}: no such file") from None
        except IsADirectoryError:
            raise PartitionError(f"{given}: is a directory, not an archive") from None
        except OSError as exc:
            raise PartitionError(f"{given}: cannot read: {exc.strerror or exc}") from None
    return out


def _zip_partitions(path: Path, base: Partition) -> list[Partition]:
    try:
        with zipfile.ZipFile(path) as archive:
            members = tweet_members(archive)
    except zipfile.BadZipFile as exc:
        raise PartitionError(f"{base.archive}: not a readable ZIP: {exc}") from None
    if not members:
        raise PartitionError(f"{base.archive}: no data/tweets.js: not an X archive")
    return [replace(base, member=m) for m in members]


def _parquet_partitions(path: Path, base: Partition) -> list[Partition]:
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    try:
        meta = pq.ParquetFile(path).metadata
    except Exception as exc:  # pyarrow raises ArrowInvalid and friends
        raise PartitionError(f"{base.archive}: not a readable Parquet file: {exc}") from None
    out, row = [], 1
    for group in range(meta.num_row_groups):
        out.append(replace(base, start=group, first_line=row))
        row += meta.row_group(group).num_rows
    return out


# --- reading -------------------------------------------------------------------------------


def read_partition(part: Partition, retrieved: datetime, batch_size: int = 500) -> Iterator[Piece]:
    """The partition's posts in pieces of about ``batch_size``, with ``FILE:LINE`` errors.

    Bad lines are reported and skipped; a corrupt stream (truncated gzip, bad ZIP
    member) ends the partition with one error naming where reading stopped.
    """
    if part.kind in ("jsonl", "gzip"):
        yield from _read_lines(part, retrieved, batch_size)
    elif part.kind == "xarchive":
        yield from _read_xarchive(part, retrieved, batch_size)
    else:
        yield from _read_parquet(part, retrieved, batch_size)


def _read_lines(part: Partition, retrieved: datetime, batch_size: int) -> Iterator[Piece]:
    shown = Path(part.archive)
    piece = Piece([])
    number = part.first_line - 1
    with open(part.path, "rb") as raw:
        if part.kind == "gzip":
            stream = gzip.GzipFile(fileobj=raw, mode="rb")
            left = -1
        else:
            raw.seek(part.start)
            stream = raw  # type: ignore[assignment]
            left = part.end - part.start
        try:
            while left != 0:
                line = stream.readline() if left < 0 else stream.readline(left)
                if not line:
                    break
                if left > 0:
                    left -= len(line)
                number += 1
                posts, problems = read_line(shown, number, line, retrieved)
                piece.posts += posts
                piece.errors += problems
                piece.lines += 1
                if len(piece.posts) >= batch_size:
                    yield piece
                    piece = Piece([])
        except (OSError, EOFError, zlib.error) as exc:  # a truncated or corrupt gzip stream
            piece.errors.append(f"{part.archive}:{number + 1}: cannot read further: {exc}")
    yield piece


def _read_xarchive(part: Partition, retrieved: datetime, batch_size: int) -> Iterator[Piece]:
    where = f"{part.archive}/{part.member}"
    piece = Piece([])
    line = 0
    try:
        with zipfile.ZipFile(part.path) as archive:
            owner = archive_account(archive)
            with archive.open(part.member) as member:
                for line, element in iter_js_array(member):
                    piece.lines += 1
                    provenance = Provenance(
                        source=f"xarchive:{Path(part.archive).name}",
                        url=where,
                        retrieved=retrieved,
                        line=line,
                    )
                    try:
                        piece.posts.append(x_archive_post(element, owner, provenance))
                    except LineError as exc:
                        piece.errors.append(f"{where}:{line}: {exc}")
                    if len(piece.posts) >= batch_size:
                        yield piece
                        piece = Piece([])
    except LineError as exc:  # from iter_js_array: "LINE: reason"; from the account: "file: .."
        message = str(exc)
        if message.split(":", 1)[0].isdigit():
            piece.errors.append(f"{where}:{message}")
        else:
            piece.errors.append(f"{part.archive}: {message}")
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
        piece.errors.append(f"{where}:{line + 1}: cannot read further: {exc}")
    yield piece


def _read_parquet(part: Partition, retrieved: datetime, batch_size: int) -> Iterator[Piece]:
    import pyarrow.parquet as pq

    from hubbub.scale.columns import unflatten_post

    piece = Piece([])
    row = part.first_line - 1
    try:
        parquet = pq.ParquetFile(part.path)
        for record in parquet.iter_batches(batch_size=batch_size, row_groups=[part.start]):
            for values in record.to_pylist():
                row += 1
                piece.lines += 1
                provenance = Provenance(
                    source=f"file:{Path(part.archive).name}",
                    url=part.archive,
                    retrieved=retrieved,
                    line=row,
                )
                try:
                    posts, problems = parse_object(unflatten_post(values), provenance)
                except (LineError, ValueError) as exc:
                    piece.errors.append(f"{part.archive}:{row}: {exc}")
                    continue
                piece.posts += posts
                piece.errors += [f"{part.archive}:{row}: {p}" for p in problems]
            if len(piece.posts) >= batch_size:
                yield piece
                piece = Piece([])
    except Exception as exc:  # pyarrow's errors for a corrupt column chunk or page
        piece.errors.append(f"{part.archive}:{row + 1}: cannot read further: {exc}")
    yield piece
