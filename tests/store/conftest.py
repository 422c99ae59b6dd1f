"""Fixtures for the store's tests: a store per database (see helpers.py)."""

from tests.store.helpers import pg_url, store

__all__ = ["pg_url", "store"]
