"""The store fixtures (a store, and databases by URL) on SQLite and PostgreSQL."""

from tests.store.helpers import db, pg_databases, pg_url, store

__all__ = ["db", "pg_databases", "pg_url", "store"]
