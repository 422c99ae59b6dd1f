"""Benchmark: tracked-link clicks/s through ``hubbub.publish.links.click``, against a bare
insert of the same row in the same run.

``GET /l/CODE`` does one lookup and one insert per click (robots skipped before the
insert). This measures ``click()`` (code check, lookup, robot and referrer and agent
classification, insert, commit) on a SQLite file in WAL mode, beside the baseline of
the insert alone through the same Store (one transaction each), so the ratio is the
price of the lookup and the classification.

Run: ``.venv/bin/python bench/links.py [--clicks 2000]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from hubbub.publish.links import click, new_code
from hubbub.store import Store, upsert_workspace
from hubbub.store import publish as queries
from hubbub.workspace import example_path, load_workspace

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clicks", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(f"sqlite:///{Path(tmp) / 'hubbub.db'}")
        with store.begin() as conn:
            ws_id = upsert_workspace(conn, load_workspace(example_path()))
            codes = [new_code() for _ in range(100)]
            for code in codes:
                queries.add_link(
                    conn,
                    ws_id,
                    code=code,
                    url="https://a.example/?utm_source=x",
                    target="https://a.example/",
                    now=NOW,
                )
        n = args.clicks
        start = time.perf_counter()
        for i in range(n):
            with store.begin() as conn:
                queries.record_click(
                    conn,
                    codes[i % 100],
                    time=NOW,
                    referrer="https://t.co/x",
                    network="x",
                    agent="mobile",
                )
        base = time.perf_counter() - start
        start = time.perf_counter()
        for i in range(n):
            assert click(
                store, codes[i % 100], referrer="https://t.co/x", user_agent=PHONE, now=NOW
            )
        timed = time.perf_counter() - start
        store.close()
    print(f"bare insert: {n / base:,.0f} clicks/s ({base / n * 1e3:.2f} ms each)")
    print(f"click():     {n / timed:,.0f} clicks/s ({timed / n * 1e3:.2f} ms each)")
    print(f"ratio click()/insert time: {timed / base:.2f}")


if __name__ == "__main__":
    main()
