"""The web UI's routers, one module per page or concern."""

__all__: list[str] = []
