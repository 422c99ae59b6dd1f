"""Store.open: URLs, SQLite pragmas, migrations, transactions."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import insert, text

from hubbub.settings import get_settings
from hubbub.store import Store, StoreError
from hubbub.store.engine import alembic_config, normalize_url
from hubbub.store.tables import include_name, metadata, users
from tests.store.helpers import count


def test_migrated_schema_matches_tables(store: Store) -> None:
    with store.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": include_name})
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_migrations_are_at_head_and_reopen_is_a_noop(store: Store) -> None:
    heads = tuple(ScriptDirectory.from_config(alembic_config()).get_heads())
    assert len(heads) == 1, f"the migrations branch: heads {heads}"
    with store.connect() as conn:
        assert MigrationContext.configure(conn).get_current_heads() == heads
    again = Store.open(store.url)
    again.close()
    with store.connect() as conn:
        assert MigrationContext.configure(conn).get_current_heads() == heads


def test_default_url_creates_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    home = tmp_path / "not" / "yet"
    monkeypatch.setenv("HUBBUB_HOME", str(home))
    monkeypatch.delenv("HUBBUB_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        with Store.open() as store:
            assert store.dialect == "sqlite"
            assert (home / "hubbub.db").is_file()
    finally:
        get_settings.cache_clear()


def test_sqlite_pragmas(tmp_path: Path) -> None:
    with Store.open(f"sqlite:///{tmp_path / 'h.db'}") as store, store.connect() as conn:
        pragma = {
            p: conn.exec_driver_sql(f"PRAGMA {p}").scalar()
            for p in ("journal_mode", "foreign_keys", "synchronous", "busy_timeout")
        }
    assert pragma == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "synchronous": 1,
        "busy_timeout": 30000,
    }


def test_sqlite_enforces_foreign_keys(tmp_path: Path) -> None:
    with (
        Store.open(f"sqlite:///{tmp_path / 'h.db'}") as store,
        pytest.raises(Exception, match="FOREIGN KEY"),
        store.begin() as conn,
    ):
        conn.execute(text("INSERT INTO mention_streams (mention_id, stream_id) VALUES (1, 1)"))


def _user() -> dict[str, object]:
    return {"username": "a", "name": "", "password_hash": "x", "created": datetime.now(UTC)}


def test_memory_sqlite_keeps_data_across_connections() -> None:
    with Store.open("sqlite://") as store:
        with store.begin() as conn:
            conn.execute(insert(users), [_user()])
        assert count(store, "users") == 1


def test_begin_rolls_back_on_error(store: Store) -> None:
    with pytest.raises(RuntimeError), store.begin() as conn:
        conn.execute(insert(users), [_user()])
        raise RuntimeError("boom")
    assert count(store, "users") == 0


def test_postgres_urls_use_psycopg3() -> None:
    assert normalize_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url("sqlite:///x.db") == "sqlite:///x.db"


def test_bad_urls_give_one_line_errors() -> None:
    with pytest.raises(StoreError, match="not valid"):
        Store.open("::nonsense::")
    with pytest.raises(StoreError, match="cannot use database URL"):
        Store.open("nosuchdb://x/y")


def test_unreachable_postgres_gives_one_line_error() -> None:
    with pytest.raises(StoreError) as info:
        Store.open("postgresql://nobody:secret@127.0.0.1:1/nothing?connect_timeout=2")
    message = str(info.value)
    assert "\n" not in message
    assert "secret" not in message and "cannot open database" in message


def test_database_newer_than_code_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'h.db'}"
    with Store.open(url) as store, store.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StoreError, match=r"9999.*upgrade hubbub"):
        Store.open(url)


def test_home_with_tilde_is_expanded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    with Store.open("sqlite:///~/deep/er/h.db") as store:
        assert store.dialect == "sqlite"
    assert (tmp_path / "deep" / "er" / "h.db").is_file()


def test_uncreatable_home_gives_one_line_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(StoreError, match="cannot create"):
        Store.open(f"sqlite:///{blocker / 'sub' / 'h.db'}")
