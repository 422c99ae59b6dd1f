"""The web UI: server-rendered pages over the store (FastAPI, Jinja2, vendored htmx).

``create_app(store, settings)`` builds the application; ``hubbub serve`` runs it.
"""

from hubbub.web.app import create_app

__all__ = ["create_app"]
