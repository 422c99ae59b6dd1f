"""Benchmark: how long a report takes, against what the Insight page asks of the store.

On the demo world (90 days of the bundled bakery through the real pipeline, in a
temporary SQLite store), for windows of 7, 30 and 90 days it times
:func:`hubbub.report.build_report` plus :func:`hubbub.report.render_html` against the
baseline of the same window's :func:`hubbub.store.insight_views.insight_views` (the
Insight page's one call, which the report makes too, besides the window before, the
series, topics, goals, the audit and the inbox). The ratio says what the rest costs.
Then the PDF: :func:`hubbub.report.print_pdf` of the 30-day report against chromium
printing a one-line page (its start-up, the floor of any PDF). Wall-clock and CPU
(``time.process_time``, this process only: chromium is a child) are printed side by
side, since the machine is shared.

Run: ``.venv/bin/python bench/report.py [--days 90] [--repeat 5]``
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from hubbub.listen import ingest
from hubbub.report import Window, build_report, last_days, print_pdf, render_html
from hubbub.report.pdf import find_chromium
from hubbub.sources.demo import DemoSource
from hubbub.store import Store, workspace_id
from hubbub.store.insight_views import insight_views
from hubbub.workspace import example_path, load_workspace


def timed(work: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds of ``repeat`` runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=90, help="days of demo world")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    workspace = load_workspace(example_path())
    with tempfile.TemporaryDirectory(prefix="hubbub-bench-report-") as tmp:
        store = Store.open(f"sqlite:///{Path(tmp) / 'hubbub.db'}")
        made = ingest(store, workspace, DemoSource(workspace, days=args.days))
        print(f"demo store: {made.mentions_new:,} mentions over {args.days} days")
        now = datetime.now(UTC)
        with store.connect() as conn:
            found = workspace_id(conn, workspace.slug)
        assert found is not None
        ws_id = found
        print(
            f"{'window':>8} {'baseline ms':>12} {'report ms':>10} {'ratio':>6} "
            f"{'cpu base ms':>12} {'cpu report ms':>14} {'cpu ratio':>9}"
        )
        for days in (7, 30, 90):
            window = last_days(now, days, workspace.timezone)

            def base(window: Window = window) -> object:
                with store.connect() as conn:
                    return insight_views(conn, ws_id, window.since, window.until, window.tz)

            def report(window: Window = window) -> object:
                with store.connect() as conn:
                    built = build_report(conn, workspace.slug, window, now=now)
                return render_html(built)

            bw, bc = timed(base, args.repeat)
            rw, rc = timed(report, args.repeat)
            print(
                f"{days:>6} d {bw * 1000:>12.0f} {rw * 1000:>10.0f} {rw / bw:>6.2f} "
                f"{bc * 1000:>12.0f} {rc * 1000:>14.0f} {rc / bc:>9.2f}"
            )
        find_chromium()
        with store.connect() as conn:
            html = render_html(
                build_report(conn, workspace.slug, last_days(now, 30, workspace.timezone), now=now)
            )
        out = Path(tmp) / "report.pdf"
        floor, _ = timed(lambda: print_pdf("<!doctype html><p>hi", out), max(2, args.repeat // 2))
        pdf, pdf_cpu = timed(lambda: print_pdf(html, out), max(2, args.repeat // 2))
        print(
            f"PDF of the 30-day report: {pdf * 1000:.0f} ms against {floor * 1000:.0f} ms for a "
            f"one-line page (ratio {pdf / floor:.2f}); {out.stat().st_size // 1024} KB; "
            f"cpu in hubbub {pdf_cpu * 1000:.0f} ms"
        )
        store.close()


if __name__ == "__main__":
    main()
