"""OAuth 2.0 user context for X: PKCE authorisation, the token exchange and refresh.

Posting as the business needs a token that X issued *to the business's account*,
not the app-only bearer that reading uses. X offers OAuth 2.0 Authorization Code
with PKCE for that; the steps, all here so ``hubbub auth x`` stays a few lines:

1. :func:`new_pkce` makes a random ``code_verifier`` (43-128 characters of the
   unreserved set, RFC 7636), its S256 ``code_challenge`` and a ``state``;
2. :func:`authorize_url` is the consent page the user opens in a browser
   (``https://x.com/i/oauth2/authorize``), asking for ``tweet.read tweet.write
   users.read media.write offline.access`` (``media.write`` lets it upload images,
   ``offline.access`` is what yields a refresh token);
3. X redirects the browser to the app's registered callback, which
   :func:`catch_code` serves once on 127.0.0.1 and reads ``code`` (after checking
   ``state``, so another site cannot inject its own code);
4. :func:`exchange_code` posts the code and the verifier to ``/2/oauth2/token``;
5. :func:`refresh_tokens` trades the refresh token for new tokens when the access
   token (two hours) has expired. X's refresh tokens are **single use**: every
   refresh returns a new one, which must be stored at once or the next refresh fails.

Confidential clients (with a client secret) authenticate to the token endpoint with
HTTP Basic; public clients send ``client_id`` in the form. httpx directly rather than
:class:`~hubbub.sources.x.client.XClient`: the token endpoint takes a form and Basic
auth, not the bearer every API call carries, and it must not be retried blindly.
Tokens are :class:`~pydantic.SecretStr`; nothing here logs or prints one.
"""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
from pydantic import SecretStr

from hubbub.settings import mask
from hubbub.sources.base import SourceError

__all__ = [
    "AUTHORIZE_URL",
    "SCOPES",
    "TOKEN_PATH",
    "OAuthError",
    "Pkce",
    "Tokens",
    "authorize_url",
    "catch_code",
    "exchange_code",
    "new_pkce",
    "refresh_tokens",
]

AUTHORIZE_URL = "https://x.com/i/oauth2/authorize"
TOKEN_PATH = "/2/oauth2/token"
SCOPES = ("tweet.read", "tweet.write", "users.read", "media.write", "offline.access")


class OAuthError(SourceError):
    """The authorisation or a token request failed; the message is one line, without tokens."""


@dataclass(frozen=True, slots=True)
class Tokens:
    """What the token endpoint returned; secrets masked in ``repr``."""

    access: SecretStr
    refresh: SecretStr | None
    expires_in: int | None = None
    scope: str = ""

    def __repr__(self) -> str:
        return f"Tokens(access={mask(self.access)}, refresh={mask(self.refresh)})"


@dataclass(frozen=True, slots=True)
class Pkce:
    """One authorisation attempt's secret verifier, its challenge and its state."""

    verifier: str
    challenge: str
    state: str


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def new_pkce() -> Pkce:
    """A fresh verifier (64 URL-safe characters), its S256 challenge and a random state."""
    verifier = secrets.token_urlsafe(48)  # 64 characters of [A-Za-z0-9_-]
    return Pkce(verifier, _challenge(verifier), secrets.token_urlsafe(16))


def authorize_url(
    client_id: str,
    redirect_uri: str,
    pkce: Pkce,
    *,
    scopes: tuple[str, ...] = SCOPES,
    base: str = AUTHORIZE_URL,
) -> str:
    """The consent page to open in a browser."""
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": " ".join(scopes),
        "state": pkce.state,
        "code_challenge": pkce.challenge,
        "code_challenge_method": "S256",
    }
    return f"{base}?{urlencode(query)}"


def _token_request(
    form: dict[str, str],
    client_id: str,
    client_secret: SecretStr | None,
    api_url: str,
    transport: httpx.BaseTransport | None,
) -> Tokens:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    secret = client_secret.get_secret_value() if client_secret is not None else ""
    if secret:
        basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode("ascii")
        headers["Authorization"] = f"Basic {basic}"
    else:
        form = {**form, "client_id": client_id}
    url = api_url.rstrip("/") + TOKEN_PATH
    try:
        with httpx.Client(timeout=30.0, transport=transport) as http:
            response = http.post(url, data=form, headers=headers)
    except httpx.TransportError as exc:
        raise OAuthError(f"x: cannot reach {url}: {type(exc).__name__}") from None
    try:
        body: Any = response.json()
    except ValueError:
        body = {}
    if response.status_code != 200 or not isinstance(body, dict):
        why = body.get("error_description") or body.get("error") if isinstance(body, dict) else ""
        raise OAuthError(
            f"x: the token request was refused ({response.status_code}: "
            f"{why or response.reason_phrase}); run `hubbub auth x` again"
        )
    access, refresh = body.get("access_token"), body.get("refresh_token")
    if not isinstance(access, str) or not access:
        raise OAuthError("x: the token endpoint answered without an access_token")
    expires = body.get("expires_in")
    return Tokens(
        access=SecretStr(access),
        refresh=SecretStr(refresh) if isinstance(refresh, str) and refresh else None,
        expires_in=expires if isinstance(expires, int) else None,
        scope=str(body.get("scope") or ""),
    )


def exchange_code(
    code: str,
    pkce: Pkce,
    redirect_uri: str,
    client_id: str,
    client_secret: SecretStr | None = None,
    *,
    api_url: str = "https://api.x.com",
    transport: httpx.BaseTransport | None = None,
) -> Tokens:
    """Trade the authorisation ``code`` (and the PKCE verifier) for tokens."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": pkce.verifier,
    }
    return _token_request(form, client_id, client_secret, api_url, transport)


def refresh_tokens(
    refresh: SecretStr,
    client_id: str,
    client_secret: SecretStr | None = None,
    *,
    api_url: str = "https://api.x.com",
    transport: httpx.BaseTransport | None = None,
) -> Tokens:
    """New tokens for a refresh token (which X then invalidates: store the new one)."""
    form = {"grant_type": "refresh_token", "refresh_token": refresh.get_secret_value()}
    return _token_request(form, client_id, client_secret, api_url, transport)


_DONE_PAGE = (
    "<!doctype html><meta charset=utf-8><title>hubbub</title>"
    "<p>{message}</p><p>You can close this tab and return to the terminal.</p>"
)


def catch_code(
    redirect_uri: str,
    state: str,
    *,
    timeout: float = 300.0,
    ready: Callable[[], None] | None = None,
) -> str:
    """Serve ``redirect_uri`` (an ``http://127.0.0.1:PORT/path``) for one callback; its code.

    Answers the browser with a short page, then stops. Raises :class:`OAuthError`
    when the user denied access, the state does not match, or nothing came within
    ``timeout`` seconds. ``ready`` is called once the port is listening.
    """
    parts = urlsplit(redirect_uri)
    if parts.scheme != "http" or parts.hostname not in ("127.0.0.1", "localhost"):
        raise OAuthError(f"x: the callback {redirect_uri!r} must be http://127.0.0.1:PORT/...")
    result: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path != (parts.path or "/"):
                self.send_error(404)
                return
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            if query.get("state") != state:
                result["error"] = "the callback's state does not match (a stale or forged link)"
            elif "error" in query:
                result["error"] = f"X says {query['error']}" + (
                    f": {query['error_description']}" if query.get("error_description") else ""
                )
            elif query.get("code"):
                result["code"] = query["code"]
            else:
                result["error"] = "the callback carried no code"
            message = "hubbub is connected to X." if "code" in result else result["error"]
            page = _DONE_PAGE.format(message=html.escape(message)).encode()
            self.send_response(200 if "code" in result else 400)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

    timed_out: list[bool] = []

    class Server(HTTPServer):
        def handle_timeout(self) -> None:
            timed_out.append(True)

    try:
        server = Server(("127.0.0.1", parts.port or 80), Handler)
    except OSError as exc:
        raise OAuthError(f"x: cannot listen on {parts.netloc}: {exc.strerror}") from None
    deadline = time.monotonic() + timeout
    try:
        if ready is not None:
            threading.Thread(target=ready, daemon=True).start()
        while not result:  # other requests (a favicon) do not end the wait
            server.timeout = max(0.01, deadline - time.monotonic())
            server.handle_request()
            if not result and (timed_out or time.monotonic() >= deadline):
                raise OAuthError(f"x: no answer from X within {timeout:.0f} s; try again")
    finally:
        server.server_close()
    if "error" in result:
        raise OAuthError(f"x: authorisation failed: {result['error']}")
    return result["code"]
