"""The web UI's secret key, cookies and CSRF tokens.

CSRF has two cases. After login every form carries the session's own token
(stored with the session, compared in constant time). The login form has no
session yet, so it uses a *signed* double-submit cookie: a random nonce in a
cookie, and in the form HMAC-SHA256(secret key, nonce). A forged cross-site POST
cannot read the cookie to copy it, and a cookie planted from a sibling domain does
not help without the secret key.

The secret key is ``settings.secret_key`` when given; otherwise one is generated
on first start and kept in ``HUBBUB_HOME/secret_key`` (mode 0600) so that login
forms stay valid across restarts.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

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
    """The key for signing: the configured one, or one kept in HUBBUB_HOME."""
    if settings.secret_key is not None and settings.secret_key.get_secret_value():
        return settings.secret_key.get_secret_value().encode("utf-8")
    path = Path(settings.home) / "secret_key"
    try:
        value = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        value = ""
    if not value:
        path.parent.mkdir(parents=True, exist_ok=True)
        value = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(value + "\n")
    return value.encode("utf-8")


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
