"""Benchmark: ``hubbub audit followers`` end to end, stdin bytes to stdout bytes.

The same deterministic profile lines as ``bench/authenticity.py`` (X v1.1 and v2,
Mastodon, Bluesky; bought and genuine shapes), written to a temporary file, go
through the command, beside baselines measured in the same run on the same lines:
``json.loads`` and ``orjson.loads`` of every line (what merely parsing costs; the
target is 100,000 accounts/s for the whole command). Figures:

- in process: the batch path (:func:`hubbub.audit.fast.audit_stream`, bytes to bytes),
  and the command through Typer (``CliRunner``), CPU time;
- the reference path (Accounts, Verdicts, ``json.dumps`` per line) over the same
  bytes, once: the before/after figure;
- the whole command as a process (``hubbub audit followers < file > file``): wall and
  CPU time, with and without its start-up (a run on empty input), on the benchmark's
  lines and on ``--large`` accounts (default 1,000,000), with its peak RSS: the input
  is streamed in chunks, so memory stays flat as the input grows.

CPU time (``time.process_time``, a child's rusage) is what one core spends, so a
busy machine changes it less than the wall clock. Every output is checked equal to
the reference path's.

Run: ``.venv/bin/python bench/followers.py [--accounts 200000] [--repeat 3] [--large 1000000]``
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import orjson
from typer.testing import CliRunner

from authenticity import NOW, make_lines
from hubbub.audit.fast import audit_stream
from hubbub.audit.followers import Verdict, audit_followers
from hubbub.cli import app

AT = NOW.isoformat()
EXE = Path(sys.executable).with_name("hubbub")


def cpu(fn: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    """The least CPU and wall time of ``repeat`` runs, in seconds, and the last result."""
    cpus, walls, out = [], [], None
    for _ in range(repeat):
        start, wall = time.process_time(), time.perf_counter()
        out = fn()
        cpus.append(time.process_time() - start)
        walls.append(time.perf_counter() - wall)
    return min(cpus), min(walls), out


def command(data: bytes) -> bytes:
    result = CliRunner().invoke(app, ["audit", "followers", "--at", AT], input=data)
    if result.exit_code != 0:
        raise SystemExit(f"the command failed: {result.stderr[:500]}")
    return result.stdout_bytes


def batch(data: bytes) -> bytes:
    out = io.BytesIO()
    summary, _ = audit_stream(io.BytesIO(data), out.write, NOW, print)
    out.write((json.dumps(summary.to_json()) + "\n").encode())
    return out.getvalue()


def reference(data: bytes) -> bytes:
    out: list[str] = []

    def emit(verdict: Verdict) -> None:
        out.append(json.dumps(verdict.to_json(), ensure_ascii=False) + "\n")

    summary, _ = audit_followers(io.BytesIO(data), NOW, emit, print)
    out.append(json.dumps(summary.to_json()) + "\n")
    return "".join(out).encode()


def _peak_rss(pid: int) -> int:
    """The process's peak resident memory so far (VmHWM), KiB; 0 once it has gone."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for text in fh:
                if text.startswith("VmHWM:"):
                    return int(text.split()[1])
    except OSError:
        pass
    return 0


def run(path: Path, out: Path) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and peak RSS (KiB) of ``hubbub audit followers < path``.

    The peak is read from ``/proc`` while the command runs (the child's rusage would
    count this benchmark's own memory, copied by the fork before the exec).
    """
    start = time.perf_counter()
    peak = 0
    with path.open("rb") as stdin, out.open("wb") as stdout:
        child = subprocess.Popen(
            [str(EXE), "audit", "followers", "--at", AT],
            stdin=stdin,
            stdout=stdout,
            env=os.environ | {"OPENBLAS_NUM_THREADS": "1"},  # one core, as the target says
        )
        while True:
            peak = max(peak, _peak_rss(child.pid))
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            time.sleep(0.02)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"hubbub audit followers exited with {status}")
    return wall, usage.ru_utime + usage.ru_stime, peak


def line(name: str, accounts: int, seconds: float, base: float, extra: str = "") -> None:
    rate = accounts / seconds
    print(f"{name:<44}{rate:>11,.0f} accounts/s   x{rate / base:5.2f} json.loads{extra}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--accounts", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--large", type=int, default=1_000_000, help="0: skip the large run")
    args = parser.parse_args(argv)
    lines = [line.encode() + b"\n" for line in make_lines(args.accounts)]
    data = b"".join(lines)
    n = len(lines)

    base, _, _ = cpu(lambda: [json.loads(line) for line in lines], args.repeat)
    fastest, _, _ = cpu(lambda: [orjson.loads(line) for line in lines], args.repeat)
    path, path_wall, got = cpu(lambda: batch(data), args.repeat)
    typer_cpu, _, via_typer = cpu(lambda: command(data), args.repeat)
    slow, _, want = cpu(lambda: reference(data), 1)
    if got != want or via_typer != want:
        raise SystemExit("the batch path's output differs from the reference path's")
    json_rate = n / base
    print(f"accounts: {n:,}, {len(data) / 2**20:.1f} MiB, mean line {len(data) / n:.0f} bytes")
    print(f"{'baseline json.loads (CPU)':<44}{json_rate:>11,.0f} accounts/s")
    line("baseline orjson.loads (CPU)", n, fastest, json_rate)
    line("batch path in process (CPU)", n, path, json_rate, f"   wall {n / path_wall:,.0f}/s")
    line("command in process, CliRunner (CPU)", n, typer_cpu, json_rate)
    line("reference path in process (CPU)", n, slow, json_rate)
    print(f"{'speed-up of the batch path over the reference':<44}{slow / path:>11.2f}x")
    with tempfile.TemporaryDirectory() as tmp:
        src, empty, out = Path(tmp, "in.jsonl"), Path(tmp, "empty"), Path(tmp, "out.jsonl")
        src.write_bytes(data)
        empty.write_bytes(b"")
        idle_wall, idle_cpu, idle_rss = run(empty, out)
        print(
            f"{'command start-up (empty input)':<44}{idle_cpu:>11.2f} s CPU, {idle_wall:.2f} s wall"
        )
        wall, used, rss = run(src, out)
        if out.read_bytes() != want:
            raise SystemExit("the command's output differs from the reference path's")
        sizes = [(n, wall, used, rss)]
        if args.large:
            with src.open("wb") as fh:
                for _ in range(args.large // n):
                    fh.write(data)
                fh.write(b"".join(lines[: args.large % n]))
            big = args.large
            wall_l, used_l, rss_l = run(src, out)
            with out.open("rb") as fh:
                got_lines = sum(1 for _ in fh)
            if got_lines != big + 1:
                raise SystemExit(f"the command wrote {got_lines:,} lines for {big:,} accounts")
            sizes.append((big, wall_l, used_l, rss_l))
    for accounts, w, c, r in sizes:
        print(f"command as a process, {accounts:,} accounts (peak RSS {r / 1024:,.0f} MiB; "
              f"empty input {idle_rss / 1024:,.0f} MiB)")  # fmt: skip
        line("  wall, with start-up", accounts, w, json_rate)
        line("  CPU, with start-up", accounts, c, json_rate)
        line("  CPU, less start-up", accounts, c - idle_cpu, json_rate)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
