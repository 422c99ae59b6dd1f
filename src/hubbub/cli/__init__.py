"""The ``hubbub`` command line: thin Typer commands over the core.

Each command builds the core objects (workspace, store, source) and calls one
function of the core; nothing here computes insight. Known failures (a bad
workspace file, a bad query, an unreadable source, the database) become clear
lines on stderr and exit code 2 (bad input) or 1 (could not do it), never a
traceback; see :mod:`hubbub.cli.errors`.
"""

from __future__ import annotations

from hubbub.cli import audit as _audit  # noqa: F401  (registers audit)
from hubbub.cli import auth as _auth  # noqa: F401  (registers auth)
from hubbub.cli import backfill as _backfill  # noqa: F401  (registers backfill)
from hubbub.cli import fetch as _fetch  # noqa: F401  (registers fetch)
from hubbub.cli import goals as _goals  # noqa: F401  (registers goals)
from hubbub.cli import insight as _insight  # noqa: F401  (registers insight)
from hubbub.cli import listen as _listen  # noqa: F401  (registers listen)
from hubbub.cli import publish as _publish  # noqa: F401  (registers worker)
from hubbub.cli import streams as _streams  # noqa: F401  (registers streams)
from hubbub.cli import textquery as _textquery  # noqa: F401  (registers text, query)
from hubbub.cli.commands import app, main

__all__ = ["app", "main"]
