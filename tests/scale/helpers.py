"""Small archives from the demo world, and the stored mentions in a comparable form."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import text

from hubbub import codec
from hubbub.model import Post, Workspace
from hubbub.sources.demo import generate_world
from hubbub.store import Store
from hubbub.workspace import example_path, load_workspace

END = datetime(2026, 3, 1, tzinfo=UTC)


@cache
def bakery() -> Workspace:
    return load_workspace(example_path())


def demo_posts(days: int = 3) -> list[Post]:
    """The demo world's posts (about 350 a day, most of them mentions)."""
    return generate_world(bakery(), seed=7, days=days, end=END).posts


def post_line(post: Post) -> str:
    return json.dumps(codec.to_dict(post), ensure_ascii=False)


def write_jsonl(path: Path, posts: list[Post], *, gz: bool = False) -> Path:
    data = "".join(post_line(p) + "\n" for p in posts).encode()
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


MENTIONS_SQL = """
SELECT p.network, p.native_id, p.text, p.entities, p.created, a.handle,
       m.sentiment_label, m.sentiment_score, m.intents, m.relationship, m.in_locale,
       m.reach, m.engagement, m.insight,
       (SELECT {agg} FROM (
            SELECT s.name FROM mention_streams ms JOIN streams s ON s.id = ms.stream_id
            WHERE ms.mention_id = m.id ORDER BY s.name) s) AS streams
FROM mentions m JOIN posts p ON p.id = m.post_id JOIN accounts a ON a.id = p.account_id
"""


def stored_mentions(store: Store) -> list[tuple[Any, ...]]:
    """Every stored mention as a sorted, comparable tuple (compare within one database kind)."""
    with store.connect() as conn:
        pg = conn.dialect.name == "postgresql"
        agg = "string_agg(s.name, '|' ORDER BY s.name)" if pg else "group_concat(s.name, '|')"
        rows = conn.execute(text(MENTIONS_SQL.format(agg=agg))).all()
    return sorted(tuple(str(v) for v in row) for row in rows)


def stored_count(store: Store, table: str) -> int:
    with store.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
