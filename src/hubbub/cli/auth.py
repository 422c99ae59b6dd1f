"""``hubbub auth x``: connect hubbub to the business's X account for posting (OAuth 2.0 PKCE).

Thin: :func:`hubbub.xauth.authorize` does the flow (consent URL, a one-shot callback
server on 127.0.0.1, the token exchange) and stores both tokens encrypted in the
settings store, where ``hubbub worker``, ``hubbub serve`` and the inbox find them.
Tokens are only ever shown masked.
"""

from __future__ import annotations

import webbrowser
from typing import Annotated

import typer
from rich.console import Console

from hubbub.cli.commands import app
from hubbub.cli.errors import BAD_INPUT, fail, handled
from hubbub.settings import get_settings, mask

__all__ = ["auth"]

NETWORKS = ("x",)


@app.command()
def auth(
    network: Annotated[str, typer.Argument(help="The network to connect: x.", metavar="NETWORK")],
    port: Annotated[
        int, typer.Option(help="The local callback port (register the callback URL with X).")
    ] = 8765,
    browser: Annotated[
        bool, typer.Option(help="Open the consent page in a browser as well as printing it.")
    ] = True,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for X's answer.")] = 300.0,
) -> None:
    """Connect the business's X account so hubbub can post.

    Needs HUBBUB_X_CLIENT_ID (and HUBBUB_X_CLIENT_SECRET for a confidential client) from
    the X developer portal, with http://127.0.0.1:PORT/callback registered as the app's
    callback URL. Prints a consent page to open, catches X's answer on 127.0.0.1, and
    stores the access and refresh tokens encrypted in the settings store (shown masked).
    The access token is refreshed by itself when it expires.

    Example: hubbub auth x --port 8765
    """
    from hubbub.configure import effective_settings
    from hubbub.store import Store
    from hubbub.xauth import authorize

    with handled():
        if network not in NETWORKS:
            fail(f"unknown network {network!r}: expected {', '.join(NETWORKS)}", BAD_INPUT)
        if not 1 <= port <= 65535:
            fail(f"--port: {port} is not a port number", BAD_INPUT)
        out = Console(highlight=False, soft_wrap=True)
        store = Store.open()
        try:
            settings = effective_settings(store, get_settings())

            def show(url: str) -> None:
                out.print("Open this page, sign in as the business and allow hubbub:")
                out.print(url, markup=False)
                if browser:
                    webbrowser.open(url)

            tokens = authorize(
                store,
                settings,
                show,
                redirect_uri=f"http://127.0.0.1:{port}/callback",
                timeout=timeout,
            )
        finally:
            store.close()
        refresh = f", refresh token {mask(tokens.refresh)}" if tokens.refresh else ""
        out.print(
            f"Connected to X: access token {mask(tokens.access)}{refresh} stored in the "
            "settings store. hubbub can now post as this account."
        )
