"""Benchmark sentiment: the shipped model beside VADER, in the same run, on one core.

Prints tweets/s for the model's batch path (``sentiments``), its one-text path
(``sentiment``) and VADER (``vader_sentiment``), each absolute and as a ratio to
VADER, so the figures compare across machines; per core from CPU time
(``time.process_time``: the target is per core, and the machine may be shared)
and, beside it, from wall time. The model caches each distinct
token's feature rows (those of the training tokens ship with it), so it is timed
cold (a fresh process: the cache empty) and warm (after scoring
other tweets, as a listener that has run a while: SemEval-2016 test tweets not in
val, or half the demo texts). Where
``../shared/data`` is present the texts are TweetEval's sentiment val tweets and
it also prints macro-averaged recall (TweetEval's metric) and accuracy of both;
otherwise it times the demo world's post texts. The process is pinned to one
core where the OS allows.

    .venv/bin/python bench/sentiment.py [--repeat R] [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import hubbub
from hubbub.insight.sentiment import (
    LABELS,
    forget_sentiments,
    model,
    sentiment,
    sentiments,
    vader_sentiment,
)
from hubbub.model import Sentiment
from hubbub.sources.demo import generate_world
from hubbub.workspace import load_workspace

__all__ = ["macro_recall", "main"]

ROOT = Path(__file__).resolve().parents[1]


def macro_recall(gold: Sequence[int], pred: Sequence[int]) -> tuple[float, float]:
    """(macro-averaged recall over the three classes, accuracy)."""
    rec = []
    for k in range(3):
        total = sum(1 for g in gold if g == k)
        rec.append(sum(1 for g, p in zip(gold, pred, strict=True) if g == k == p) / max(total, 1))
    acc = sum(1 for g, p in zip(gold, pred, strict=True) if g == p) / max(len(gold), 1)
    return sum(rec) / 3, acc


def _rate(
    fn: Callable[[list[str]], list[Sentiment]],
    texts: list[str],
    repeat: int,
    warm: Sequence[str] | None,
) -> tuple[float, float]:
    """(tweets/s of CPU time, tweets/s of wall time), each the best of ``repeat``; each run
    starts with empty caches, then (``warm``) scores the warm-up texts untimed, as a
    process that has been listening a while. CPU time is what one core spends, so it
    holds on a shared, loaded machine where wall time does not."""
    cpu = wall = float("inf")
    for _ in range(repeat):
        forget_sentiments()
        model().token_rows.clear()
        if warm is not None:
            sentiments(warm)  # warms the token rows; no scored text is kept
            forget_sentiments()
        start, start_cpu = time.perf_counter(), time.process_time()
        fn(texts)
        cpu = min(cpu, time.process_time() - start_cpu)
        wall = min(wall, time.perf_counter() - start)
    return len(texts) / max(cpu, 1e-9), len(texts) / wall


def _texts(data: Path) -> tuple[list[str], list[int] | None, list[str], str]:
    """(texts, gold labels or None, warm-up texts, description)."""
    ws = load_workspace(Path(hubbub.__file__).parent / "examples" / "bakery.toml")
    world = generate_world(ws, seed=7, days=7, end=datetime(2026, 3, 1, tzinfo=UTC))
    demo = list(dict.fromkeys(p.text for p in world.posts))  # distinct: no cache hits
    val = data / "tweeteval" / "sentiment"
    pool = data / "semeval2017-4a"
    if not (val / "val_text.txt").is_file():
        half = len(demo) // 2
        return demo[:half], None, demo[half:], f"demo post texts ({half} distinct)"
    labels = [int(x) for x in (val / "val_labels.txt").read_text().split()]
    texts = [t.rstrip() for t in (val / "val_text.txt").read_text("utf-8").split("\n")]
    overlap = set((pool / "tweeteval-val-overlap-ids.txt").read_text().split())
    warm = []
    with (pool / "twitter-2016test-A.tsv").open(encoding="utf-8") as fh:
        for line in fh:
            tid, _, text = line.rstrip("\n").split("\t")[:3]
            if tid not in overlap:
                warm.append(text)
    return texts[: len(labels)], labels, warm, f"TweetEval sentiment val ({len(labels)} tweets)"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="best of R runs (default 5)")
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = ap.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    texts, gold, warm, what = _texts(args.data)
    start = time.perf_counter()
    model()
    print(f"model loaded in {time.perf_counter() - start:.2f}s; texts: {what}")
    print(
        f"cold: token cache empty at the start of each run; warm: after {len(warm):,} other tweets"
    )

    def one_by_one(batch: list[str]) -> list[Sentiment]:
        return [sentiment(t) for t in batch]

    def vader(batch: list[str]) -> list[Sentiment]:
        return [vader_sentiment(t) for t in batch]

    runs: dict[str, tuple[Callable[[list[str]], list[Sentiment]], Sequence[str] | None]] = {
        "model batch, cold": (sentiments, None),
        "model batch, warm": (sentiments, warm),
        "model 1-by-1, warm": (one_by_one, warm),
        "vader": (vader, None),
    }
    rates = {name: _rate(fn, texts, args.repeat, w) for name, (fn, w) in runs.items()}
    header = f"{'':<20}{'CPU tw/s':>10}{'x vader':>9}{'wall tw/s':>11}{'x vader':>9}"
    if gold is not None:
        header += f"{'macro-recall':>14}{'accuracy':>10}"
    print(header)
    vader_cpu, vader_wall = rates["vader"]
    for name, (fn, _) in runs.items():
        cpu, wall = rates[name]
        line = (
            f"{name:<20}{cpu:>10,.0f}{cpu / vader_cpu:>9.2f}{wall:>11,.0f}{wall / vader_wall:>9.2f}"
        )
        if gold is not None:
            pred = [LABELS.index(s.label) for s in fn(texts)]
            mr, acc = macro_recall(gold, pred)
            line += f"{mr:>14.4f}{acc:>10.4f}"
        print(line)


if __name__ == "__main__":
    main()
