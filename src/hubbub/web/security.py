"""The web UI's secret key, cookies and CSRF tokens.

CSRF has two cases. After login every form carries the session's own token
(stored with the session, compared in constant time). The login form has no
session yet, so it uses a *signed* double-submit cookie: a random nonce in a
cookie, and in the form HMAC-SHA256(secret key, nonce). A forged cross-site POST
cannot read the cookie to copy it, and a cookie planted from a sibling domain does
not help without the secret key.

The secret key is ``settings.secret_key`` when given; otherwise one is generated
on first start and kept in ``HUBBUB_HOME/secret_key`` (mode 0600) so that login
forms stay valid across restarts (see :func:`hubbub.configure.load_secret_key`).

Forms that a visitor posts before having a session (login, accepting an
invitation) use the signed double-submit token; every other form the session's.
"""

from __future__ import annotations

import hashlib
import hmac

from hubbub import configure
from hubbub.settings import Settings

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "LOGIN_COOKIE",
    "SESSION_COOKIE",
    "load_secret_key",
    "login_csrf_token",
    "tokens_match",
    "verify_login_csrf",
]

SESSION_COOKIE = "hubbub_session"
LOGIN_COOKIE = "hubbub_login"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def load_secret_key(settings: Settings) -> bytes:
    """The key for signing: the configured one, or one kept in HUBBUB_HOME.

    The same key encrypts stored credentials, so it lives in :mod:`hubbub.configure`,
    which the command line uses too.
    """
    return configure.load_secret_key(settings)


def login_csrf_token(key: bytes, nonce: str) -> str:
    """The login form's CSRF field for the nonce in the login cookie."""
    return hmac.new(key, b"login:" + nonce.encode("utf-8"), hashlib.sha256).hexdigest()


def verify_login_csrf(key: bytes, nonce: str | None, token: str | None) -> bool:
    if not nonce or not token:
        return False
    return hmac.compare_digest(login_csrf_token(key, nonce), token)


def tokens_match(expected: str, given: str | None) -> bool:
    """Constant-time comparison of a session's CSRF token with the one submitted."""
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())
