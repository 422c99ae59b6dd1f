"""Known failures as one line on stderr and an exit code, never a traceback.

:func:`handled` wraps every command body (so ``CliRunner`` tests see the same
behaviour as the console script) and :func:`hubbub.cli.commands.main` wraps the whole
app as a last resort. Exit codes: 2 when the user's input is wrong (workspace
file, query, arguments), 1 when hubbub could not do what was asked (a source or
the database failed). The error types are imported only when something went wrong:
importing them loads SQLAlchemy and the store, which ``hubbub audit followers`` never
needs (see :mod:`hubbub.cli.followers`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer
from rich.console import Console
from typer.exceptions import TyperException

__all__ = ["BAD_INPUT", "FAILED", "fail", "handled", "stderr"]

BAD_INPUT = 2
FAILED = 1


def stderr() -> Console:
    """A console on the current stderr (looked up per call, so test runners can swap it).

    No emoji codes: rich would print `<stdin>:100: ...` as `<stdin>💯 ...`.
    """
    return Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)  # ":100:" stays


def fail(message: str, code: int = FAILED) -> NoReturn:
    """Print ``hubbub: message`` on stderr and exit with ``code``."""
    stderr().print(f"hubbub: {message}", markup=False)
    raise typer.Exit(code)


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return (text.splitlines() or [type(exc).__name__])[0]


@contextmanager
def handled() -> Iterator[None]:
    """Turn hubbub's known errors into stderr lines and an exit code."""
    try:
        yield
    except KeyboardInterrupt:
        fail("interrupted; run the same command again to resume", 130)
    except (typer.Exit, typer.Abort, TyperException):  # the CLI's own way out: as it is
        raise
    except Exception as exc:
        _known(exc)
        raise


def _known(exc: Exception) -> None:
    """Exit with ``exc``'s line if it is a known error; return if it is not."""
    from sqlalchemy.exc import SQLAlchemyError

    from hubbub.codec import CodecError
    from hubbub.query import QueryError
    from hubbub.sources.base import SourceError
    from hubbub.store import StoreError
    from hubbub.store.users import UserError
    from hubbub.workspace import WorkspaceFileError

    if isinstance(exc, WorkspaceFileError):
        stderr().print(str(exc), markup=False)  # already FILE:LINE: message, one a line
        raise typer.Exit(BAD_INPUT) from None
    if isinstance(exc, QueryError):
        fail(f"query: {exc}", BAD_INPUT)
    if isinstance(exc, UserError | CodecError):
        fail(str(exc), BAD_INPUT)
    if isinstance(exc, SourceError):
        fail(_first_line(exc), FAILED)
    if isinstance(exc, StoreError):
        fail(f"database: {_first_line(exc)}", FAILED)
    if isinstance(exc, SQLAlchemyError):
        fail(f"database: {_first_line(exc)}", FAILED)
    if isinstance(exc, OSError):  # e.g. a file that cannot be written
        where = f"{exc.filename}: " if exc.filename else ""
        fail(f"{where}{exc.strerror or exc}", FAILED)
