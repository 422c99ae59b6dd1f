"""The one place that opens the database: :class:`Store`.

Everything that reads or writes goes through a ``Store`` so the connection rules
live in one spot:

- SQLite (the embedded default, in ``HUBBUB_HOME``) is opened in WAL mode with
  foreign keys on, a busy timeout and ``synchronous=NORMAL`` (safe with WAL, and
  several times faster than FULL for the listener's many small transactions).
  pysqlite's own transaction handling is switched off and SQLAlchemy emits
  ``BEGIN`` itself: write transactions from :meth:`Store.begin` use
  ``BEGIN IMMEDIATE`` so that two writers queue on the busy timeout instead of
  failing with "database is locked" when a read lock cannot be upgraded, and reads
  from :meth:`Store.connect` use a plain deferred ``BEGIN`` (a consistent snapshot
  that blocks nobody).
- PostgreSQL goes through psycopg 3; ``postgresql://`` and ``postgres://`` URLs
  are rewritten to ``postgresql+psycopg://``.
- Opening runs the Alembic migrations up to head (programmatically: there is no
  ``alembic.ini``; the scripts ship inside the package in ``store/migrations``).
  On PostgreSQL an advisory lock makes concurrent openers migrate one at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import StaticPool

from hubbub.settings import get_settings
from hubbub.store.types import json_dumps

__all__ = ["MIGRATIONS_DIR", "Store", "StoreError", "alembic_config", "normalize_url"]

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_BEGIN_OPTION = "hubbub_sqlite_begin"
_BUSY_TIMEOUT_MS = 30_000
_MIGRATION_LOCK = 0x6875_6262_7562  # "hubbub": the advisory lock key for migrations


class StoreError(Exception):
    """The database cannot be opened or is not one this hubbub can use (one line)."""


def normalize_url(url: str) -> str:
    """Map ``postgres://`` and ``postgresql://`` to psycopg 3; leave others as given."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def alembic_config() -> Config:
    """An Alembic config pointing at the packaged migrations (no ``alembic.ini``).

    To write a new migration: set ``cfg.attributes["connection"]`` to a connection of
    a database at head and call ``alembic.command.revision(cfg, msg, autogenerate=True)``.
    """
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


class Store:
    """An open database: an engine plus hubbub's transaction rules."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url

    @classmethod
    def open(cls, url: str | None = None, *, migrate: bool = True) -> Store:
        """Open (creating where needed) the database at ``url`` and migrate it to head.

        ``None`` means the settings' database (``HUBBUB_DATABASE_URL``, else SQLite in
        ``HUBBUB_HOME``). Raises :class:`StoreError` with a one-line reason.
        """
        resolved = normalize_url(url or get_settings().resolved_database_url)
        try:
            parsed = make_url(resolved)
        except Exception:  # ArgumentError, ValueError: both mean a bad URL
            # the message leaves the URL out: an unparseable one cannot be masked
            raise StoreError(
                "database URL is not valid: expected e.g. sqlite:///path/hubbub.db or "
                "postgresql://user:password@host:5432/dbname"
            ) from None
        kwargs: dict[str, Any] = {"json_serializer": json_dumps}
        if parsed.get_backend_name() == "sqlite":
            database = parsed.database or ""
            memory = database in ("", ":memory:") or "mode=memory" in str(parsed.query)
            if memory:
                kwargs["poolclass"] = StaticPool  # one shared connection, or data vanishes
                kwargs["connect_args"] = {"check_same_thread": False}
            elif not database.startswith("file:"):
                path = Path(database).expanduser()  # SQLite itself would not expand "~"
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise StoreError(f"cannot create {path.parent}: {exc.strerror}") from None
                parsed = parsed.set(database=str(path))
        else:
            kwargs["pool_pre_ping"] = True
        try:
            engine = create_engine(parsed, **kwargs)
        except Exception as exc:  # unknown dialect or driver not installed
            raise StoreError(f"cannot use database URL {_safe(resolved)}: {exc}") from None
        if engine.dialect.name == "sqlite":
            _configure_sqlite(engine, wal=not memory)
        store = cls(engine, resolved)
        try:
            if migrate:
                store.migrate()
            else:
                with engine.connect():
                    pass
        except SQLAlchemyError as exc:
            engine.dispose()
            reason = (str(getattr(exc, "orig", None) or exc).splitlines() or ["unknown error"])[0]
            raise StoreError(f"cannot open database {_safe(resolved)}: {reason}") from None
        except BaseException:
            engine.dispose()
            raise
        return store

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    def migrate(self) -> None:
        """Upgrade the schema to the newest migration (a no-op when already there).

        The check runs in a read transaction, so opening a store that is up to date
        never waits for (or blocks) a writer; only a real upgrade takes the write lock.
        """
        cfg = alembic_config()
        heads = set(ScriptDirectory.from_config(cfg).get_heads())
        with self.connect() as conn:
            if set(MigrationContext.configure(conn).get_current_heads()) == heads:
                return
        with self.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
            current = set(MigrationContext.configure(conn).get_current_heads())
            if current == heads:
                return  # another process migrated while we waited for the lock
            unknown = current - _all_revisions(cfg)
            if unknown:
                raise StoreError(
                    f"database {_safe(self.url)} is at schema revision {', '.join(sorted(unknown))}"
                    ", newer than this hubbub knows: upgrade hubbub"
                )
            cfg.attributes["connection"] = conn
            try:
                command.upgrade(cfg, "head")
            except CommandError as exc:
                raise StoreError(f"cannot migrate database {_safe(self.url)}: {exc}") from None

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A connection in a write transaction: committed on exit, rolled back on error."""
        with self.engine.connect() as conn:
            if self.engine.dialect.name == "sqlite":
                conn.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})
            with conn.begin():
                yield conn

    def connect(self) -> Connection:
        """A connection for reads (the caller closes it, e.g. ``with store.connect() as c``)."""
        return self.engine.connect()

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({_safe(self.url)!r})"


def _safe(url: str) -> str:
    """The URL with any password hidden, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable URL>"


def _all_revisions(cfg: Config) -> set[str]:
    return {rev.revision for rev in ScriptDirectory.from_config(cfg).walk_revisions()}


def _configure_sqlite(engine: Engine, *, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cursor = dbapi_conn.cursor()
        if wal:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")
