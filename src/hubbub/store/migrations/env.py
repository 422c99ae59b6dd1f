"""Alembic environment for hubbub's schema, run only through ``Store.migrate()``.

There is no ``alembic.ini``: :func:`hubbub.store.engine.alembic_config` points Alembic
here and hands over an open connection in ``config.attributes["connection"]``, so
migrations run inside the opener's transaction (and, on PostgreSQL, under its
advisory lock). SQLite gets batch mode because it cannot ALTER most things in place.
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection

from hubbub.store.tables import include_name, metadata
from hubbub.store.types import UtcDateTime


def _render_item(kind: str, obj: Any, _ctx: AutogenContext) -> str | Literal[False]:
    """Render UtcDateTime as plain ``sa.DateTime(timezone=True)``: migrations stay frozen."""
    if kind == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
        include_name=include_name,  # the search indexes are raw DDL (migration 0006)
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("hubbub's migrations run online only, through Store.open()")
_connection = context.config.attributes.get("connection")
if not isinstance(_connection, Connection):
    raise RuntimeError("hubbub's migrations run through Store.open(), which passes a connection")
_run(_connection)
