"""CSV imports through FileSource: mapping, header detection, FILE:LINE:FIELD errors, resume."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hubbub.model import Batch
from hubbub.sources.base import SourceError
from hubbub.sources.csvfile import CsvOptions, parse_mapping, row_post
from hubbub.sources.files import FileSource

EXPORT = (
    "Message,Date,User,Likes,Platform\n"
    '"Best sourdough in town, hands down",2026-11-20 09:30,@avleats,12,twitter\n'
    '"Line one\nline two of a long review",2026-11-20T10:00:00Z,breadfan,,mastodon\n'
    "Croissants sold out again,Wed Oct 10 20:19:24 +0000 2018,pastrylover,3,\n"
)


def _posts(batches: list[Batch]) -> list[tuple[str, str, str]]:
    return [(p.network, p.author.handle, p.text) for b in batches for p in b.posts]


def test_mapping_detection_and_fields(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(EXPORT, encoding="utf-8")
    source = FileSource([path], csv=CsvOptions({"author": "User"}))
    batches = list(source.batches())
    assert source.errors == []
    assert _posts(batches) == [
        ("x", "avleats", "Best sourdough in town, hands down"),
        ("mastodon", "breadfan", "Line one\nline two of a long review"),
        ("x", "pastrylover", "Croissants sold out again"),
    ]
    first, second, third = (p for b in batches for p in b.posts)
    assert first.created == datetime(2026, 11, 20, 9, 30, tzinfo=UTC)  # no zone: UTC
    assert first.metrics.likes == 12 and second.metrics.likes is None
    assert third.created == datetime(2018, 10, 10, 20, 19, 24, tzinfo=UTC)
    assert first.provenance is not None and first.provenance.line == 2
    assert third.provenance is not None and third.provenance.line == 5  # after a 2-line row
    assert first.id.startswith("csv-") and len({first.id, second.id, third.id}) == 3
    assert batches[-1].cursor == f"{path.resolve()}:5"
    assert source.lines_read == 3


def test_ids_are_stable_so_nothing_is_stored_twice(tmp_path: Path) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(EXPORT, encoding="utf-8")
    b.write_text(EXPORT.replace("\n", "\r\n"), encoding="utf-8")  # the same rows, from Excel
    ids_a = [p.id for batch in FileSource([a]).batches() for p in batch.posts]
    ids_b = [p.id for batch in FileSource([b]).batches() for p in batch.posts]
    assert ids_a[0] == ids_b[0] and ids_a[2] == ids_b[2]


def test_semicolons_bom_gzip_and_an_id_column(tmp_path: Path) -> None:
    text = (
        "\ufeffTweet ID;Text;Created At;Screen Name\n"
        "1860000000000000001;Hallo Brot;2026-11-01 08:00;baeckerei\n"
    )
    path = tmp_path / "export.csv.gz"
    path.write_bytes(gzip.compress(text.encode("utf-8")))
    batches = list(FileSource([path]).batches())
    [post] = [p for b in batches for p in b.posts]
    assert post.id == "1860000000000000001" and post.author.handle == "baeckerei"
    assert post.url == "https://x.com/baeckerei/status/1860000000000000001"


def test_bad_rows_are_named_by_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "text,created,author,likes\n"
        "good one,2026-11-20T09:00:00Z,ann,1\n"
        "no date,yesterday,bob,1\n"
        ",2026-11-20T09:00:00Z,cy,1\n"
        "no author,2026-11-20T09:00:00Z,,1\n"
        "bad likes,2026-11-20T09:00:00Z,dee,lots\n"
        "good two,2026-11-20T09:05:00Z,eve,\n",
        encoding="utf-8",
    )
    source = FileSource([path])
    handles = [p.author.handle for b in source.batches() for p in b.posts]
    assert handles == ["ann", "eve"]
    assert source.errors == [
        f"{path}:3:created: 'yesterday' is not a date and time (e.g. 2026-11-20T09:30:00Z)",
        f"{path}:4:text: is empty",
        f"{path}:5:author: is empty",
        f"{path}:6:likes: 'lots' is not a whole number",
    ]


def test_unknown_or_missing_columns_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("Words,When\nhello,2026-11-20\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"no column for author.*--map author=Header"):
        list(FileSource([path], csv=CsvOptions({"text": "Words", "created": "When"})).batches())
    with pytest.raises(SourceError, match=r"--map text=Body: no such column"):
        list(FileSource([path], csv=CsvOptions({"text": "Body"})).batches())
    with pytest.raises(SourceError, match="unknown field 'colour'"):
        CsvOptions({"colour": "Words"})
    with pytest.raises(SourceError, match="--network"):
        CsvOptions(network="myspace")
    with pytest.raises(SourceError, match="FIELD=Header"):
        parse_mapping(["text"])


def test_resume_after_interruption_reads_each_row_once(tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    rows = "".join(f"post {i},2026-11-20T09:{i:02d}:00Z,user{i}\n" for i in range(25))
    path.write_text("text,created,author\n" + rows, encoding="utf-8")
    it = FileSource([path], batch_size=10).batches()
    first = next(it)  # stored with its cursor, then the process dies
    assert first.cursor == f"{path.resolve()}:11"
    rest = list(FileSource([path], batch_size=10).batches(first.cursor))
    texts = [p.text for p in first.posts] + [p.text for b in rest for p in b.posts]
    assert texts == [f"post {i}" for i in range(25)]
    # a finished file: nothing more
    assert list(FileSource([path]).batches(rest[-1].cursor)) == []


def test_row_post_epoch_seconds() -> None:
    post = row_post(
        {"text": "hi", "created": "1700000000", "author": "ann"}, CsvOptions(network="bluesky")
    )
    assert post.network == "bluesky" and post.created == datetime.fromtimestamp(1700000000, UTC)
