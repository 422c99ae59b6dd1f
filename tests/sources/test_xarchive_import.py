"""X archive ZIPs through FileSource and ``hubbub import``: posts, followers, errors, resume."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.sources.test_xarchive import ACCOUNT, PROFILE, js, tweet
from tests.store.helpers import Databases
from tests.store.helpers import db as db
from tests.store.helpers import pg_databases as pg_databases
from tests.store.helpers import pg_url as pg_url
from typer.testing import CliRunner

from hubbub.cli import app
from hubbub.sources.base import SourceError
from hubbub.sources.files import FileSource
from hubbub.store import Store
from hubbub.store.tables import followers as followers_table
from hubbub.store.tables import posts as posts_table

runner = CliRunner()


def follower(i: int) -> dict[str, Any]:
    uid = str(5000 + i)
    return {
        "follower": {
            "accountId": uid,
            "userLink": f"https://twitter.com/intent/user?user_id={uid}",
        }
    }


def following(i: int) -> dict[str, Any]:
    uid = str(7000 + i)
    return {"following": {"accountId": uid, "userLink": f"https://x.com/i/user/{uid}"}}


def build_archive(
    path: Path,
    n_tweets: int,
    n_followers: int,
    *,
    extra: dict[str, str] | None = None,
    bad: dict[int, Any] | None = None,
) -> Path:
    """An archive like X's: account, profile, tweets (two parts), follower, following."""
    tweets: list[Any] = [tweet(i) for i in range(n_tweets)]
    for i, element in (bad or {}).items():
        tweets[i] = element
    half = n_tweets // 2
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("data/account.js", js("account", [ACCOUNT]))
        z.writestr("data/profile.js", js("profile", [PROFILE]))
        z.writestr("data/tweets.js", js("tweets", tweets[:half]))
        z.writestr("data/tweets-part1.js", js("tweets", tweets[half:]))
        z.writestr("data/follower.js", js("follower", [follower(i) for i in range(n_followers)]))
        z.writestr("data/following.js", js("following", [following(i) for i in range(4)]))
        for name, text in (extra or {}).items():
            z.writestr(name, text)
    return path


def test_owner_posts_then_followers_with_counts(tmp_path: Path) -> None:
    path = build_archive(tmp_path / "archive.zip", 6, 5)
    source = FileSource([path], batch_size=4)
    batches = list(source.batches())
    assert source.errors == []
    posts = [p for b in batches for p in b.posts]
    # tweet_members' name order: data/tweets-part1.js sorts before data/tweets.js
    assert [p.id for p in posts] == ["1003", "1004", "1005", "1000", "1001", "1002"]
    owner = posts[0].author
    assert owner.handle == "larkspurbakes" and owner.id == "99"
    assert (owner.followers, owner.following) == (5, 4)
    assert posts[0].provenance is not None
    assert posts[0].provenance.url == f"{path}!data/tweets-part1.js"
    assert posts[0].provenance.source == "file:archive.zip"
    fans = [a.id for b in batches for a in b.followers]
    assert fans == [str(5000 + i) for i in range(5)]
    assert not any(b.posts and b.followers for b in batches)  # one member per batch
    assert batches[-1].cursor is not None
    assert batches[-1].cursor.startswith(f"{path.resolve()}!data/follower.js:")
    assert source.lines_read == 11


def test_resume_after_interruption_reads_nothing_twice(tmp_path: Path) -> None:
    path = build_archive(tmp_path / "archive.zip", 9, 7)
    everything = list(FileSource([path], batch_size=3).batches())
    for cut in range(1, len(everything)):  # killed after each stored batch in turn
        it = FileSource([path], batch_size=3).batches()
        head = [next(it) for _ in range(cut)]
        rest = list(FileSource([path], batch_size=3).batches(head[-1].cursor))
        got = head + rest
        ids = [p.id for b in got for p in b.posts]
        assert sorted(ids) == [str(1000 + i) for i in range(9)] and len(set(ids)) == 9
        assert [a.id for b in got for a in b.followers] == [str(5000 + i) for i in range(7)]
    done = everything[-1].cursor
    assert list(FileSource([path]).batches(done)) == []


def test_bad_elements_are_named_and_the_rest_read(tmp_path: Path) -> None:
    broken = tweet(2)
    del broken["tweet"]["full_text"]
    path = build_archive(tmp_path / "archive.zip", 4, 2, bad={2: broken})
    source = FileSource([path])
    ids = [p.id for b in source.batches() for p in b.posts]
    assert sorted(ids) == ["1000", "1001", "1003"]
    [error] = source.errors
    assert error.startswith(f"{path}!data/tweets-part1.js:2: tweet 1002: full_text is missing")


def test_not_an_archive(tmp_path: Path) -> None:
    path = tmp_path / "photos.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("holiday.jpg", b"\xff\xd8")
    with pytest.raises(SourceError, match="is this an X archive"):
        list(FileSource([path]).batches())


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db: Databases) -> Iterator[Path]:
    from hubbub.settings import get_settings

    monkeypatch.setenv("HUBBUB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HUBBUB_DATABASE_URL", db.url())
    monkeypatch.chdir(tmp_path)
    (tmp_path / "hubbub.toml").write_text(
        '[business]\nname = "Larkspur Bakery"\nslug = "larkspur"\n'
        'handles = { x = "larkspurbakes" }\nproducts = ["sourdough"]\n',
        encoding="utf-8",
    )
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _count(table: Any) -> int:
    store = Store.open()
    try:
        with store.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(table)).scalar_one())
    finally:
        store.close()


def test_cli_imports_an_archive_and_a_csv_once(env: Path) -> None:
    archive = build_archive(env / "twitter-2026.zip", 6, 5)
    csv_path = env / "export.csv"
    csv_path.write_text(
        "Message,Date,User\nlove the #sourdough,2026-11-20 09:30,avleats\nbad row,not a date,bob\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["import", str(archive), str(csv_path)])
    assert result.exit_code == 1, result.output  # one CSV row failed
    assert f"{csv_path}:3:created: 'not a date'" in result.output
    assert "5 new followers" in result.output
    assert _count(posts_table) == 7 and _count(followers_table) == 5
    again = runner.invoke(app, ["import", str(archive), str(csv_path)])
    assert again.exit_code == 0 and "Nothing new" in again.output
    fresh = runner.invoke(app, ["import", "--from-start", str(archive)])
    assert fresh.exit_code == 0, fresh.output
    assert "0 new" in fresh.output and _count(posts_table) == 7


def test_cli_csv_mapping_and_bad_map(env: Path) -> None:
    path = env / "log.csv"
    path.write_text("Words,When,Who\nnice bread,2026-11-20T09:00:00Z,ann\n", encoding="utf-8")
    bad = runner.invoke(app, ["import", str(path)])
    assert bad.exit_code != 0 and "no column for text, created, author" in bad.output
    ok = runner.invoke(
        app,
        [
            "import",
            str(path),
            "--map",
            "text=Words",
            "--map",
            "created=When",
            "--map",
            "author=Who",
            "--network",
            "mastodon",
        ],
    )
    assert ok.exit_code == 0, ok.output
    store = Store.open()
    try:
        with store.connect() as conn:
            assert conn.execute(select(posts_table.c.network)).scalars().all() == ["mastodon"]
    finally:
        store.close()
    wrong = runner.invoke(app, ["import", str(path), "--map", "colour=Words"])
    assert wrong.exit_code == 2 and "unknown field 'colour'" in wrong.output
