"""ingest(): batches through a processor into the store, crash-safe and resumable."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest

from hubbub import listen
from hubbub.listen import ingest
from hubbub.model import Batch, Mention, Post, Workspace
from hubbub.sources.base import Source
from hubbub.store import Store, get_cursor, workspace_id
from hubbub.store import write as store_write
from tests.store.helpers import count, make_account, make_post, make_workspace, match_streams
from tests.store.helpers import pg_url as pg_url
from tests.store.helpers import store as store

TABLES = ("posts", "accounts", "mentions", "mention_streams", "followers")


class ListSource:
    """Five batches of 40 posts; the cursor is the number of batches already read."""

    name = "fake"

    def __init__(self, batches: int = 5, size: int = 40) -> None:
        self.all = [
            Batch(
                "fake-label",  # differs from name: the cursor must still be kept under "fake"
                [make_post(b * size + i) for i in range(size)],
                str(b + 1),
                followers=[make_account(500 + b, "mastodon")],
            )
            for b in range(batches)
        ]
        self.asked: list[str | None] = []

    def batches(self, cursor: str | None = None) -> Iterator[Batch]:
        self.asked.append(cursor)
        yield from self.all[int(cursor or 0) :]


def _cursor(store: Store) -> str | None:
    with store.connect() as conn:
        ws_id = workspace_id(conn, "larkspur")
        return None if ws_id is None else get_cursor(conn, ws_id, "fake")


def _counts(store: Store) -> dict[str, int]:
    return {t: count(store, t) for t in TABLES}


def test_source_protocol_is_met() -> None:
    assert isinstance(ListSource(), Source)


def test_ingest_stores_everything_and_reports(store: Store) -> None:
    seen: list[int] = []
    report = ingest(
        store, make_workspace(), ListSource(), processor=match_streams, progress=seen.append
    )
    assert seen == [40] * 5
    assert (report.batches, report.posts_seen, report.posts_new, report.mentions_new) == (
        5,
        200,
        200,
        200,
    )
    assert (report.followers_new, report.cursor, report.source) == (5, "5", "fake")
    assert report.elapsed > 0
    assert _counts(store) == {
        "posts": 200,
        "accounts": 12,  # 7 authors + 5 followers
        "mentions": 200,
        "mention_streams": 600,
        "followers": 5,
    }
    assert _cursor(store) == "5"


def test_rerun_resumes_from_the_cursor(store: Store) -> None:
    ws = make_workspace()
    ingest(store, ws, ListSource(batches=3), processor=match_streams)
    source = ListSource(batches=5)
    report = ingest(store, ws, source, processor=match_streams)
    assert source.asked == ["3"]
    assert (report.batches, report.posts_new) == (2, 80)
    assert count(store, "posts") == 200


def _failing_processor(fail_on_call: int) -> listen.Processor:
    calls = 0

    def process(posts: Sequence[Post], ws: Workspace) -> list[Mention]:
        nonlocal calls
        calls += 1
        if calls == fail_on_call:
            raise RuntimeError("processor crashed")
        return match_streams(list(posts), ws)

    return process


def test_processor_crash_keeps_committed_batches_only(store: Store) -> None:
    ws = make_workspace()
    with pytest.raises(RuntimeError, match="processor crashed"):
        ingest(store, ws, ListSource(), processor=_failing_processor(3))
    assert _cursor(store) == "2"
    assert count(store, "posts") == 80
    report = ingest(store, ws, ListSource(), processor=match_streams)
    assert (report.batches, report.posts_new, report.mentions_new) == (3, 120, 120)


def test_writer_crash_after_posts_rolls_back_the_batch(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure after the batch's posts and mentions are written (at the followers)."""
    ws = make_workspace()
    real = store_write._insert_followers
    calls = 0

    def flaky(*args: object, **kwargs: object) -> int:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("disk on fire")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(store_write, "_insert_followers", flaky)
    with pytest.raises(RuntimeError, match="disk on fire"):
        ingest(store, ws, ListSource(), processor=match_streams)
    assert _cursor(store) == "1"
    assert _counts(store) == {
        "posts": 40,
        "accounts": 8,
        "mentions": 40,
        "mention_streams": 120,
        "followers": 1,
    }
    monkeypatch.setattr(store_write, "_insert_followers", real)
    report = ingest(store, ws, ListSource(), processor=match_streams)
    assert (report.batches, report.posts_new, report.mentions_new, report.followers_new) == (
        4,
        160,
        160,
        4,
    )
    assert _counts(store) == {
        "posts": 200,
        "accounts": 12,
        "mentions": 200,
        "mention_streams": 600,
        "followers": 5,
    }


def test_default_processor_gives_the_pipeline_the_authors_history(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a processor, ingest runs the pipeline with each batch's authors' stored
    history (so customers and fans are known at ingest), read once per batch."""
    from hubbub import relationships

    asked: list[set[tuple[str, str]]] = []
    real = relationships.author_history

    def spy(conn, ws_id, authors, now):  # type: ignore[no-untyped-def]
        asked.append(set(authors))
        return real(conn, ws_id, authors, now)

    monkeypatch.setattr(relationships, "author_history", spy)
    source = ListSource(batches=2, size=10)
    report = ingest(store, make_workspace(), source)
    assert report.mentions_new > 0
    assert len(asked) == 2  # once per batch
    for batch, authors in zip(source.all, asked, strict=True):
        assert authors == {(p.network, p.author.id) for p in batch.posts}
    assert listen._default_processor(store) is not None
