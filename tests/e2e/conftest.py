"""What every browser test shares: the demo store, a uvicorn server, chromium.

Each module still builds its own store (the inbox test changes its items), but the
way to fill it, serve it and drive Debian's chromium lives here once.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from hubbub.listen import IngestReport, ingest
from hubbub.model import Workspace
from hubbub.settings import Settings
from hubbub.sources.demo import DemoSource
from hubbub.store import Store
from hubbub.web import create_app
from hubbub.workspace import example_path, load_workspace

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "screenshots"

#: every browser test module starts with ``pytestmark = BROWSER``
BROWSER = [
    pytest.mark.browser,
    pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason=f"chromium not found at {CHROMIUM}"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def shot(page: Any, name: str) -> None:
    """Save the whole page to screenshots/NAME.png for a person to look at."""
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def demo_store(home: Path, days: int = 30) -> tuple[Store, Workspace, IngestReport]:
    """A SQLite store in ``home`` filled with the bakery's demo world."""
    workspace = load_workspace(example_path())
    store = Store.open(f"sqlite:///{home / 'hubbub.db'}")
    report = ingest(store, workspace, DemoSource(workspace, days=days))
    return store, workspace, report


@contextmanager
def serving(store: Store, home: Path) -> Iterator[str]:
    """The web app over ``store`` on a free port of 127.0.0.1; yields its base URL."""
    import uvicorn

    app = create_app(store, Settings(home=home))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start within 20 s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium, headless, with the flags this closed network needs."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="Python playwright is absent")
    with sync_api.sync_playwright() as pw:
        launched = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        try:
            yield launched
        finally:
            launched.close()
