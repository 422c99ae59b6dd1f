"""Fixtures for the goals' tests: a store per database (see tests/store/helpers.py)."""

from tests.store.helpers import pg_url, store

__all__ = ["pg_url", "store"]
