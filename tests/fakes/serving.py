"""What every fake network server shares: a threaded HTTP server on 127.0.0.1:0.

The fake X, Mastodon and Bluesky (``tests/fakes/``) each keep their state in a
dataclass and answer through a request handler that reads that state. This mixin
gives them the same ``start()``, ``stop()`` and ``url``: the handler class is
subclassed once per fake so it can reach the fake under a name of its own
(``self.x``, ``self.m``, ``self.bsky``), and the server runs in a daemon thread.
"""

from __future__ import annotations

import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

__all__ = ["QuietServer", "Served"]


class QuietServer(ThreadingHTTPServer):
    """A threaded server that does not print a client hanging up as an error."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (a killed fetch, a closed stream) is expected, not an error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class Served:
    """``start()``/``stop()``/``url`` for a fake; the dataclass declares ``_server``."""

    _server: ThreadingHTTPServer | None

    def _serve(self, handler: type[BaseHTTPRequestHandler], name: str) -> Self:
        """Serve ``handler``, which reaches this fake as ``self.<name>``, on a free port."""
        bound = type(handler.__name__, (handler,), {name: self})
        self._server = server = QuietServer(("127.0.0.1", 0), bound)
        threading.Thread(target=lambda: server.serve_forever(0.05), daemon=True).start()
        return self

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
