"""The ``hubbub`` command line: thin Typer commands over the core.

Each command builds the core objects (workspace, store, source) and calls one
function of the core; nothing here computes insight. Known failures (a bad
workspace file, a bad query, an unreadable source, the database) become clear
lines on stderr and exit code 2 (bad input) or 1 (could not do it), never a
traceback; see :mod:`hubbub.cli.errors`.

The commands' modules are imported when the app is first asked for (``app``,
:func:`main`), not with this package: ``hubbub audit followers`` runs without them
(:mod:`hubbub.cli.followers`), as it is a filter over large inputs where seconds of
start-up count.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hubbub.cli.commands import app

__all__ = ["app", "main"]


def _app() -> Any:
    from hubbub.cli import audit as _audit  # noqa: F401  (registers audit)
    from hubbub.cli import auth as _auth  # noqa: F401  (registers auth)
    from hubbub.cli import backfill as _backfill  # noqa: F401  (registers backfill)
    from hubbub.cli import fetch as _fetch  # noqa: F401  (registers fetch)
    from hubbub.cli import goals as _goals  # noqa: F401  (registers goals)
    from hubbub.cli import insight as _insight  # noqa: F401  (registers insight)
    from hubbub.cli import listen as _listen  # noqa: F401  (registers listen)
    from hubbub.cli import publish as _publish  # noqa: F401  (registers worker)
    from hubbub.cli import report as _report  # noqa: F401  (registers report)
    from hubbub.cli import streams as _streams  # noqa: F401  (registers streams)
    from hubbub.cli import textquery as _textquery  # noqa: F401  (registers text, query)
    from hubbub.cli.commands import app

    return app


def main() -> None:
    """The console script: the app, with known errors as one line and no traceback."""
    if sys.argv[1:3] == ["audit", "followers"]:
        from hubbub.cli.followers import main as followers

        followers(sys.argv[3:])
        return
    _app()
    from hubbub.cli.commands import main as everything

    everything()


def __getattr__(name: str) -> Any:
    if name == "app":
        return _app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
