"""Partitioning: byte ranges cover every line once; every format reads as posts."""

from __future__ import annotations

import itertools
import random
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from hubbub.scale.columns import posts_table, unflatten_post
from hubbub.scale.partition import (
    PartitionError,
    archive_kind,
    fingerprint,
    line_ranges,
    plan,
    read_partition,
)
from hubbub.sources.files import FileSource, parse_object
from tests.scale.helpers import demo_posts, write_jsonl

NOW = datetime(2026, 3, 2, tzinfo=UTC)


def _lines_by_ranges(path: Path, size: int) -> list[bytes]:
    data = path.read_bytes()
    ranges = line_ranges(path, size)
    assert ranges[0][0] == 0 and ranges[-1][1] == len(data)
    for (_, end, _), (start, _, _) in itertools.pairwise(ranges):
        assert end == start  # contiguous: no byte lost or read twice
    out = []
    for start, end, first in ranges:
        assert first == data[:start].count(b"\n") + 1  # the line number it starts on
        assert start == 0 or data[start - 1 : start] == b"\n"  # aligned to a line start
        out += data[start:end].splitlines(keepends=True)
    return out


@pytest.mark.parametrize("seed", range(25))
def test_byte_ranges_cover_every_line_exactly_once(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    lines = []
    for i in range(rng.randint(0, 60)):
        body = f"line {i} " + "x" * rng.choice([0, 1, 5, 40, 300])
        lines.append(body + rng.choice(["\n", "\r\n", "\n\n"]))
    if lines and rng.random() < 0.5:
        lines[-1] = lines[-1].rstrip("\r\n")  # the last line without its newline
    path = tmp_path / "x.jsonl"
    path.write_bytes("".join(lines).encode())
    size = rng.choice([1, 2, 7, 33, 100, 1000, 10**6])
    data = path.read_bytes()
    assert b"".join(_lines_by_ranges(path, size)) == data
    assert _lines_by_ranges(path, size) == data.splitlines(keepends=True)


def test_a_line_spanning_the_nominal_boundary_goes_to_the_range_it_starts_in(
    tmp_path: Path,
) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(b"aaaa\r\nbbbbbbbbbb\r\ncc")
    assert line_ranges(path, 8) == [(0, 18, 1), (18, 20, 3)]
    assert line_ranges(path, 6) == [(0, 6, 1), (6, 18, 2), (18, 20, 3)]
    assert line_ranges(path, 100) == [(0, 20, 1)]


def test_ranges_read_the_same_posts_and_line_numbers_as_an_import(tmp_path: Path) -> None:
    posts = demo_posts(2)
    path = write_jsonl(tmp_path / "a.jsonl", posts)
    with path.open("ab") as handle:
        handle.write(b'{"not": "a post"}\r\n')
    parts = plan([path], partition_bytes=50_000)
    assert len(parts) > 5 and {p.kind for p in parts} == {"jsonl"}
    read, errors = [], []
    for part in parts:
        for piece in read_partition(part, NOW, batch_size=7):
            read += piece.posts
            errors += piece.errors
    source = FileSource([path])
    imported = [p for b in source.batches() for p in b.posts]
    assert [p.key for p in read] == [p.key for p in posts]
    assert [p.provenance.line for p in read if p.provenance] == list(range(1, len(posts) + 1))
    assert [(p.provenance.source, p.provenance.url) for p in read if p.provenance] == [
        (p.provenance.source, p.provenance.url) for p in imported if p.provenance
    ]
    assert errors == source.errors and errors[0].startswith(f"{path}:{len(posts) + 1}: ")


def test_formats_are_told_by_their_first_bytes(tmp_path: Path) -> None:
    posts = demo_posts(1)[:50]
    gz = write_jsonl(tmp_path / "a.data", posts, gz=True)
    plain = write_jsonl(tmp_path / "b.gz", posts)  # a misleading name
    parquet = tmp_path / "c.bin"
    pq.write_table(posts_table(posts), parquet, row_group_size=20)
    assert [archive_kind(p) for p in (gz, plain, parquet)] == ["gzip", "jsonl", "parquet"]
    parts = plan([gz, parquet])
    assert [(p.kind, p.id, p.first_line) for p in parts] == [
        ("gzip", "all", 1),
        ("parquet", "rg0", 1),
        ("parquet", "rg1", 21),
        ("parquet", "rg2", 41),
    ]
    for part in parts:
        assert part.source_name == f"backfill:{fingerprint(Path(part.path))}:{part.id}"


def test_parquet_rows_round_trip_to_the_same_posts(tmp_path: Path) -> None:
    posts = demo_posts(1)[:120]
    path = tmp_path / "p.parquet"
    pq.write_table(posts_table(posts), path, row_group_size=50)
    read = [p for part in plan([path]) for piece in read_partition(part, NOW) for p in piece.posts]
    assert len(read) == len(posts)
    for mine, theirs in zip(read, posts, strict=True):
        theirs.provenance = mine.provenance = None
        assert mine == theirs
    row = posts_table(posts[:1]).to_pylist()[0]
    assert parse_object(unflatten_post(row))[0][0].author == posts[0].author


def test_fingerprint_follows_content_not_name(tmp_path: Path) -> None:
    a = tmp_path / "a.jsonl"
    a.write_bytes(b"x" * 3_000_000)
    b = tmp_path / "b.jsonl"
    b.write_bytes(b"x" * 3_000_000)
    assert fingerprint(a) == fingerprint(b)
    b.write_bytes(b"x" * 3_000_000 + b"y")
    assert fingerprint(a) != fingerprint(b)


def test_truncated_gzip_is_reported_with_file_and_line(tmp_path: Path) -> None:
    full = write_jsonl(tmp_path / "full.gz", demo_posts(1), gz=True).read_bytes()
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(full[: len(full) // 2])
    (part,) = plan([cut])
    pieces = list(read_partition(part, NOW))
    read = sum(len(p.posts) for p in pieces)
    errors = [e for p in pieces for e in p.errors]
    assert read > 0
    assert errors == [f"{cut}:{read + 1}: cannot read further: " + errors[0].split(": ", 2)[2]]
    assert "end-of-stream" in errors[0]


def test_unreadable_archives_are_refused_with_their_name(tmp_path: Path) -> None:
    with pytest.raises(PartitionError, match=r"missing\.jsonl: no such file"):
        plan([tmp_path / "missing.jsonl"])
    empty_zip = tmp_path / "e.zip"
    with zipfile.ZipFile(empty_zip, "w") as z:
        z.writestr("README.txt", "hi")
    with pytest.raises(PartitionError, match=r"e\.zip: no data/tweets\.js"):
        plan([empty_zip])


def test_x_archives_partition_by_tweet_file_and_report_a_bad_member(tmp_path: Path) -> None:
    from tests.sources.test_xarchive import ACCOUNT, PROFILE, js, tweet

    path = tmp_path / "archive.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("data/account.js", js("account", [ACCOUNT]))
        z.writestr("data/profile.js", js("profile", [PROFILE]))
        z.writestr("data/tweets.js", js("tweets", [tweet(i) for i in range(5)]))
        z.writestr("data/tweets-part1.js", js("tweets", [tweet(i) for i in range(5, 9)]))
    parts = plan([path])
    assert [(p.kind, p.id) for p in parts] == [
        ("xarchive", "data/tweets-part1.js"),
        ("xarchive", "data/tweets.js"),
    ]
    read = {
        p.id: [post.id for piece in read_partition(p, NOW) for post in piece.posts] for p in parts
    }
    assert read == {
        "data/tweets.js": [str(1000 + i) for i in range(5)],
        "data/tweets-part1.js": [str(1000 + i) for i in range(5, 9)],
    }
    data = bytearray(path.read_bytes())
    at = data.index(b'"1007"')
    data[at + 1 : at + 5] = b"9999"  # flipped bytes inside a stored member: a bad CRC
    path.write_bytes(bytes(data))
    (bad,) = [p for p in plan([path]) if p.id == "data/tweets-part1.js"]
    pieces = list(read_partition(bad, NOW))
    errors = [e for piece in pieces for e in piece.errors]
    assert len(errors) == 1
    assert errors[0].startswith(f"{path}/data/tweets-part1.js:")
    assert "Bad CRC-32" in errors[0]
