"""The Mentions search with its trigram indexes (migration 0006) on SQLite and PostgreSQL.

The index may only make the search faster: every test compares what
``search_mentions`` finds with a plain Python substring match over the same texts
(ASCII case folded, as SQLite's ``lower()``), computed here independently, on both
ways SQLite runs a search (few candidates from the index, or a common word) and
after texts change.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import text

from hubbub.model import Batch, Mention, Post
from hubbub.store import Store, mention_search, upsert_workspace, write_batch
from hubbub.store.engine import alembic_config
from hubbub.store.mention_search import MentionFilters, search_mentions
from tests.store.helpers import make_post, make_workspace, match_streams

# every text is matched by a stream (the "asheville" locale word), so each is a mention
TEXTS = (
    "Sourdough in Asheville, the best",
    "SOURDOUGH again in asheville",
    "croissant and coffee in asheville",
    "100% rye in Asheville, no_wheat here",
    "1000 rye loaves, asheville",
    "Café au lait in asheville",
    "a/b testing sourdough in asheville",
    "ab in asheville",
    "nothing special in asheville",
    "crois-sant in asheville",
)


def _ascii_lower(value: str) -> str:
    return "".join(c.lower() if c.isascii() else c for c in value)


def expected(texts: list[str], query: str) -> list[str]:
    """Texts holding every word of ``query`` (ASCII case folded), newest first."""
    words = query.split()
    found = [t for t in texts if all(_ascii_lower(w) in _ascii_lower(t) for w in words)]
    return list(reversed(found))  # make_post(i) is i minutes after T0


def fill(store: Store, texts: tuple[str, ...] | list[str]) -> tuple[int, list[Mention]]:
    ws = make_workspace()
    posts: list[Post] = [make_post(i, t) for i, t in enumerate(texts)]
    found = match_streams(posts, ws)
    assert len(found) == len(texts)
    with store.begin() as conn:
        ws_id = upsert_workspace(conn, ws)
        write_batch(conn, ws_id, Batch("test", posts), found)
    return ws_id, found


def found_texts(store: Store, ws_id: int, query: str) -> list[str]:
    with store.connect() as conn:
        page = search_mentions(conn, ws_id, MentionFilters(text=query), count_limit=None)
    assert page.total == len(page.rows)
    return [r.text for r in page.rows]


QUERIES = (
    "sourdough",
    "Sourdough asheville",
    "rye",
    "100%",
    "no_wheat",
    "o_w",
    "a/b",
    "ab",
    "b",
    "café",
    "CROISSANT",
    "crois",
    "zzz-not-there",
    "sourdough zzz-not-there",
)


@pytest.mark.parametrize("common", [False, True], ids=["few-candidates", "common-word"])
def test_search_finds_exactly_what_a_scan_finds(
    store: Store, monkeypatch: pytest.MonkeyPatch, common: bool
) -> None:
    if common:  # every word counts as common: the search walks the newest mentions
        monkeypatch.setattr(mention_search, "FEW_CANDIDATES", 0)
    ws_id, _ = fill(store, TEXTS)
    for query in QUERIES:
        assert found_texts(store, ws_id, query) == expected(list(TEXTS), query), query


def test_sqlite_has_the_trigram_index_and_postgresql_the_gin_index(store: Store) -> None:
    with store.connect() as conn:
        if store.dialect == "sqlite":
            names = conn.execute(
                text("SELECT name FROM sqlite_master WHERE name LIKE 'posts_fts%'")
            ).scalars()
            assert {"posts_fts", "posts_fts_insert", "posts_fts_update", "posts_fts_delete"} <= set(
                names
            )
        else:
            found = conn.execute(
                text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_posts_text_trgm'")
            ).scalar_one()
            assert "gin_trgm_ops" in found


def test_a_changed_text_is_found_by_its_new_words_only(store: Store) -> None:
    ws_id, found = fill(store, TEXTS[:3])
    ws = make_workspace()
    post = found[0].post
    edited = make_post(0, "Rye bread in asheville, edited")
    assert edited.key == post.key
    with store.begin() as conn:
        write_batch(conn, ws_id, Batch("test", [edited]), match_streams([edited], ws))
    texts = ["Rye bread in asheville, edited", *TEXTS[1:3]]
    for query in ("edited", "the best", "sourdough", "asheville"):
        assert found_texts(store, ws_id, query) == expected(texts, query), query


def test_the_same_text_written_again_keeps_one_index_entry(store: Store) -> None:
    ws_id, found = fill(store, TEXTS[:2])
    with store.begin() as conn:
        write_batch(conn, ws_id, Batch("test", [m.post for m in found]), found)
    assert found_texts(store, ws_id, "sourdough") == expected(list(TEXTS[:2]), "sourdough")
    if store.dialect == "sqlite":
        with store.connect() as conn:  # FTS5 checks its index against the posts table
            conn.execute(
                text("INSERT INTO posts_fts(posts_fts, rank) VALUES ('integrity-check', 1)")
            )


def test_the_search_is_limited_to_the_workspace_and_counts_are_capped(store: Store) -> None:
    ws_id, _ = fill(store, [f"sourdough {i} in asheville" for i in range(12)])
    with store.begin() as conn:
        other = make_workspace("other")
        other_id = upsert_workspace(conn, other)
        posts = [make_post(100 + i, f"sourdough other {i} in asheville") for i in range(3)]
        write_batch(conn, other_id, Batch("test", posts), match_streams(posts, other))
    with store.connect() as conn:
        page = search_mentions(
            conn, ws_id, MentionFilters(text="sourdough"), limit=5, count_limit=10
        )
        assert (page.total, page.more, len(page.rows)) == (10, True, 5)
        assert all("other" not in r.text for r in page.rows)
        since = make_post(5).created
        page = search_mentions(
            conn,
            ws_id,
            MentionFilters(text="sourdough", since=since, until=since + timedelta(minutes=3)),
        )
        assert [r.text for r in page.rows] == [f"sourdough {i} in asheville" for i in (7, 6, 5)]


def test_posts_stored_before_migration_0006_are_searchable(tmp_path: object) -> None:
    """Stored at head, taken back to 0005 (no index, no link copies) and up again:
    0006 indexes the posts that are there and fills the links' copies."""
    url = f"sqlite:///{tmp_path}/old.db"
    with Store.open(url) as store:
        ws_id, _ = fill(store, TEXTS)
        with store.begin() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0005")
            command.upgrade(cfg, "head")
        with store.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM posts_fts")).scalar_one() == len(TEXTS)
            missing = conn.execute(
                text("SELECT count(*) FROM mention_streams WHERE created IS NULL")
            ).scalar_one()
            assert missing == 0
        for query in ("sourdough", "rye", "café"):
            assert found_texts(store, ws_id, query) == expected(list(TEXTS), query), query


def test_downgrade_removes_the_search_index(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/down.db"
    with Store.open(url) as store:
        with store.begin() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0005")
        with store.connect() as conn:
            left = conn.execute(
                text("SELECT count(*) FROM sqlite_master WHERE name LIKE 'posts_fts%'")
            ).scalar_one()
            assert left == 0
            names = conn.execute(
                text("SELECT name FROM sqlite_master WHERE tbl_name = 'mentions'")
            ).scalars()
            assert "ix_mentions_workspace_created" in set(names)
