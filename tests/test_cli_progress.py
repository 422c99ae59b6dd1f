"""The fetch commands' shared progress bar and summary timing (hubbub.cli.progress)."""

from __future__ import annotations

from dataclasses import replace

from hubbub.cli.progress import FetchProgress, timing
from hubbub.listen import IngestReport


def test_bar_counts_posts_and_pages_and_restores_the_label_after_a_wait() -> None:
    pages = [0]
    with FetchProgress("Fetching X into demo", pages=lambda: pages[0]) as bar:
        task = bar._bar.tasks[0]
        pages[0] = 2
        bar.advance(100)
        assert (task.completed, task.fields["pages"]) == (100, 2)
        bar.waiting("rate limited", 61.4)
        assert task.description == "rate limited (61 s)"
        pages[0] = 3
        bar.advance(50)
        assert task.description == "Fetching X into demo"
        assert (task.completed, task.fields["pages"]) == (150, 3)
        bar.label = "Reading the followers of demo"
        bar.advance(1)
        assert task.description == "Reading the followers of demo"


def test_bar_without_pages_has_no_pages_column() -> None:
    with FetchProgress("Fetching 2 feeds into demo") as bar:
        bar.advance(5)
        shown = [c.text_format for c in bar._bar.columns if hasattr(c, "text_format")]
        assert not any("pages" in text for text in shown)
        assert bar._bar.tasks[0].completed == 5


def test_timing_gives_the_rate_only_when_time_passed() -> None:
    report = IngestReport("demo", "x", 3, 2_500, 2_000, 900, 400, 0, 2.0, "c")
    assert timing(report) == "2.0 s, 1,250 posts/s"
    assert timing(replace(report, elapsed=0.0)) == "0.0 s"
