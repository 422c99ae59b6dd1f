"""The progress bar every ``hubbub fetch`` shows, and the timing its summary ends with.

``fetch x``, ``fetch mastodon``, ``fetch bluesky`` and ``fetch rss`` all page through
a network with no known total, so they share one bar: a spinner, what is being read,
the posts so far, the pages so far (where the source counts pages) and the time
elapsed. While a client waits out a rate limit the label says why and for how long;
the next page puts the label back. It writes to stderr and disappears when done, so
stdout holds only the summary line.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

if TYPE_CHECKING:  # the CLI imports hubbub.listen only when a command runs
    from hubbub.listen import IngestReport

__all__ = ["FetchProgress", "timing"]


class FetchProgress:
    """A transient bar on stderr; ``advance`` is :func:`hubbub.listen.ingest`'s progress
    callback and ``waiting`` a client's ``on_wait``.

    ``pages`` reads the sources' page count each time the bar moves; without it the
    bar shows no pages column (RSS reads whole feeds, not pages).
    """

    def __init__(self, label: str, pages: Callable[[], int] | None = None) -> None:
        self.label = label
        self._pages = pages
        columns = [SpinnerColumn(), TextColumn("{task.description}")]
        columns.append(TextColumn("{task.completed:,.0f} posts"))
        if pages is not None:
            columns.append(TextColumn("{task.fields[pages]:,} pages"))
        columns.append(TimeElapsedColumn())
        self._bar = Progress(*columns, console=Console(stderr=True), transient=True)
        self._task: TaskID | None = None

    def __enter__(self) -> FetchProgress:
        self._bar.__enter__()
        self._task = self._bar.add_task(self.label, total=None, pages=0)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._bar.__exit__(kind, exc, tb)

    def advance(self, n: int) -> None:
        """``n`` more posts stored; the label returns if a wait had replaced it."""
        assert self._task is not None, "advance() outside the with block"
        pages = self._pages() if self._pages is not None else 0
        self._bar.update(self._task, advance=n, pages=pages, description=self.label)

    def waiting(self, why: str, seconds: float) -> None:
        """Show why the client waits (a rate limit, a retry) and for how long."""
        assert self._task is not None, "waiting() outside the with block"
        self._bar.update(self._task, description=f"{why} ({seconds:,.0f} s)")

    def stop(self) -> None:
        """Take the bar down early, before printing an error under it."""
        self._bar.stop()


def timing(report: IngestReport) -> str:
    """``"12.3 s, 1,234 posts/s"``, or just the seconds when no time passed."""
    if report.elapsed > 0:
        return f"{report.elapsed:.1f} s, {report.posts_per_second:,.0f} posts/s"
    return f"{report.elapsed:.1f} s"
