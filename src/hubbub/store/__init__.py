"""The store: hubbub's database (SQLite by default, PostgreSQL on a server).

:class:`Store` opens and migrates it; :mod:`hubbub.store.write` holds the upserts the
listener uses; read queries for the views live in :mod:`hubbub.store.queries`.
This package imports nothing above it (no sources, pipeline or web).
"""

from hubbub.store.engine import Store, StoreError
from hubbub.store.write import (
    WriteResult,
    get_cursor,
    load_workspace,
    set_cursor,
    upsert_workspace,
    workspace_id,
    write_batch,
)

__all__ = [
    "Store",
    "StoreError",
    "WriteResult",
    "get_cursor",
    "load_workspace",
    "set_cursor",
    "upsert_workspace",
    "workspace_id",
    "write_batch",
]
