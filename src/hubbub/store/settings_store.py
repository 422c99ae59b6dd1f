"""Settings kept in the database, with secrets encrypted at rest.

Why in the database at all: a small business sets hubbub up from the web page, not
by editing environment variables on a server, and every process (``hubbub serve``,
``hubbub listen``, the publish worker) must see the same values. Rows of
``stored_settings`` are keyed by (workspace_id, name); workspace_id :data:`INSTANCE`
(0) holds the install's own settings (network credentials, the X read cap), a
workspace's id its own (response target, promotion share).

A secret is written only through :func:`write_secret`, which stores Fernet
ciphertext (AES-128-CBC with HMAC-SHA256) under a key derived from the app's secret
key with HKDF-SHA256; :func:`read_secret` decrypts it. If the secret key changes,
old secrets cannot be read (:class:`SecretUnreadable`) and must be entered again;
nothing else breaks. Values are never logged here.

Every function takes a SQLAlchemy ``Connection``; the caller owns the transaction.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Connection, delete, insert, select, update

from hubbub.store.tables import stored_settings, users
from hubbub.store.types import as_utc

__all__ = [
    "INSTANCE",
    "SecretBox",
    "SecretUnreadable",
    "StoredSetting",
    "delete_setting",
    "read_secret",
    "read_settings",
    "write_secret",
    "write_setting",
]

#: the workspace_id of the install's own settings (no workspace has id 0)
INSTANCE = 0

_HKDF_INFO = b"hubbub stored settings v1"


class SecretUnreadable(ValueError):
    """A stored secret that the current secret key cannot decrypt (the key changed)."""


class SecretBox:
    """Encrypts and decrypts stored secrets with a key derived from the app's secret key."""

    def __init__(self, secret_key: bytes) -> None:
        if not secret_key:
            raise ValueError("the secret key must not be empty")
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(
            secret_key
        )
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def seal(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode("utf-8")).decode("ascii")

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode("utf-8")
        except (InvalidToken, ValueError):
            raise SecretUnreadable("cannot decrypt: the secret key has changed") from None

    def __repr__(self) -> str:
        return "SecretBox(…)"


@dataclass(frozen=True, slots=True)
class StoredSetting:
    """One row; ``value`` is ciphertext when ``secret`` (decrypt with :func:`read_secret`)."""

    name: str
    value: str
    secret: bool
    updated: datetime
    updated_by: str | None  # username; None: the command line

    def __repr__(self) -> str:  # never show a secret's ciphertext in logs either
        shown = "…" if self.secret else repr(self.value)
        return f"StoredSetting({self.name!r}, {shown})"


def read_settings(conn: Connection, workspace_id: int = INSTANCE) -> dict[str, StoredSetting]:
    """Every stored setting of the install (or of one workspace), by name."""
    rows = conn.execute(
        select(
            stored_settings.c.name,
            stored_settings.c.value,
            stored_settings.c.secret,
            stored_settings.c.updated,
            users.c.username,
        )
        .outerjoin(users, users.c.id == stored_settings.c.updated_by)
        .where(stored_settings.c.workspace_id == workspace_id)
    ).all()
    return {
        r.name: StoredSetting(r.name, r.value, bool(r.secret), as_utc(r.updated), r.username)
        for r in rows
    }


def write_setting(
    conn: Connection,
    name: str,
    value: str,
    *,
    now: datetime,
    user_id: int | None = None,
    workspace_id: int = INSTANCE,
    secret: bool = False,
) -> None:
    """Insert or replace one setting (a plain value; secrets go through write_secret)."""
    where = (stored_settings.c.workspace_id == workspace_id) & (stored_settings.c.name == name)
    values = {"value": value, "secret": secret, "updated": now, "updated_by": user_id}
    if conn.execute(select(stored_settings.c.name).where(where)).first() is None:
        conn.execute(insert(stored_settings).values(workspace_id=workspace_id, name=name, **values))
    else:
        conn.execute(update(stored_settings).where(where).values(**values))


def write_secret(
    conn: Connection,
    name: str,
    plain: str,
    box: SecretBox,
    *,
    now: datetime,
    user_id: int | None = None,
    workspace_id: int = INSTANCE,
) -> None:
    """Store a secret encrypted; the plain text is never written."""
    write_setting(
        conn,
        name,
        box.seal(plain),
        now=now,
        user_id=user_id,
        workspace_id=workspace_id,
        secret=True,
    )


def read_secret(
    conn: Connection, name: str, box: SecretBox, *, workspace_id: int = INSTANCE
) -> str | None:
    """A stored secret decrypted, or None when not stored; SecretUnreadable if the key changed."""
    row = conn.execute(
        select(stored_settings.c.value, stored_settings.c.secret).where(
            (stored_settings.c.workspace_id == workspace_id) & (stored_settings.c.name == name)
        )
    ).first()
    if row is None:
        return None
    return box.open(row.value) if row.secret else str(row.value)


def delete_setting(conn: Connection, name: str, *, workspace_id: int = INSTANCE) -> bool:
    """Forget a stored setting; False when there was none."""
    result = conn.execute(
        delete(stored_settings).where(
            (stored_settings.c.workspace_id == workspace_id) & (stored_settings.c.name == name)
        )
    )
    return result.rowcount > 0
