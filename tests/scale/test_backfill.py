"""The Dask backfill equals the single-process import; bad partitions fail alone and resume."""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow.parquet as pq
import pytest
from distributed import Client
from sqlalchemy import text

from hubbub import codec
from hubbub.listen import ingest
from hubbub.model import Insight
from hubbub.pipeline import process
from hubbub.scale.backfill import (
    BackfillError,
    PartitionResult,
    backfill,
    dask_client,
    done_marks,
    out_file,
)
from hubbub.scale.columns import insight_columns, posts_table
from hubbub.scale.partition import plan
from hubbub.sources.files import FileSource
from hubbub.store import Store, workspace_id
from tests.scale.helpers import (
    bakery,
    demo_posts,
    stored_count,
    stored_mentions,
    write_jsonl,
)
from tests.store.helpers import DB_KINDS, Databases, databases
from tests.store.helpers import pg_databases as pg_databases
from tests.store.helpers import pg_url as pg_url

PART = 60_000  # bytes: about 40 posts a partition, so a few dozen partitions


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    """One LocalCluster for the module: 2 worker processes of one thread each."""
    with dask_client("local", 2) as opened:
        yield opened


@pytest.fixture(scope="module")
def archives(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """A plain and a gzip JSON Lines archive of the demo world (distinct posts)."""
    root = tmp_path_factory.mktemp("archives")
    posts = demo_posts(4)
    half = len(posts) // 2
    return [
        write_jsonl(root / "first.jsonl", posts[:half]),
        write_jsonl(root / "second.jsonl.gz", posts[half:], gz=True),
    ]


@pytest.fixture(scope="module", params=DB_KINDS)
def dbs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Databases]:
    """The module's databases: SQLite, then PostgreSQL (each test takes its own names)."""
    made = databases(request, tmp_path_factory.mktemp("dbs"))
    yield made
    made.close()


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, archives: list[Path]) -> Iterator[Store]:
    """The reference: the same archives through `hubbub import`'s ingest, one process.

    With the pure pipeline: a backfill's partitions run at once, so none can see the
    authors' history another is writing, and customers and fans are left to the
    listener (ingest's default processor reads that history; docs/scale.md says so).
    """
    store = Store.open(f"sqlite:///{tmp_path_factory.mktemp('single') / 'hubbub.db'}")
    ingest(store, bakery(), FileSource(archives), processor=process)
    yield store
    store.close()


@pytest.fixture(scope="module")
def single(dbs: Databases, reference: Store, archives: list[Path]) -> Store:
    """The reference on the database the test runs on (SQLite's is ``reference``)."""
    if dbs.kind == "sqlite":
        return reference
    store = dbs.open("single")
    ingest(store, bakery(), FileSource(archives), processor=process)
    return store


def test_dask_backfill_stores_what_a_single_process_import_stores(
    dbs: Databases, client: Client, archives: list[Path], single: Store
) -> None:
    expected = stored_mentions(single)
    assert len(expected) > 500
    with dbs.open("dask") as store:
        report = backfill(archives, bakery(), store=store, client=client, partition_bytes=PART)
        assert report.errors == [] and report.failed == 0
        assert report.partitions == report.done > 10
        assert len(report.peak_rss) == 2  # both workers took partitions
        assert stored_mentions(store) == expected
        for table in ("posts", "accounts"):
            assert stored_count(store, table) == stored_count(single, table)
        assert report.posts == stored_count(store, "posts")

        again = backfill(archives, bakery(), store=store, client=client, partition_bytes=PART)
        assert (again.skipped, again.done, again.posts) == (report.partitions, 0, 0)
        assert stored_mentions(store) == expected


def test_parquet_output_holds_the_databases_mentions(
    tmp_path: Path, client: Client, archives: list[Path], reference: Store
) -> None:
    out = tmp_path / "out"
    report = backfill(archives, bakery(), out_dir=out, client=client, partition_bytes=PART)
    parts = plan(archives, PART)
    assert report.done == len(parts) and report.errors == []
    assert sorted(out.glob("*.parquet")) == sorted(out_file(out, p) for p in parts)
    rows = [r for f in sorted(out.glob("*.parquet")) for r in pq.read_table(f).to_pylist()]
    with reference.connect() as conn:
        db = conn.execute(
            text(
                "SELECT p.network, p.native_id, m.insight, "
                "(SELECT group_concat(name, '|') FROM (SELECT s.name FROM mention_streams ms "
                " JOIN streams s ON s.id = ms.stream_id WHERE ms.mention_id = m.id "
                " ORDER BY s.name)) FROM mentions m JOIN posts p ON p.id = m.post_id"
            )
        ).all()

    def key(row: dict[str, Any]) -> tuple[str, str]:
        return (row["network"], row["id"])

    assert sorted(map(key, rows)) == sorted((n, i) for n, i, _, _ in db)
    by_key = {key(r): r for r in rows}
    for network, native_id, insight, streams in db:
        row = by_key[(network, native_id)]
        assert "|".join(sorted(row["streams"])) == streams
        want = insight_columns(codec.from_dict(Insight, json.loads(insight)))
        got = {k: row[k] for k in want}
        for name, value in want.items():
            if isinstance(value, float):
                assert math.isclose(got[name], value), name
                got[name] = value
        # the store keeps times in UTC; Parquet keeps the workspace's offset: same instant
        local = datetime.fromisoformat(got.pop("when_local_time"))
        assert local == datetime.fromisoformat(want.pop("when_local_time"))
        assert local.utcoffset() == local.astimezone(ZoneInfo(bakery().timezone)).utcoffset()
        assert got == want


def test_a_corrupt_partition_fails_alone_and_a_rerun_redoes_only_it(
    tmp_path: Path, client: Client, dbs: Databases
) -> None:
    posts = demo_posts(2)
    good = write_jsonl(tmp_path / "good.jsonl", posts[:300])
    lines = write_jsonl(tmp_path / "bad.jsonl", posts[300:400]).read_text().splitlines()
    lines[41] = lines[41][:-30]  # a line cut short: not JSON
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines) + "\n")
    full = write_jsonl(tmp_path / "full.gz", posts[400:]).read_bytes()
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(gzip.compress(full)[:-200])  # a truncated gzip

    with dbs.open("corrupt") as store:
        first = backfill(
            [good, bad, cut], bakery(), store=store, client=client, partition_bytes=PART
        )
        good_parts = plan([good], PART)
        bad_parts = plan([bad], PART)
        assert first.failed == 2 and first.done == len(good_parts) + len(bad_parts) - 1
        assert (
            first.errors[0]
            == f"{bad}:42: not JSON: Unterminated string starting at "
            + (first.errors[0].split("starting at ", 1)[1])
        )
        assert first.errors[1].startswith(f"{cut}:") and "cannot read further" in first.errors[1]
        # the good lines of the failed partitions are stored; their marks are not
        assert stored_count(store, "posts") == first.posts
        assert 300 + 99 < first.posts < len(posts) - 1
        with store.connect() as conn:
            ws_id = workspace_id(conn, bakery().slug)
        assert ws_id is not None
        broken = next(p for p in reversed(bad_parts) if p.first_line <= 42)
        assert done_marks(store, ws_id) == {
            p.source_name for p in good_parts + bad_parts if p != broken
        }
        stored = first.posts

        # nothing changed: the re-run redoes the two failed partitions and nothing else
        redone: list[PartitionResult] = []
        again = backfill(
            [good, bad, cut],
            bakery(),
            store=store,
            client=client,
            partition_bytes=PART,
            on_result=redone.append,
        )
        assert (again.skipped, again.done, again.failed) == (first.done, 0, 2)
        assert {r.partition for r in redone} == {broken, *plan([cut])}
        assert again.errors == first.errors
        assert stored_count(store, "posts") == stored

        # the user repairs bad.jsonl: a changed file is a new archive, redone whole; the
        # other archives' partitions stay done and the still-cut gzip fails again
        lines[41] = write_jsonl(tmp_path / "one.jsonl", posts[341:342]).read_text().strip()
        bad.write_text("\n".join(lines) + "\n")
        second = backfill(
            [good, bad, cut], bakery(), store=store, client=client, partition_bytes=PART
        )
        assert (second.skipped, second.done, second.failed) == (len(good_parts), len(bad_parts), 1)
        assert second.errors == first.errors[1:]
        assert stored_count(store, "posts") == stored + 1


def test_backfill_refuses_two_destinations_and_unknown_schedulers(tmp_path: Path) -> None:
    with (
        pytest.raises(BackfillError, match="either a database or an output directory"),
        Store.open(f"sqlite:///{tmp_path / 'x.db'}") as store,
    ):
        backfill([tmp_path], bakery(), store=store, out_dir=tmp_path)
    with (
        pytest.raises(BackfillError, match="expected 'local' or tcp://host:port"),
        dask_client("somewhere", 1),
    ):
        pass


def test_parquet_archives_backfill_like_their_json_lines(
    tmp_path: Path, client: Client, dbs: Databases
) -> None:
    posts = demo_posts(1)
    lines = write_jsonl(tmp_path / "a.jsonl", posts)
    table = tmp_path / "a.parquet"
    pq.write_table(posts_table(posts), table, row_group_size=100)
    with dbs.open("j") as a, dbs.open("p") as b:
        backfill([lines], bakery(), store=a, client=client, partition_bytes=PART)
        report = backfill([table], bakery(), store=b, client=client)
        assert report.partitions == math.ceil(len(posts) / 100)
        assert stored_mentions(a) == stored_mentions(b)
