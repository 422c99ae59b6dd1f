"""Benchmark the pipeline: posts per second through process() and each stage alone.

Runs the demo bakery's workspace (its derived streams) over the demo world's
posts (``hubbub.sources.demo.generate_world``), and prints posts/s for:
entities (``extract_entities``), match (the workspace's compiled matcher, with
entities filled), insight (``analyse`` on the matched posts, sentiment cache
emptied before each run) and the whole of
``process()``; each beside the cheapest stage of the same run as a ratio, so the
figures compare across machines. A second table shows the keyword index at
scale: 500 streams matched with the index and without it (plain evaluation of
every stream). Single process, single core.

    .venv/bin/python bench/pipeline.py [--days N] [--repeat R] [--streams S]
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import hubbub
from hubbub.insight.analyse import analyse
from hubbub.insight.sentiment import sentiment
from hubbub.model import Post, Stream, Workspace
from hubbub.pipeline import matcher_for, process
from hubbub.query import PostView, compile_streams
from hubbub.sources.demo import generate_world
from hubbub.text import extract_entities
from hubbub.workspace import load_workspace

__all__ = ["main"]


def _best(fn: Callable[[], object], repeat: int, reset: Callable[[], None] | None = None) -> float:
    best = float("inf")
    for _ in range(repeat):
        if reset is not None:
            reset()
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _many_streams(ws: Workspace, n: int, seed: int = 7) -> list[Stream]:
    """``n`` plausible streams: the workspace's own plus random keyword/phrase/hashtag ORs."""
    rng = random.Random(seed)
    vocab = sorted({w.lower() for s in ws.streams for w in s.query.replace('"', " ").split()})
    vocab = [w for w in vocab if w.isalpha() and w != "or"] + [
        f"term{i}" for i in range(4 * n)
    ]  # mostly absent words, as in a big agency's stream list
    out = list(ws.streams)
    while len(out) < n:
        terms = rng.sample(vocab, rng.randint(2, 6))
        parts = [f"#{t}" if rng.random() < 0.2 else t for t in terms]
        query = " OR ".join(parts)
        if rng.random() < 0.3:
            query = f"({query}) -is:retweet"
        out.append(Stream(f"s{len(out)}", query))
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=30, help="days of demo world (default 30)")
    ap.add_argument("--repeat", type=int, default=3, help="best of R runs (default 3)")
    ap.add_argument("--streams", type=int, default=500, help="streams for the index table")
    args = ap.parse_args(argv)

    ws = load_workspace(Path(hubbub.__file__).parent / "examples" / "bakery.toml")
    world = generate_world(ws, seed=7, days=args.days, end=datetime(2026, 3, 1, tzinfo=UTC))
    posts: list[Post] = world.posts
    n = len(posts)
    texts = [p.text for p in posts]

    def cold() -> None:  # each run starts with an empty sentiment cache, as a new batch would
        sentiment.cache_clear()

    def clear() -> None:
        cold()
        for p in posts:
            p.entities = None

    def fill() -> None:
        for p in posts:
            p.entities = extract_entities(p.text)

    matcher = matcher_for(tuple(ws.streams))
    fill()
    views = [PostView(p) for p in posts]
    matched = [(p, m) for p, v in zip(posts, views, strict=True) if (m := matcher.match_view(v))]
    insight_inputs = [(p, tuple(t for s in m for t in s.terms)) for p, m in matched]

    timings: dict[str, tuple[float, int]] = {
        "entities": (_best(lambda: [extract_entities(t) for t in texts], args.repeat), n),
        "match": (_best(lambda: [matcher.match(p) for p in posts], args.repeat), n),
        "insight": (
            _best(lambda: [analyse(p, ws, t) for p, t in insight_inputs], args.repeat, cold),
            len(insight_inputs),
        ),
        "process()": (_best(lambda: process(posts, ws), args.repeat, reset=clear), n),
    }
    rates = {k: cnt / secs for k, (secs, cnt) in timings.items()}
    cheapest = max(rates, key=lambda k: rates[k])
    print(f"{n} demo posts ({args.days} days), {len(ws.streams)} streams, "
          f"{len(matched)} matched; best of {args.repeat}")  # fmt: skip
    print(f"{'stage':<12}{'posts/s':>12}{'time vs ' + cheapest:>20}")
    for k, rate in rates.items():
        print(f"{k:<12}{rate:>12,.0f}{rates[cheapest] / rate:>19.2f}x")

    fill()
    big = compile_streams(_many_streams(ws, args.streams))
    indexed = n / _best(lambda: [big.match(p) for p in posts], args.repeat)
    plain = n / _best(lambda: [big.match_all(p) for p in posts], args.repeat)
    print(f"\nmatch with {len(big.streams)} streams")
    print(f"{'keyword index':<16}{indexed:>12,.0f} posts/s")
    print(
        f"{'plain (no index)':<16}{plain:>12,.0f} posts/s   index speed-up {indexed / plain:.1f}x"
    )


if __name__ == "__main__":
    main()
