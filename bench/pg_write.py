"""Benchmark: write_batch on PostgreSQL, rows by COPY against rows as unnest() arrays.

Writes demo-like posts (each a mention with its full insight: see bench/store.py)
through :func:`hubbub.store.write_batch` into a fresh PostgreSQL database, in
batches of 100, 1,000 and 5,000 posts, one transaction each. Each size is written
twice, by each path of ``hubbub.store.write`` (``PG_COPY_ROWS`` forced), as new rows
and again as all-conflict rows. The baseline is the unnest() path, run beside it.
The database is created on the server at ``--admin`` and dropped afterwards.

Usage: .venv/bin/python bench/pg_write.py [--posts N] [--admin URL]
"""

from __future__ import annotations

import argparse
import secrets
import sys
import time
from pathlib import Path

import psycopg

from hubbub.model import Batch, Mention, Post
from hubbub.store import Store, upsert_workspace, write_batch
from hubbub.store import write as write_module

sys.path.insert(0, str(Path(__file__).parent))
from store import demo_like

__all__ = ["main"]

DEFAULT_COPY_ROWS = write_module.PG_COPY_ROWS


def _write(store: Store, ws_id: int, posts: list[Post], found: list[Mention], size: int) -> float:
    started = time.perf_counter()
    for i in range(0, len(posts), size):
        with store.begin() as conn:
            write_batch(conn, ws_id, Batch("bench", posts[i : i + size], None), found[i : i + size])
    return len(posts) / (time.perf_counter() - started)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=5_000, help="posts per size and path")
    ap.add_argument("--admin", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = ap.parse_args()
    sizes = (100, 1000, 5000)
    ws, posts, found = demo_like(args.posts * len(sizes) * 2)
    name = f"hubbub_bench_{secrets.token_hex(4)}"
    with psycopg.connect(args.admin, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            url = args.admin.rsplit("/", 1)[0] + f"/{name}"
            with Store.open(url) as store:
                with store.begin() as conn:
                    ws_id = upsert_workspace(conn, ws)
                print(f"{'batch':>6}{'path':>8}{'new posts/s':>13}{'again/s':>10}{'ratio':>8}")
                at = 0
                for size in sizes:
                    rates = {}
                    for path, threshold in (("unnest", 10**9), ("copy", 1)):
                        write_module.PG_COPY_ROWS = threshold
                        part = slice(at, at + args.posts)
                        at += args.posts
                        new = _write(store, ws_id, posts[part], found[part], size)
                        again = _write(store, ws_id, posts[part], found[part], size)
                        rates[path] = new
                        ratio = new / rates["unnest"]
                        print(f"{size:>6}{path:>8}{new:>13,.0f}{again:>10,.0f}{ratio:>8.2f}")
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    write_module.PG_COPY_ROWS = DEFAULT_COPY_ROWS
    print(f"hubbub writes by COPY from {DEFAULT_COPY_ROWS:,} rows a table (store/write.py)")


if __name__ == "__main__":
    main()
