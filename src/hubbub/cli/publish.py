"""``hubbub worker``: publish scheduled posts when their time comes, and send the digest.

A thin loop over :func:`hubbub.publish.scheduler.run_forever` with the network
publishers from :func:`hubbub.sources.publishers.publisher_for`; after each pass it
sends the weekly digest of every workspace whose digest is due
(:func:`hubbub.report.digest.send_due_digests`). SIGINT and SIGTERM
set a stop event: the worker finishes the post it is publishing (its deliveries are
recorded as they happen) and exits 0. Several workers, on one machine or several
sharing a PostgreSQL database, never post the same part twice.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import UTC, datetime
from types import FrameType
from typing import Annotated

import typer

from hubbub.cli.commands import app
from hubbub.cli.errors import BAD_INPUT, fail, handled, stderr
from hubbub.configure import effective_settings
from hubbub.publish.media import media_root
from hubbub.publish.scheduler import run_due, run_forever
from hubbub.settings import get_settings
from hubbub.sources.base import Publisher
from hubbub.sources.publishers import publisher_for
from hubbub.store import Store

__all__ = ["worker"]


@app.command()
def worker(
    interval: Annotated[
        float, typer.Option(help="Seconds between looks for due posts.", min=0.1)
    ] = 30.0,
    once: Annotated[bool, typer.Option(help="Do one pass and exit.")] = False,
) -> None:
    """Publish due posts and send the weekly digest, until stopped.

    Example: hubbub worker --interval 30
    """
    from hubbub.report.digest import send_due_digests

    with handled():
        if interval <= 0:
            fail("--interval must be above 0", BAD_INPUT)
        settings = get_settings()
        store = Store.open()
        logging.basicConfig(level=settings.log_level, format="%(levelname)s %(name)s: %(message)s")
        stop = threading.Event()

        def on_signal(signum: int, _frame: FrameType | None) -> None:
            stderr().print(f"hubbub: {signal.Signals(signum).name}: stopping", markup=False)
            stop.set()

        previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}

        def publishers(network: str) -> Publisher | None:
            # looked up per post: credentials saved on the Settings page apply at once
            return publisher_for(network, effective_settings(store, settings))

        def digests(now: datetime) -> None:
            for result in send_due_digests(store, settings, now):
                stderr().print(
                    f"digest {result.workspace} {result.week}: {result.status}"
                    + (f" ({result.error})" if result.error else ""),
                    markup=False,
                )

        try:
            if once:
                report = run_due(
                    store,
                    datetime.now(UTC),
                    publishers,
                    base_url=settings.public_base_url,
                    media_root=media_root(settings),
                )
                stderr().print(
                    f"{len(report.published)} published, {len(report.retrying)} to retry, "
                    f"{len(report.failed)} failed",
                    markup=False,
                )
                digests(datetime.now(UTC))
            else:
                stderr().print(f"Publishing due posts every {interval:g} s; Ctrl-C stops.")
                run_forever(
                    store,
                    publishers,
                    stop,
                    interval=interval,
                    base_url=settings.public_base_url,
                    media_root=media_root(settings),
                    after_pass=digests,
                )
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            store.close()
