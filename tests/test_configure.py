"""Stored settings: encrypted at rest, the environment wins, workspace settings checked.

Also ``hubbub user invite`` (it prints the link once and stores only its hash).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import select
from typer.testing import CliRunner

from hubbub import configure
from hubbub.settings import Settings, get_settings
from hubbub.store import Store, upsert_workspace
from hubbub.store.settings_store import (
    INSTANCE,
    SecretBox,
    SecretUnreadable,
    read_secret,
    read_settings,
    write_secret,
)
from hubbub.store.tables import audit_log, invitations, stored_settings
from tests.store.helpers import make_workspace, pg_url, store

__all__ = ["pg_url", "store"]

T0 = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
KEY = b"the app's secret key, for tests"
TOKEN = "AAAAAAAAAAAAAAAAAAAAAbearer-token-1234"


@pytest.fixture
def ws(store: Store) -> int:
    with store.begin() as conn:
        return upsert_workspace(conn, make_workspace())


def _save(store: Store, ws: int, box: SecretBox, **values: str) -> list[str]:
    with store.begin() as conn:
        return configure.save_credentials(
            conn, box, values, set(), workspace_id=ws, user_id=None, now=T0
        )


def test_secrets_are_stored_encrypted_and_read_back(store: Store, ws: int) -> None:
    box = SecretBox(KEY)
    changed = _save(
        store, ws, box, x_bearer_token=TOKEN, mastodon_base_url="https://social.example/"
    )
    assert changed == ["mastodon_base_url", "x_bearer_token"]
    with store.connect() as conn:
        rows = {r.name: r for r in conn.execute(select(stored_settings)).all()}
        assert TOKEN not in rows["x_bearer_token"].value and rows["x_bearer_token"].secret
        assert rows["mastodon_base_url"].value == "https://social.example/"  # not a secret
        assert read_secret(conn, "x_bearer_token", box) == TOKEN
        logged = conn.execute(select(audit_log.c.action, audit_log.c.detail)).one()
    assert logged.action == "settings.credentials"
    assert TOKEN not in str(logged.detail)  # names only
    assert logged.detail == {"changed": ["mastodon_base_url", "x_bearer_token"]}
    assert TOKEN not in repr(read_settings_row(store))


def read_settings_row(store: Store) -> object:
    with store.connect() as conn:
        return read_settings(conn, INSTANCE)


def test_another_key_cannot_read_a_secret(store: Store) -> None:
    with store.begin() as conn:
        write_secret(conn, "x_bearer_token", TOKEN, SecretBox(KEY), now=T0)
    with store.connect() as conn, pytest.raises(SecretUnreadable):
        read_secret(conn, "x_bearer_token", SecretBox(b"another key"))


def test_effective_settings_fill_only_what_the_environment_left_unset(
    store: Store, ws: int, tmp_path: Path
) -> None:
    settings = Settings(
        home=tmp_path,
        secret_key=SecretStr(KEY.decode()),
        x_client_id=SecretStr("from-the-environment"),
        x_monthly_read_cap=None,
    )
    box = configure.secret_box(settings)
    _save(
        store,
        ws,
        box,
        x_bearer_token=TOKEN,
        x_client_id="stored-client-id",
        bluesky_handle="larkspur.bsky.social",
    )
    with store.begin() as conn:
        configure.save_workspace_settings(
            conn,
            ws,
            response_target_hours="2",
            promotion_percent="25",
            x_monthly_read_cap="10,000",
            user_id=None,
            now=T0,
        )
    got = configure.effective_settings(store, settings)
    assert got is not settings and settings.x_bearer_token is None  # a copy
    assert got.x_bearer_token is not None and got.x_bearer_token.get_secret_value() == TOKEN
    assert got.x_client_id is not None
    assert got.x_client_id.get_secret_value() == "from-the-environment"  # the environment wins
    assert got.bluesky_handle == "larkspur.bsky.social"
    assert got.x_monthly_read_cap == 10_000
    assert got.mastodon_access_token is None
    # a different secret key: stored secrets are skipped, plain values still apply
    other = Settings(home=tmp_path, secret_key=SecretStr("rotated"))
    rotated = configure.effective_settings(store, other)
    assert rotated.x_bearer_token is None and rotated.bluesky_handle == "larkspur.bsky.social"
    with store.connect() as conn:
        views = {
            v.field.name: v for v in configure.credential_views(conn, other, SecretBox(b"rotated"))
        }
    assert views["x_bearer_token"].unreadable and views["x_bearer_token"].source == "not set"


def test_credential_views_mask_and_say_which_is_in_effect(
    store: Store, ws: int, tmp_path: Path
) -> None:
    settings = Settings(home=tmp_path, x_client_secret=SecretStr("env-secret-abcd"))
    box = configure.secret_box(settings)
    _save(store, ws, box, x_bearer_token=TOKEN, x_client_secret="stored-secret-wxyz")
    with store.connect() as conn:
        views = {v.field.name: v for v in configure.credential_views(conn, settings, box)}
    assert (views["x_bearer_token"].source, views["x_bearer_token"].shown) == (
        "stored",
        "••••••1234",
    )
    assert (views["x_client_secret"].source, views["x_client_secret"].shown) == (
        "environment",
        "••••••abcd",
    )
    assert views["x_client_secret"].stored  # stored, but the environment wins
    assert views["mastodon_access_token"].source == "not set"
    assert views["x_client_id"].field.env_var == "HUBBUB_X_CLIENT_ID"


def test_clearing_and_bad_values(store: Store, ws: int) -> None:
    box = SecretBox(KEY)
    _save(store, ws, box, x_bearer_token=TOKEN)
    with store.begin() as conn:
        assert configure.save_credentials(
            conn,
            box,
            {"x_bearer_token": ""},
            {"x_bearer_token"},
            workspace_id=ws,
            user_id=None,
            now=T0,
        ) == ["x_bearer_token"]
        assert read_secret(conn, "x_bearer_token", box) is None
        with pytest.raises(configure.ConfigureError, match="must start with https://"):
            configure.save_credentials(
                conn,
                box,
                {"mastodon_base_url": "social.example"},
                set(),
                workspace_id=ws,
                user_id=None,
                now=T0,
            )
        with pytest.raises(configure.ConfigureError, match="unknown credential 'database_url'"):
            configure.save_credentials(
                conn, box, {"database_url": "x"}, set(), workspace_id=ws, user_id=None, now=T0
            )


@pytest.mark.parametrize(
    ("target", "percent", "cap", "problem"),
    [
        ("0", "20", "", "Response target \\(hours\\): must be between 0.25 and 336"),
        ("soon", "20", "", "Response target \\(hours\\): 'soon' is not a number"),
        ("4", "120", "", "Promotion share \\(%\\): must be between 0 and 100"),
        ("4", "nan", "", "Promotion share"),
        ("4", "20", "lots", "X monthly read cap: 'lots' is not a whole number"),
    ],
)
def test_workspace_settings_are_checked_and_nothing_stored_on_error(
    store: Store, ws: int, target: str, percent: str, cap: str, problem: str
) -> None:
    with store.begin() as conn, pytest.raises(configure.ConfigureError, match=problem):
        configure.save_workspace_settings(
            conn,
            ws,
            response_target_hours=target,
            promotion_percent=percent,
            x_monthly_read_cap=cap,
            user_id=None,
            now=T0,
        )
    with store.connect() as conn:
        assert read_settings(conn, ws) == {}


def test_workspace_settings_defaults_then_stored(store: Store, ws: int, tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    with store.connect() as conn:
        first = configure.workspace_settings(conn, ws, settings, default_target=3.0)
    assert (first.response_target_hours, first.promotion_share, first.x_monthly_read_cap) == (
        3.0,
        0.20,
        None,
    )
    with store.begin() as conn:
        configure.save_workspace_settings(
            conn,
            ws,
            response_target_hours="1.5",
            promotion_percent="10%",
            x_monthly_read_cap="",
            user_id=None,
            now=T0,
        )
    with store.connect() as conn:
        assert configure.response_target_hours(conn, ws, 3.0) == 1.5
        assert configure.promotion_share(conn, ws) == pytest.approx(0.10)
        capped = configure.workspace_settings(
            conn, ws, Settings(home=tmp_path, x_monthly_read_cap=500)
        )
    assert capped.x_monthly_read_cap == 500 and capped.read_cap_from_environment


def test_secret_key_is_made_once_with_mode_600(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    first = configure.load_secret_key(settings)
    assert configure.load_secret_key(settings) == first and len(first) >= 48
    assert (tmp_path / "home" / "secret_key").stat().st_mode & 0o777 == 0o600


# --- hubbub user invite ---------------------------------------------------------------------


def test_cli_user_invite_prints_the_link_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from hubbub.cli import app

    monkeypatch.setenv("HUBBUB_HOME", str(tmp_path))
    monkeypatch.delenv("HUBBUB_DATABASE_URL", raising=False)
    monkeypatch.setenv("HUBBUB_PUBLIC_BASE_URL", "https://hubbub.example")
    get_settings.cache_clear()
    try:
        with Store.open() as st, st.begin() as conn:
            upsert_workspace(conn, make_workspace())
        runner = CliRunner()
        result = runner.invoke(
            app, ["user", "invite", "--workspace", "larkspur", "--email", "sam@example.com"]
        )
        assert result.exit_code == 0, result.output
        link = result.stdout.strip()
        assert link.startswith("https://hubbub.example/invite/")
        token = link.rsplit("/", 1)[1]
        with Store.open() as st, st.connect() as conn:
            row = conn.execute(select(invitations.c.token_hash, invitations.c.role)).one()
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert row.role == "staff"
        bad = runner.invoke(app, ["user", "invite", "--workspace", "nope", "--name", "X"])
        assert bad.exit_code == 2 and "no workspace 'nope'" in bad.stderr
        role = runner.invoke(
            app, ["user", "invite", "--workspace", "larkspur", "--name", "X", "--role", "boss"]
        )
        assert role.exit_code == 2 and "--role 'boss'" in role.stderr
    finally:
        get_settings.cache_clear()
