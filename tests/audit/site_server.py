"""The fixture website (tests/fixtures/site/) served on 127.0.0.1, for the content audit.

One server plays two sites: the business's own at ``http://127.0.0.1:PORT`` and an
"external" one at ``http://localhost:PORT`` (another host name, so the crawler treats
it as another site). ``{{EXTERNAL}}`` in the HTML becomes that external base. Like
many real servers, it refuses HEAD under ``/news/`` (405), so a link checker must fall
back to GET; ``/slow`` answers after ``slow_seconds``. Every request is kept in
``requests`` as (method, host, path, user agent).
"""

from __future__ import annotations

import mimetypes
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

__all__ = ["SITE", "FakeSite", "offline_client", "serve_site"]

SITE = Path(__file__).resolve().parents[1] / "fixtures" / "site"
#: hosts the fixture links to outside 127.0.0.1; answered by a stub, never the network
STUB_HOSTS = frozenset({"x.com", "bsky.app", "mastodon.social"})


@dataclass
class FakeSite:
    base: str  # the business's own site
    external: str  # the same server under another host name
    requests: list[tuple[str, str, str, str]] = field(default_factory=list)
    slow_seconds: float = 2.0

    def paths(self, method: str | None = None, host: str | None = None) -> list[str]:
        return [
            p
            for m, h, p, _ in self.requests
            if (method is None or m == method) and (host is None or h == host)
        ]


def _handler(site: FakeSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _answer(self, body: bool) -> None:
            host = (self.headers.get("Host") or "").split(":")[0]
            path = self.path.split("?")[0]
            site.requests.append((self.command, host, path, self.headers.get("User-Agent") or ""))
            if path.startswith("/slow"):
                time.sleep(site.slow_seconds)
            if not body and path.startswith("/news/"):
                self.send_response(405)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            file = SITE / path.lstrip("/")
            if file.is_dir():
                file = file / "index.html"
            if not file.resolve().is_relative_to(SITE) or not file.is_file():
                data = b"<!doctype html><title>Not found</title><p>Not found</p>"
                self.send_response(404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
            else:
                data = file.read_bytes()
                kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
                if kind == "text/html":
                    data = data.replace(b"{{EXTERNAL}}", site.external.encode())
                    kind += "; charset=utf-8"
                self.send_response(200)
                self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if body:
                self.wfile.write(data)

        def do_GET(self) -> None:
            self._answer(True)

        def do_HEAD(self) -> None:
            self._answer(False)

    return Handler


@contextmanager
def serve_site() -> Iterator[FakeSite]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = server.server_address[1]
    site = FakeSite(f"http://127.0.0.1:{port}/", f"http://localhost:{port}")
    server.RequestHandlerClass = _handler(site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()


def _stub(request: httpx.Request) -> httpx.Response:
    """The outside world in the tests: the social profiles exist, nothing else answers."""
    if request.url.host in STUB_HOSTS:
        return httpx.Response(200, html="<title>profile</title>")
    raise httpx.ConnectError("no network in tests", request=request)


def offline_client(timeout: float = 5.0) -> httpx.Client:
    """A client that reaches 127.0.0.1/localhost for real and stubs every other host."""
    from hubbub.audit.crawl import USER_AGENT

    real = httpx.HTTPTransport()
    return httpx.Client(
        timeout=timeout,
        follow_redirects=True,
        headers={"User-Agent": USER_AGENT},
        mounts={
            "all://127.0.0.1": real,
            "all://localhost": real,
            "all://": httpx.MockTransport(_stub),
        },
    )
