"""The listening summary from per-stream sums (:func:`hubbub.summary.summary_of_counts`,
:func:`hubbub.store.summary.stream_counts`): the same figures as ``summarise`` over
the per-author tallies, for every small shape of tallies and on a stored workspace
with repeat authors, several streams and an empty one."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hubbub.insight.summary import AuthorTally, summarise
from hubbub.model import Batch
from hubbub.store import Store, upsert_workspace, write_batch
from hubbub.store.summary import StreamCounts, stream_counts, stream_phrases, stream_tallies
from hubbub.summary import summary_of_counts
from tests.store.helpers import make_post, make_workspace, match_streams, pg_url, store

__all__ = ["pg_url", "store"]


def _sums(tallies: list[AuthorTally]) -> StreamCounts:
    return StreamCounts(
        mentions=sum(t.mentions for t in tallies),
        recent=sum(t.recent for t in tallies),
        positive=sum(t.positive for t in tallies),
        negative=sum(t.negative for t in tallies),
        authors=len(tallies),
        repeat=sum(t.mentions > 1 for t in tallies),
    )


def test_summary_of_counts_equals_summarise_for_every_small_shape() -> None:
    shapes = 0
    for k in range(5):
        for counts in itertools.product((1, 2, 3, 7), repeat=k):
            tallies = [
                AuthorTally(n, positive=n // 2, negative=n % 2, recent=min(n, 1)) for n in counts
            ]
            assert summary_of_counts("s", _sums(tallies)) == summarise("s", tallies), counts
            shapes += 1
    assert shapes == 1 + 4 + 16 + 64 + 256
    assert summary_of_counts("s", StreamCounts()) == summarise("s", [])


def test_stream_counts_sum_the_stored_tallies(store: Store) -> None:
    now = datetime(2026, 3, 10, 12, tzinfo=UTC)
    ws = make_workspace()
    texts = ["larkspur bakery", "asheville larkspur", "larkspur"]
    posts = [
        replace(make_post(i, texts[i % 3]), created=now - timedelta(hours=1 + 9 * i))
        for i in range(30)
    ]
    # a few authors write again: repeat authors in the window
    posts = [
        replace(p, author=posts[i % 4].author) if i % 5 == 0 else p for i, p in enumerate(posts)
    ]
    found = match_streams(posts, ws)
    with store.begin() as conn:
        ws_id = upsert_workspace(conn, ws)
        write_batch(conn, ws_id, Batch("test", posts), found)
    since, recent = now - timedelta(days=7), now - timedelta(hours=24)
    with store.connect() as conn:
        sums = stream_counts(conn, ws_id, since, now, recent)
        tallies = stream_tallies(conn, ws_id, since, now, recent)
        phrases = stream_phrases(conn, ws_id, since, now)
    assert set(sums) == set(tallies) == set(phrases)
    assert any(c.repeat for c in sums.values())
    for name, rows in tallies.items():
        assert sums[name] == _sums(rows), name
        assert summary_of_counts(name, sums[name]) == summarise(name, rows)
    in_window = [
        m.post for m in found if m.post.created >= since and "Larkspur Bakery" in m.streams
    ]
    assert in_window
    brand = sums["Larkspur Bakery"]
    assert brand.mentions == len(in_window)
    assert brand.authors == len({p.author.id for p in in_window})
    assert len(phrases["Larkspur Bakery"]) == len(in_window)
