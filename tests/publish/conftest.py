from tests.store.helpers import pg_url, store

__all__ = ["pg_url", "store"]
