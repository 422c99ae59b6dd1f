"""Benchmark: ``hubbub audit followers`` end to end, stdin bytes to stdout bytes.

The same deterministic profile lines as ``bench/authenticity.py`` (X v1.1 and v2,
Mastodon, Bluesky; bought and genuine shapes), written to a temporary file, go
through the whole command, beside the baseline of ``json.loads`` of the same lines
in the same run (the floor any JSON Lines reader pays; target: 100,000 accounts/s):

- in process: the command through Typer (``CliRunner``), its stdout kept, CPU time;
- the reference path (Accounts, Verdicts, ``json.dumps`` per line) over the same
  bytes, once: the command before the batch path, for the before/after figure;
- as a subprocess (``hubbub audit followers < file > file``): wall and CPU time, and
  the same less a run on empty input (the interpreter and the CLI's imports).

CPU time (``time.process_time``, a child's rusage) is what one core spends, so a
busy machine changes it less than the wall clock. Both outputs are checked equal.

Run: ``.venv/bin/python bench/followers.py [--accounts 200000] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from authenticity import NOW, make_lines
from hubbub.audit.followers import Verdict, audit_followers
from hubbub.cli import app

AT = NOW.isoformat()


def cpu(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    """The least CPU time of ``repeat`` runs, in seconds, and the last run's result."""
    times, out = [], None
    for _ in range(repeat):
        start = time.process_time()
        out = fn()
        times.append(time.process_time() - start)
    return min(times), out


def command(data: bytes) -> bytes:
    result = CliRunner().invoke(app, ["audit", "followers", "--at", AT], input=data)
    if result.exit_code != 0:
        raise SystemExit(f"the command failed: {result.stderr[:500]}")
    return result.stdout_bytes


def reference(data: bytes) -> bytes:
    out: list[str] = []

    def emit(verdict: Verdict) -> None:
        out.append(json.dumps(verdict.to_json(), ensure_ascii=False) + "\n")

    summary, _ = audit_followers(io.BytesIO(data), NOW, emit, print)
    out.append(json.dumps(summary.to_json()) + "\n")
    return "".join(out).encode()


def subprocess_run(path: Path, out: Path) -> tuple[float, float]:
    """Wall and CPU seconds of ``hubbub audit followers < path > out``."""
    exe = Path(sys.executable).with_name("hubbub")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with path.open("rb") as stdin, out.open("wb") as stdout:
        subprocess.run(
            [str(exe), "audit", "followers", "--at", AT],
            stdin=stdin,
            stdout=stdout,
            check=True,
            env=os.environ | {"OPENBLAS_NUM_THREADS": "1"},  # one core, as the target says
        )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, used


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--accounts", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-subprocess", action="store_true")
    args = parser.parse_args(argv)
    lines = [line.encode() + b"\n" for line in make_lines(args.accounts)]
    data = b"".join(lines)
    n = len(lines)

    def rate(seconds: float) -> float:
        return n / seconds

    base, _ = cpu(lambda: [json.loads(line) for line in lines], args.repeat)
    fast, got = cpu(lambda: command(data), args.repeat)
    slow, want = cpu(lambda: reference(data), 1)
    if got != want:
        raise SystemExit("the command's output differs from the reference path's")
    print(f"accounts: {n:,}, {len(data) / 2**20:.1f} MiB, mean line {len(data) / n:.0f} bytes")
    print(f"{'baseline json.loads (CPU)':<40}{rate(base):>12,.0f} accounts/s")
    for name, seconds in (("command in process (CPU)", fast), ("reference path (CPU)", slow)):
        r = rate(seconds)
        print(f"{name:<40}{r:>12,.0f} accounts/s   ratio to baseline {r / rate(base):.3f}")
    print(f"{'speed-up over the reference path':<40}{slow / fast:>12.2f}x")
    if not args.no_subprocess:
        with tempfile.TemporaryDirectory() as tmp:
            src, empty, out = Path(tmp, "in.jsonl"), Path(tmp, "empty"), Path(tmp, "out.jsonl")
            src.write_bytes(data)
            empty.write_bytes(b"")
            idle_wall, idle_cpu = subprocess_run(empty, out)
            wall, used = subprocess_run(src, out)
            if out.read_bytes() != want:
                raise SystemExit("the subprocess's output differs from the reference path's")
        for name, total, idle in (
            ("subprocess (wall)", wall, idle_wall),
            ("(CPU)", used, idle_cpu),
        ):
            print(
                f"{name:<40}{rate(total):>12,.0f} accounts/s   ratio to baseline "
                f"{rate(total) / rate(base):.3f}   less start-up ({idle:.2f} s): "
                f"{rate(total - idle):,.0f} accounts/s"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
