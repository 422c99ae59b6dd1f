"""indexes and full-text search for the pages at a million mentions

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25

Measured with bench/pages.py (issue 4):

- ``ix_mentions_window`` replaces ``ix_mentions_workspace_created`` with two more
  columns (engagement, relationship), so the Overview's top authors is read from
  the index alone like its other aggregates, instead of visiting ~80,000 table rows
  (each with its insight JSON) for a 30-day window.
- ``mention_streams`` gets copies of its mention's ``workspace_id`` and ``created``
  (filled by triggers, so a writer that leaves them out still gets them right, and
  moved along when a mention's time changes) and an index on (workspace_id, created,
  stream_id): the Overview's mentions per stream per day read one index range
  instead of a join per mention. (An index on (stream_id, created) was tried and
  left out: with one workspace SQLite's statistics made it prefer that index with a
  skip-scan over the window index, three times slower.)
- ``ix_inbox_items_workspace_created`` serves the Inbox's response times (the items
  of the last 30 days, which scanned every item) from the index alone, and
  ``ix_inbox_items_workspace_state`` gains ``created``: the open items' current
  priority (stored part plus age) and the count per state with the overdue ones
  come from the index alone.
- Text search on the Mentions page keeps its meaning (a case-insensitive substring
  of the post's text) and gets an index that answers substrings: on SQLite an
  FTS5 table with the trigram tokenizer over ``posts.text`` (external content,
  kept in sync by triggers, so every writer, the bulk ones included, keeps it
  right); on PostgreSQL a pg_trgm GIN index on ``text`` (it serves ``ILIKE``, which
  ``icontains`` compiles to there). Where the SQLite
  build lacks FTS5's trigram tokenizer (before 3.34) or pg_trgm cannot be created,
  nothing is created and the search scans as before
  (:mod:`hubbub.store.mention_search` checks).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WINDOW_COLUMNS = [
    "workspace_id",
    "created",
    "sentiment_label",
    "author_id",
    "reach",
    "engagement",
    "relationship",
]
INBOX_TIMES_COLUMNS = [
    "workspace_id",
    "created",
    "state",
    "assignee_id",
    "first_response",
    "first_responder_id",
    "resolved",
    "resolver_id",
]
OLD_WINDOW_COLUMNS = ["workspace_id", "created", "sentiment_label", "author_id", "reach"]

# mention_streams carries its mention's workspace and time, so the Overview's mentions per
# stream per day and the Mentions page's stream filter read one index, not a join per
# mention. Triggers keep the copy right for every writer (one that leaves the columns
# out gets them filled; a mention whose time changes moves its links along).
SQLITE_LINK_TRIGGERS = [
    "CREATE TRIGGER mention_streams_fill AFTER INSERT ON mention_streams "
    "WHEN new.workspace_id IS NULL OR new.created IS NULL BEGIN "
    "UPDATE mention_streams SET "
    "workspace_id = (SELECT workspace_id FROM mentions WHERE id = new.mention_id), "
    "created = (SELECT created FROM mentions WHERE id = new.mention_id) "
    "WHERE mention_id = new.mention_id AND stream_id = new.stream_id; END",
    "CREATE TRIGGER mentions_created_links AFTER UPDATE OF created ON mentions "
    "WHEN old.created IS NOT new.created BEGIN "
    "UPDATE mention_streams SET created = new.created WHERE mention_id = new.id; END",
]
PG_LINK_TRIGGERS = [
    "CREATE FUNCTION hubbub_mention_streams_fill() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN IF NEW.workspace_id IS NULL OR NEW.created IS NULL THEN "
    "SELECT m.workspace_id, m.created INTO NEW.workspace_id, NEW.created "
    "FROM mentions m WHERE m.id = NEW.mention_id; END IF; RETURN NEW; END $$",
    "CREATE TRIGGER mention_streams_fill BEFORE INSERT ON mention_streams "
    "FOR EACH ROW EXECUTE FUNCTION hubbub_mention_streams_fill()",
    "CREATE FUNCTION hubbub_mentions_created_links() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN UPDATE mention_streams SET created = NEW.created WHERE mention_id = NEW.id; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER mentions_created_links AFTER UPDATE OF created ON mentions "
    "FOR EACH ROW WHEN (OLD.created IS DISTINCT FROM NEW.created) "
    "EXECUTE FUNCTION hubbub_mentions_created_links()",
]
LINK_BACKFILL = (
    "UPDATE mention_streams SET "
    "workspace_id = (SELECT workspace_id FROM mentions WHERE mentions.id = mention_id), "
    "created = (SELECT created FROM mentions WHERE mentions.id = mention_id)"
)

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE posts_fts USING fts5("
    "text, content='posts', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN "
    "INSERT INTO posts_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN "
    "INSERT INTO posts_fts(posts_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    # an upsert sets text on every re-sighting: only a real change touches the index
    "CREATE TRIGGER posts_fts_update AFTER UPDATE OF text ON posts "
    "WHEN old.text IS NOT new.text BEGIN "
    "INSERT INTO posts_fts(posts_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO posts_fts(rowid, text) VALUES (new.id, new.text); END",
    "INSERT INTO posts_fts(posts_fts) VALUES ('rebuild')",
]
SQLITE_FTS_DROP = [
    "DROP TRIGGER IF EXISTS posts_fts_update",
    "DROP TRIGGER IF EXISTS posts_fts_delete",
    "DROP TRIGGER IF EXISTS posts_fts_insert",
    "DROP TABLE IF EXISTS posts_fts",
]


def _sqlite_has_trigram() -> bool:
    try:
        version = op.get_bind().exec_driver_sql("SELECT sqlite_version()").scalar_one()
        parts = tuple(int(p) for p in str(version).split(".")[:2])
        if parts < (3, 34):
            return False
        options = {
            str(r[0]).upper() for r in op.get_bind().exec_driver_sql("PRAGMA compile_options").all()
        }
    except DBAPIError:
        return False
    return "ENABLE_FTS5" in options


def upgrade() -> None:
    op.drop_index("ix_mentions_workspace_created", table_name="mentions")
    op.create_index("ix_mentions_window", "mentions", WINDOW_COLUMNS, unique=False)
    # the Inbox's response times read the items of the last 30 days
    op.create_index(
        "ix_inbox_items_workspace_created", "inbox_items", INBOX_TIMES_COLUMNS, unique=False
    )
    op.drop_index("ix_inbox_items_workspace_state", table_name="inbox_items")
    op.create_index(
        "ix_inbox_items_workspace_state",
        "inbox_items",
        ["workspace_id", "state", "priority", "created"],
        unique=False,
    )
    op.add_column("mention_streams", sa.Column("workspace_id", sa.Integer(), nullable=True))
    op.add_column(
        "mention_streams", sa.Column("created", sa.DateTime(timezone=True), nullable=True)
    )
    bind = op.get_bind()
    bind.execute(text(LINK_BACKFILL))
    for statement in SQLITE_LINK_TRIGGERS if bind.dialect.name == "sqlite" else PG_LINK_TRIGGERS:
        bind.execute(text(statement))
    op.create_index(
        "ix_mention_streams_window",
        "mention_streams",
        ["workspace_id", "created", "stream_id"],
        unique=False,
    )
    if bind.dialect.name == "sqlite":
        if _sqlite_has_trigram():
            for statement in SQLITE_FTS:
                bind.exec_driver_sql(statement)
    elif bind.dialect.name == "postgresql":
        # a savepoint: without the right to create the extension, search still works
        with bind.begin_nested() as nested:
            try:
                bind.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
            except DBAPIError:
                nested.rollback()
                return
        bind.execute(
            text(
                "CREATE INDEX IF NOT EXISTS ix_posts_text_trgm ON posts "
                "USING gin (text gin_trgm_ops)"
            )
        )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_FTS_DROP:
            bind.exec_driver_sql(statement)
        bind.execute(text("DROP TRIGGER IF EXISTS mention_streams_fill"))
        bind.execute(text("DROP TRIGGER IF EXISTS mentions_created_links"))
    elif bind.dialect.name == "postgresql":
        bind.execute(text("DROP INDEX IF EXISTS ix_posts_text_trgm"))
        bind.execute(text("DROP TRIGGER IF EXISTS mention_streams_fill ON mention_streams"))
        bind.execute(text("DROP TRIGGER IF EXISTS mentions_created_links ON mentions"))
        bind.execute(text("DROP FUNCTION IF EXISTS hubbub_mention_streams_fill()"))
        bind.execute(text("DROP FUNCTION IF EXISTS hubbub_mentions_created_links()"))
    op.drop_index("ix_mention_streams_window", table_name="mention_streams")
    with op.batch_alter_table("mention_streams") as batch:
        batch.drop_column("created")
        batch.drop_column("workspace_id")
    op.drop_index("ix_inbox_items_workspace_created", table_name="inbox_items")
    op.drop_index("ix_inbox_items_workspace_state", table_name="inbox_items")
    op.create_index(
        "ix_inbox_items_workspace_state",
        "inbox_items",
        ["workspace_id", "state", "priority"],
        unique=False,
    )
    op.drop_index("ix_mentions_window", table_name="mentions")
    op.create_index("ix_mentions_workspace_created", "mentions", OLD_WINDOW_COLUMNS, unique=False)
