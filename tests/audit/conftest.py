"""The audit's tests use the store's fixtures: a store on SQLite and on PostgreSQL."""

from tests.store.helpers import pg_url, store

__all__ = ["pg_url", "store"]
