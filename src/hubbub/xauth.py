"""Where X's OAuth 2.0 user tokens are kept, and the X publisher that keeps them current.

Why a layer-5 module: X's refresh tokens are single use, so the tokens a refresh
returns must reach the store before the next process needs them, and
:mod:`hubbub.sources` may not import the store (DESIGN.md). Here the two meet:
:func:`save_tokens` writes both tokens to the settings store, encrypted
(:mod:`hubbub.store.settings_store`, the same rows the Settings page writes, read
back by :func:`hubbub.configure.effective_settings`), and :func:`publisher` is
``FACTORIES["x"]``: :func:`hubbub.sources.x.publish.publisher_from_settings` with
a callback that saves refreshed tokens at once.

An operator who pins ``HUBBUB_X_USER_TOKEN`` in the environment pins it: the
environment wins over the store, so a refreshed token cannot replace it; use
``hubbub auth x`` (which stores them) when the token should renew itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from hubbub.configure import secret_box
from hubbub.settings import Settings
from hubbub.sources.x.oauth import (
    AUTHORIZE_URL,
    OAuthError,
    Tokens,
    authorize_url,
    catch_code,
    exchange_code,
    new_pkce,
)
from hubbub.sources.x.publish import XPublisher, publisher_from_settings
from hubbub.store import Store
from hubbub.store.settings_store import write_secret

__all__ = ["ACCESS", "DEFAULT_REDIRECT", "REFRESH", "authorize", "publisher", "save_tokens"]

log = logging.getLogger(__name__)

ACCESS = "x_user_token"
REFRESH = "x_user_refresh_token"
#: the callback to register in the X developer portal (User authentication settings)
DEFAULT_REDIRECT = "http://127.0.0.1:8765/callback"


def save_tokens(
    store: Store,
    settings: Settings,
    tokens: Tokens,
    *,
    now: datetime | None = None,
) -> list[str]:
    """Store the access (and refresh) token encrypted; the names written, never the values."""
    box = secret_box(settings)
    when = now or datetime.now(UTC)
    written = [ACCESS]
    with store.begin() as conn:
        write_secret(conn, ACCESS, tokens.access.get_secret_value(), box, now=when)
        if tokens.refresh is not None:
            write_secret(conn, REFRESH, tokens.refresh.get_secret_value(), box, now=when)
            written.append(REFRESH)
    return written


def publisher(settings: Settings) -> XPublisher | None:
    """``FACTORIES["x"]``: the X publisher, saving refreshed tokens to the settings store."""

    def keep(tokens: Tokens) -> None:
        store = Store.open(settings.resolved_database_url)
        try:
            save_tokens(store, settings, tokens)
        finally:
            store.close()
        log.info("x: the user access token was refreshed and stored")

    return publisher_from_settings(settings, on_tokens=keep)


def authorize(
    store: Store,
    settings: Settings,
    show: Callable[[str], None],
    *,
    redirect_uri: str = DEFAULT_REDIRECT,
    timeout: float = 300.0,
    authorize_base: str = AUTHORIZE_URL,
) -> Tokens:
    """The whole PKCE flow: ``show`` the consent URL, catch the callback, store the tokens.

    ``show`` is called once the callback port listens (it prints the URL and may
    open a browser). Raises :class:`~hubbub.sources.x.oauth.OAuthError`.
    """
    client_id = settings.x_client_id.get_secret_value().strip() if settings.x_client_id else ""
    if not client_id:
        raise OAuthError(
            "x: no OAuth 2.0 client id: set HUBBUB_X_CLIENT_ID (X developer portal → your app "
            "→ Keys and tokens → OAuth 2.0 Client ID and Client Secret)"
        )
    pkce = new_pkce()
    url = authorize_url(client_id, redirect_uri, pkce, base=authorize_base)
    code = catch_code(redirect_uri, pkce.state, timeout=timeout, ready=lambda: show(url))
    tokens = exchange_code(
        code,
        pkce,
        redirect_uri,
        client_id,
        settings.x_client_secret,
        api_url=settings.x_api_url,
    )
    save_tokens(store, settings, tokens)
    return tokens
