"""The backfill matches with the stored streams, the web's too, read once on the client.

Runs in this process (``client=None``): the streams travel inside the workspace that
``run_partition`` gets, the same object a Dask worker would be sent.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlalchemy import select

from hubbub.scale.backfill import backfill
from hubbub.store import upsert_workspace
from hubbub.store.streams import create_stream
from hubbub.store.tables import mention_streams, mentions, posts
from tests.scale.helpers import write_jsonl
from tests.store.helpers import Databases, make_post, make_workspace
from tests.store.helpers import db as db
from tests.store.helpers import pg_databases as pg_databases
from tests.store.helpers import pg_url as pg_url

TEXTS = {
    "1000": "Spring market this Saturday",  # the web stream only
    "1001": "sourdough for the market",  # Industry and the web stream
    "1002": "croissant morning",  # Industry only
    "1003": "nothing here",  # none
}


def test_backfill_matches_a_stream_made_in_the_web(tmp_path: Path, db: Databases) -> None:
    ws = make_workspace()
    archive = write_jsonl(
        tmp_path / "posts.jsonl",
        [replace(make_post(int(i) - 1000, t), entities=None) for i, t in TEXTS.items()],
    )
    store = db.open()
    try:
        with store.begin() as conn:
            ws_id = upsert_workspace(conn, ws)
            sid = create_stream(conn, ws_id, "Market", "market", "event")
        report = backfill([archive], ws, store=store)  # ws from the file: no "Market"
        assert report.failed == 0 and report.posts == len(TEXTS)
        with store.connect() as conn:
            linked = {
                r.native_id
                for r in conn.execute(
                    select(posts.c.native_id)
                    .join(mentions, mentions.c.post_id == posts.c.id)
                    .join(mention_streams, mention_streams.c.mention_id == mentions.c.id)
                    .where(mention_streams.c.stream_id == sid)
                )
            }
            mentioned = set(
                conn.execute(
                    select(posts.c.native_id).join(mentions, mentions.c.post_id == posts.c.id)
                ).scalars()
            )
    finally:
        store.close()
    assert linked == {"1000", "1001"}
    assert mentioned == {"1000", "1001", "1002"}
