"""Benchmark: how many Jetstream events a second hubbub reads, filters, maps and stores.

A firehose-like mix is generated with the test fake's event maker: for every post
about the workspace's streams, ``--noise`` unrelated events (other posts, deletes,
identity updates), as on the real post collection where a small business's terms
are a sliver of the traffic. Measured in one run, each against the same messages:

- **baseline**: ``json.loads`` of every message, the least any reader must do;
- **read**: :class:`~hubbub.sources.bluesky.JetstreamSource`'s per-message path
  (decode, cursor, pre-filter) and the mapping of the kept events into Posts;
- **socket**: the same source reading the messages from the fake Jetstream over a
  real websocket on 127.0.0.1 (what a live listener pays before the pipeline);
- **store**: kept posts through the pipeline (``process``) into a fresh SQLite store
  with :func:`hubbub.listen.ingest`, one transaction per batch.

Each figure is events per second of wall time (posts per second where noted); the
ratio is against the baseline's events per second.

Usage: .venv/bin/python bench/jetstream.py [--events N] [--noise N]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hubbub.listen import ingest
from hubbub.model import Batch, Stream, Workspace
from hubbub.pipeline import process
from hubbub.sources.bluesky import JetstreamSource
from hubbub.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the fake lives in tests/
from tests.fakes.bluesky import FakeJetstream, jetstream_events

STREAMS = (
    Stream("Larkspur Bakery", '"Larkspur Bakery" OR @larkspur.bsky.social', "brand"),
    Stream("Industry", "sourdough OR croissant OR #patisserie", "industry"),
    Stream("Asheville", "asheville OR avl", "locale"),
)


class _Replay:
    """A JetstreamSource's batches over messages already in memory (no socket)."""

    name = "bluesky:jetstream"

    def __init__(self, source: JetstreamSource, messages: list[str], batch: int) -> None:
        self.source, self.messages, self.batch = source, messages, batch

    def batches(self, cursor: str | None = None) -> Iterator[Batch]:
        pending: list[dict[str, Any]] = []
        for message in self.messages:
            self.source._read(message, pending)
            if len(pending) >= self.batch:
                yield self.source._batch(pending, "bench://")
                pending = []
        if pending:
            yield self.source._batch(pending, "bench://")


def _best(run: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=40_000, help="events in the mix")
    parser.add_argument("--noise", type=int, default=19, help="unrelated events per kept post")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    kept_n = max(1, args.events // (args.noise + 1))
    events = jetstream_events(kept_n, noise=args.noise, authors=200)
    messages = [json.dumps(e) for e in events]
    n = len(messages)
    ws = Workspace(slug="larkspur", name="Larkspur Bakery", streams=STREAMS)

    base = _best(lambda: [json.loads(m) for m in messages], args.repeat)

    def read() -> int:
        source = JetstreamSource("ws://unused", STREAMS)
        return sum(len(b.posts) for b in _Replay(source, messages, 200).batches())

    kept = read()
    read_s = _best(read, args.repeat)

    def unfiltered() -> int:
        source = JetstreamSource("ws://unused", STREAMS, prefilter=False)
        return sum(len(b.posts) for b in _Replay(source, messages, 200).batches())

    everything = unfiltered()
    unfiltered_s = _best(unfiltered, 1)

    fake = FakeJetstream(list(events)).start()
    try:
        source = JetstreamSource(fake.url, STREAMS, batch_size=200, max_posts=kept)
        started = time.perf_counter()
        got = sum(len(b.posts) for b in source.batches())
        socket_s = time.perf_counter() - started
    finally:
        fake.stop()
    assert got == kept, (got, kept)

    warm = _Replay(JetstreamSource("ws://unused", STREAMS), messages[:2000], 200)
    process([p for b in warm.batches() for p in b.posts], ws)  # models loaded once, not timed
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(f"sqlite:///{Path(tmp) / 'bench.db'}")
        try:
            replay = _Replay(JetstreamSource("ws://unused", STREAMS), messages, 200)
            started = time.perf_counter()
            report = ingest(store, ws, replay)
            store_s = time.perf_counter() - started
        finally:
            store.close()

    rate = n / base
    print(
        f"{n:,} Jetstream events, {kept:,} kept by the pre-filter "
        f"({args.noise} unrelated per kept post), {len(STREAMS)} streams; best of {args.repeat}"
    )
    print("events/s of wall time; ratio = speed / baseline speed (json.loads alone)")
    rows = [
        ("baseline json.loads", base, ""),
        ("read: decode+filter+map", read_s, ""),
        ("read, pre-filter off", unfiltered_s, f"({everything:,} posts mapped)"),
        ("socket: fake Jetstream", socket_s, ""),
        ("store: +process+ingest", store_s, f"({report.mentions_new:,} mentions)"),
    ]
    for label, seconds, note in rows:
        print(
            f"{label:<26}{n / seconds:>12,.0f} events/s  ratio {n / seconds / rate:5.2f}x  "
            f"{note}".rstrip()
        )
    print(f"kept posts stored with their mentions: {kept / store_s:,.0f} posts/s")


if __name__ == "__main__":
    main()
