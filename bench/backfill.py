"""Benchmark the Dask backfill: posts/s with 1 and 2 workers beside a single process.

Generates ``--posts`` posts (default 1,000,000) as gzip JSON Lines from the demo
bakery's world, copies of its posts with distinct ids, split into files of
``--file-posts`` (each gzip file is one partition). Then backfills them three ways,
each writing mentions to Parquet (which isolates the compute from the database):

- single process: ``hubbub.scale.backfill.backfill(client=None)``, every partition
  through ``process()`` one after another in a fresh process, no Dask;
- Dask LocalCluster with 1 worker, and with 2 workers (one thread each).

Prints posts/s and the peak resident memory of each worker (``ru_maxrss`` of the
process that ran the partitions), with ratios against the single-process run.

Memory stays bounded whatever ``--posts`` is: the archive is written to disk file by
file as it is generated (never held in RAM), each worker reads its partition in
batches and writes its Parquet a row group at a time, and each run's output is
deleted before the next (``--keep-output`` keeps the last). ``--dir`` with
``--reuse`` skips generating when the directory already holds the same archive, so
the three runs can also be made one at a time (``--runs``).

    .venv/bin/python bench/backfill.py [--posts N] [--file-posts M] [--dir DIR]
                                       [--reuse] [--runs single,1,2] [--keep-output]

The full figure (10,000,000 posts, 200 gzip files of 50,000, about 2 GiB;
hours on a 2-core machine):

    nice .venv/bin/python bench/backfill.py --posts 10000000 --dir /var/tmp/hubbub-10m --reuse
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from hubbub import codec
from hubbub.scale.backfill import BackfillReport, backfill, dask_client
from hubbub.sources.demo import generate_world
from hubbub.workspace import example_path, load_workspace

__all__ = ["main"]


def generate(root: Path, total: int, per_file: int, reuse: bool = False) -> list[Path]:
    """``total`` demo posts with distinct ids, as gzip JSON Lines files of ``per_file``.

    Streamed: one post at a time into the current file. With ``reuse``, files left by
    an earlier call with the same ``total`` and ``per_file`` (see ``manifest.json``)
    are returned as they are.
    """
    manifest = root / "manifest.json"
    wanted = {"posts": total, "file_posts": per_file}
    if reuse and manifest.is_file() and json.loads(manifest.read_text()) == wanted:
        return sorted(root.glob("posts-*.jsonl.gz"))
    manifest.unlink(missing_ok=True)
    for old in root.glob("posts-*.jsonl.gz"):
        old.unlink()
    ws = load_workspace(example_path())
    world = generate_world(ws, seed=7, days=90, end=datetime(2026, 3, 1, tzinfo=UTC))
    base = [codec.to_dict(p) for p in world.posts]
    files: list[Path] = []
    written = 0
    while written < total:
        path = root / f"posts-{len(files):04d}.jsonl.gz"
        with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as out:
            for _ in range(min(per_file, total - written)):
                copy, item = divmod(written, len(base))
                post = dict(base[item])
                post["id"] = f"{post['id']}c{copy}"
                out.write(json.dumps(post, ensure_ascii=False) + "\n")
                written += 1
        files.append(path)
    manifest.write_text(json.dumps(wanted), encoding="utf-8")
    return files


def _single(files: list[Path], out: Path) -> BackfillReport:
    return backfill(files, load_workspace(example_path()), out_dir=out)


def _run(label: str, files: list[Path], out: Path, workers: int) -> BackfillReport:
    shutil.rmtree(out, ignore_errors=True)
    if workers == 0:  # a fresh process, so its peak memory is the run's alone
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            report: BackfillReport = pool.apply(_single, (files, out))
    else:
        with dask_client("local", workers) as client:
            client.run(lambda: __import__("hubbub.pipeline"))  # warm: imports off the clock
            report = backfill(files, load_workspace(example_path()), out_dir=out, client=client)
    assert not report.errors, report.errors[:3]
    peaks = " / ".join(f"{v / 2**20:,.0f}" for v in report.peak_rss.values())
    print(
        f"  {label}: {report.posts:,} posts in {report.elapsed:.1f} s "
        f"({report.posts_per_second:,.0f} posts/s), peak RSS {peaks} MiB",
        flush=True,
    )
    return report


RUNS = {"single": ("single process", 0), "1": ("dask, 1 worker", 1), "2": ("dask, 2 workers", 2)}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=1_000_000, help="posts to generate")
    ap.add_argument("--file-posts", type=int, default=50_000, help="posts per gzip file")
    ap.add_argument("--dir", type=Path, default=None, help="work directory (default: a temp)")
    ap.add_argument("--reuse", action="store_true", help="keep an archive already in --dir")
    ap.add_argument("--runs", default="single,1,2", help="which runs: single, 1, 2 (comma list)")
    ap.add_argument("--keep-output", action="store_true", help="keep the last run's Parquet")
    args = ap.parse_args(argv)
    chosen = [r.strip() for r in args.runs.split(",") if r.strip()]
    if not chosen or any(r not in RUNS for r in chosen):
        ap.error(f"--runs {args.runs!r}: expected a comma list of {', '.join(RUNS)}")
    root = args.dir or Path(tempfile.mkdtemp(prefix="hubbub-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    files = generate(root, args.posts, args.file_posts, args.reuse)
    size = sum(f.stat().st_size for f in files)
    print(
        f"archive: {args.posts:,} posts in {len(files)} gzip files ({size / 2**20:,.0f} MiB), "
        f"ready in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    out = root / "out"
    reports = [(RUNS[r][0], _run(RUNS[r][0], files, out, RUNS[r][1])) for r in chosen]
    if not args.keep_output:
        shutil.rmtree(out, ignore_errors=True)
    base = reports[0][1]
    base_peak = max(base.peak_rss.values()) / 2**20
    print(f"\nratios against: {reports[0][0]}")
    print(f"{'run':<18}{'posts/s':>10}{'ratio':>8}{'peak RSS/worker (MiB)':>26}{'ratio':>8}")
    for label, rep in reports:
        peak = max(rep.peak_rss.values()) / 2**20
        print(
            f"{label:<18}{rep.posts_per_second:>10,.0f}"
            f"{rep.posts_per_second / base.posts_per_second:>8.2f}"
            f"{' / '.join(f'{v / 2**20:,.0f}' for v in rep.peak_rss.values()):>26}"
            f"{peak / base_peak:>8.2f}"
        )
    print(f"\n{base.mentions:,} mentions per run; archive in {root}")


if __name__ == "__main__":
    main()
