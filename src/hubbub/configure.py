"""The settings in effect: the environment first, then what was entered on the Settings page.

Why a layer-5 function rather than a pydantic source: :class:`~hubbub.settings.Settings`
is read before any database is open (it says where the database is), so stored
values can only be laid over it afterwards. :func:`effective_settings` returns a
copy of the settings with each network credential (and the X read cap) taken from
the store wherever the environment left it unset; the environment always wins, so
an operator can pin a value that the web page cannot change. Whoever builds sources
or publishers calls it (``hubbub fetch`` does; see docs/team.md).

Secrets are stored encrypted (:class:`~hubbub.store.settings_store.SecretBox`) under
a key derived from the app's secret key, which :func:`load_secret_key` reads or
creates; values are shown only through :func:`hubbub.settings.mask` and never logged.

Workspace settings (the response target and the promotion share for the publish
balance guard) belong to one workspace: :func:`workspace_settings` reads them with
their defaults, :func:`save_workspace_settings` checks and writes them.
"""

from __future__ import annotations

import logging
import math
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import SecretStr
from sqlalchemy import Connection

from hubbub.settings import Settings, mask
from hubbub.store import Store
from hubbub.store.settings_store import (
    INSTANCE,
    SecretBox,
    SecretUnreadable,
    StoredSetting,
    delete_setting,
    read_settings,
    write_secret,
    write_setting,
)
from hubbub.store.team import log_action

__all__ = [
    "CREDENTIALS",
    "DEFAULT_PROMOTION_SHARE",
    "ConfigureError",
    "CredentialField",
    "CredentialView",
    "WorkspaceSettings",
    "credential_views",
    "effective_settings",
    "load_secret_key",
    "promotion_share",
    "response_target_hours",
    "save_credentials",
    "save_workspace_settings",
    "secret_box",
    "workspace_settings",
]

log = logging.getLogger(__name__)

DEFAULT_PROMOTION_SHARE = 0.20
READ_CAP = "x_monthly_read_cap"


class ConfigureError(ValueError):
    """A value entered for a setting is not valid; the message names the field."""


@dataclass(frozen=True, slots=True)
class CredentialField:
    """A Settings field that may also be entered on the Settings page."""

    name: str  # the Settings attribute; its environment variable is HUBBUB_ + NAME upper
    label: str
    network: str
    secret: bool = True

    @property
    def env_var(self) -> str:
        return "HUBBUB_" + self.name.upper()


CREDENTIALS: tuple[CredentialField, ...] = (
    CredentialField("x_bearer_token", "X bearer token (app-only, for reading)", "X"),
    CredentialField("x_client_id", "X OAuth 2.0 client id", "X"),
    CredentialField("x_client_secret", "X OAuth 2.0 client secret", "X"),
    CredentialField("x_user_token", "X OAuth 2.0 user token (for posting)", "X"),
    CredentialField("x_user_refresh_token", "X OAuth 2.0 refresh token (hubbub auth x)", "X"),
    CredentialField("mastodon_base_url", "Mastodon server URL", "Mastodon", secret=False),
    CredentialField("mastodon_access_token", "Mastodon access token", "Mastodon"),
    CredentialField("bluesky_handle", "Bluesky handle", "Bluesky", secret=False),
    CredentialField("bluesky_app_password", "Bluesky app password", "Bluesky"),
)
_BY_NAME = {f.name: f for f in CREDENTIALS}


# --- the secret key -------------------------------------------------------------------------


def load_secret_key(settings: Settings) -> bytes:
    """The key for signing and encrypting: the configured one, or one kept in HUBBUB_HOME.

    Generated on first use (48 random bytes, URL-safe) into ``HUBBUB_HOME/secret_key``
    with mode 0600, so login forms stay valid and stored secrets stay readable across
    restarts and across processes sharing that home.
    """
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


def secret_box(settings: Settings) -> SecretBox:
    return SecretBox(load_secret_key(settings))


# --- the settings in effect -----------------------------------------------------------------


def _unset(value: object) -> bool:
    if isinstance(value, SecretStr):
        return not value.get_secret_value()
    return value is None or value == ""


def _stored_values(rows: dict[str, StoredSetting], box: SecretBox) -> dict[str, str | None]:
    """Stored credential values decrypted; None for one the key cannot decrypt."""
    found: dict[str, str | None] = {}
    for name, row in rows.items():
        if name not in _BY_NAME and name != READ_CAP:
            continue
        if not row.secret:
            found[name] = row.value
            continue
        try:
            found[name] = box.open(row.value)
        except SecretUnreadable:
            log.warning("stored %s cannot be decrypted (the secret key changed)", name)
            found[name] = None
    return found


def effective_settings(
    store: Store, settings: Settings, *, box: SecretBox | None = None
) -> Settings:
    """A copy of ``settings``, stored credentials filled in where the environment has none."""
    box = box or secret_box(settings)
    with store.connect() as conn:
        stored = _stored_values(read_settings(conn, INSTANCE), box)
    update: dict[str, object] = {}
    for field in CREDENTIALS:
        value = stored.get(field.name)
        if value and _unset(getattr(settings, field.name)):
            update[field.name] = SecretStr(value) if field.secret else value
    cap = stored.get(READ_CAP)
    if cap and settings.x_monthly_read_cap is None and cap.isdigit():
        update[READ_CAP] = int(cap)
    return settings.model_copy(update=update) if update else settings


@dataclass(frozen=True, slots=True)
class CredentialView:
    """What the Settings page shows of one credential: masked values and which is in effect."""

    field: CredentialField
    source: Literal["environment", "stored", "not set"]
    shown: str  # the value in effect: masked when secret
    stored: bool  # a value is stored (even if the environment overrides it)
    unreadable: bool  # stored, but the secret key cannot decrypt it


def credential_views(conn: Connection, settings: Settings, box: SecretBox) -> list[CredentialView]:
    rows = read_settings(conn, INSTANCE)
    stored = _stored_values(rows, box)
    views = []
    for field in CREDENTIALS:
        env_value = getattr(settings, field.name)
        value = stored.get(field.name)
        if not _unset(env_value):
            source: Literal["environment", "stored", "not set"] = "environment"
            plain = env_value.get_secret_value() if isinstance(env_value, SecretStr) else env_value
        elif value:
            source, plain = "stored", value
        else:
            source, plain = "not set", ""
        shown = (mask(plain) if field.secret else str(plain)) if plain else ""
        views.append(
            CredentialView(
                field=field,
                source=source,
                shown=shown,
                stored=field.name in rows,
                unreadable=field.name in rows and stored.get(field.name) is None,
            )
        )
    return views


def save_credentials(
    conn: Connection,
    box: SecretBox,
    values: dict[str, str],
    clear: set[str],
    *,
    workspace_id: int,
    user_id: int | None,
    now: datetime,
) -> list[str]:
    """Store the credentials given (blank ones are left as they are), forget ``clear``.

    Returns the names changed. The audit log records the names, never the values.
    """
    unknown = (set(values) | clear) - set(_BY_NAME)
    if unknown:
        raise ConfigureError(f"unknown credential {sorted(unknown)[0]!r}")
    changed: list[str] = []
    for name in sorted(clear):
        if delete_setting(conn, name):
            changed.append(name)
    for name, raw in sorted(values.items()):
        value = raw.strip()
        if not value or name in clear:
            continue
        field = _BY_NAME[name]
        if len(value) > 4000:
            raise ConfigureError(f"{field.label}: longer than 4000 characters")
        if name == "mastodon_base_url" and not value.startswith(("https://", "http://")):
            raise ConfigureError(f"{field.label}: must start with https://")
        if field.secret:
            write_secret(conn, name, value, box, now=now, user_id=user_id)
        else:
            write_setting(conn, name, value, now=now, user_id=user_id)
        changed.append(name)
    if changed:
        log_action(
            conn,
            workspace_id,
            user_id,
            "settings.credentials",
            "settings:credentials",
            {"changed": sorted(changed)},
            now=now,
        )
    return sorted(changed)


# --- workspace settings ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WorkspaceSettings:
    response_target_hours: float
    promotion_share: float  # 0..1: the most self-promotion in the planned mix
    x_monthly_read_cap: int | None  # the install's (X bills one account); None: no cap
    read_cap_from_environment: bool


def workspace_settings(
    conn: Connection, workspace_id: int, settings: Settings, *, default_target: float = 4.0
) -> WorkspaceSettings:
    """The workspace's settings: stored values, else ``default_target`` (hubbub.toml) and 20%."""
    own = read_settings(conn, workspace_id)
    install = read_settings(conn, INSTANCE)
    target = _float(own.get("response_target_hours"), default_target)
    share = _float(own.get("promotion_share"), DEFAULT_PROMOTION_SHARE)
    cap: int | None = settings.x_monthly_read_cap
    if cap is None and READ_CAP in install and install[READ_CAP].value.isdigit():
        cap = int(install[READ_CAP].value)
    return WorkspaceSettings(
        response_target_hours=target,
        promotion_share=share,
        x_monthly_read_cap=cap,
        read_cap_from_environment=settings.x_monthly_read_cap is not None,
    )


def response_target_hours(conn: Connection, workspace_id: int, default: float) -> float:
    """The workspace's response target: the stored one, else ``default`` (from hubbub.toml)."""
    return _float(read_settings(conn, workspace_id).get("response_target_hours"), default)


def promotion_share(conn: Connection, workspace_id: int) -> float:
    """The most self-promotion the publish balance guard allows (0..1; default 0.20)."""
    row = read_settings(conn, workspace_id).get("promotion_share")
    return _float(row, DEFAULT_PROMOTION_SHARE)


def _float(row: StoredSetting | None, default: float) -> float:
    if row is None:
        return default
    try:
        return float(row.value)
    except ValueError:
        return default


def _number(raw: str, label: str, low: float, high: float) -> float:
    try:
        value = float(raw.strip().rstrip("%"))
    except ValueError:
        raise ConfigureError(f"{label}: {raw!r} is not a number") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise ConfigureError(f"{label}: must be between {low:g} and {high:g} (got {raw.strip()})")
    return value


def save_workspace_settings(
    conn: Connection,
    workspace_id: int,
    *,
    response_target_hours: str,
    promotion_percent: str,
    x_monthly_read_cap: str,
    user_id: int | None,
    now: datetime,
) -> None:
    """Check and store the workspace's settings (and the install's X read cap).

    Raises :class:`ConfigureError` naming the field; nothing is stored then.
    """
    target = _number(response_target_hours, "Response target (hours)", 0.25, 24 * 14)
    share = _number(promotion_percent, "Promotion share (%)", 0, 100) / 100
    cap_raw = x_monthly_read_cap.strip().replace(",", "").replace("_", "")
    if cap_raw and not cap_raw.isdigit():
        raise ConfigureError(f"X monthly read cap: {x_monthly_read_cap!r} is not a whole number")
    write_setting(
        conn,
        "response_target_hours",
        repr(target),
        now=now,
        user_id=user_id,
        workspace_id=workspace_id,
    )
    write_setting(
        conn, "promotion_share", repr(share), now=now, user_id=user_id, workspace_id=workspace_id
    )
    if cap_raw:
        write_setting(conn, READ_CAP, str(int(cap_raw)), now=now, user_id=user_id)
    else:
        delete_setting(conn, READ_CAP)
    log_action(
        conn,
        workspace_id,
        user_id,
        "settings.workspace",
        "settings:workspace",
        {
            "response_target_hours": target,
            "promotion_share": share,
            "x_monthly_read_cap": int(cap_raw) if cap_raw else None,
        },
        now=now,
    )
