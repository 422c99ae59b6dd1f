"""The FastAPI application: ``create_app(store, settings)``.

One factory, no module-level app, so tests, ``hubbub serve`` and the browser tests
each build an app over the store they choose. The app keeps the store, the
settings, the secret key and the templates on ``app.state``; routes reach them
through :mod:`hubbub.web.deps`. Pages are rendered on the server with Jinja2;
htmx (vendored in ``static/vendor``) only enhances them, so every page works with
JavaScript off. Responses carry a strict Content-Security-Policy: no inline
scripts or styles, nothing from another origin.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request, Response
from fastapi.exceptions import HTTPException
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from hubbub.settings import Settings
from hubbub.store import Store
from hubbub.web import format as fmt
from hubbub.web.deps import CsrfError, LoginRequired, csrf_protect
from hubbub.web.pages import render
from hubbub.web.routes import audit as audit_page
from hubbub.web.routes import auth, goals, inbox, links, mentions, overview, publish
from hubbub.web.routes import insight as insight_page
from hubbub.web.routes import report as report_page
from hubbub.web.routes import settings as settings_page
from hubbub.web.routes import streams as streams_page
from hubbub.web.security import load_secret_key

__all__ = ["create_app"]

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
TEMPLATES = HERE / "templates"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "object-src 'none'"
)


def _asset_version() -> str:
    """A short hash of the static files, appended to their URLs to bust caches."""
    digest = hashlib.sha256()
    for path in sorted(STATIC.rglob("*")):
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


_frozen = False


@asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    """At the first start in a process, move what is loaded by then (modules, models,
    the app) out of the garbage collector's sight (``gc.freeze``): none of it becomes
    garbage, and a full collection over it took some 70 ms in every fifth request or so
    (bench/pages.py saw it as the p95 of cheap pages)."""
    global _frozen
    if not _frozen:
        gc.collect()
        gc.freeze()
        _frozen = True
    yield


def create_app(
    store: Store, settings: Settings, *, clock: Callable[[], datetime] | None = None
) -> FastAPI:
    """The web UI over ``store``; ``clock`` (tests) replaces the current time."""
    app = FastAPI(
        title="hubbub",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(csrf_protect)],
        lifespan=_lifespan,
    )
    app.state.store = store
    app.state.settings = settings
    app.state.secret_key = load_secret_key(settings)
    app.state.clock = clock or (lambda: datetime.now(UTC))
    app.state.asset_version = _asset_version()
    templates = Jinja2Templates(directory=str(TEMPLATES))
    templates.env.filters["local_time"] = fmt.local_time
    templates.env.filters["percent"] = fmt.percent
    templates.env.filters["linkify"] = fmt.linkify
    templates.env.filters["http_url"] = fmt.http_url
    templates.env.filters["handle"] = fmt.handle
    templates.env.filters["thousands"] = lambda n: f"{int(n):,}"
    app.state.templates = templates

    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    app.include_router(auth.router)
    app.include_router(overview.router)
    app.include_router(inbox.router)
    app.include_router(mentions.router)
    app.include_router(insight_page.router)
    app.include_router(streams_page.router)
    app.include_router(settings_page.router)
    app.include_router(publish.router)
    app.include_router(links.router)
    app.include_router(audit_page.router)
    app.include_router(report_page.router)
    app.include_router(goals.router)

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if response.headers.get("content-type", "").startswith("text/html"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired) -> Response:
        target = "/login"
        path = request.url.path
        if path not in ("/", "/login"):
            query = f"?{request.url.query}" if request.url.query else ""
            target += "?next=" + quote(path + query, safe="")
        if request.headers.get("hx-request"):
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(CsrfError)
    async def csrf_failed(request: Request, exc: CsrfError) -> Response:
        return render(
            request,
            "error.html",
            {
                "title": "Form expired",
                "message": "This form was missing its security token or it had expired. "
                "Go back, reload the page and try again.",
            },
            status_code=403,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        titles = {404: "Not found", 405: "Method not allowed"}
        return render(
            request,
            "error.html",
            {
                "title": titles.get(exc.status_code, f"Error {exc.status_code}"),
                "message": "There is no such page here, or you have no access to it."
                if exc.status_code == 404
                else str(exc.detail),
            },
            status_code=exc.status_code,
        )

    return app
