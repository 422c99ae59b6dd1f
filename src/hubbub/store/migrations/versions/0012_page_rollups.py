"""page speed: rollups per hour, day and month, tags, and two indexes for a million mentions

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05

Measured with bench/pages.py (issue 4); see hubbub.store.rollups for the design:

- ``mention_hours``: per workspace, UTC hour and stream (0: every mention once) the
  mentions, their positive and negative part, reach, engagement and impressions. The
  Overview's mentions per stream and day, its sentiment split, the Insight page's totals
  and hour-of-week heatmap, and the Streams page's counts sum these rows instead of
  reading every mention of the window.
- ``mention_facets`` and ``mention_facet_hours``: per workspace, UTC day (and hour),
  facet and value (network, post type, language, relationship, in-locale, intent,
  authenticity, media, hashtag, product, town, client app) the mentions with their
  positive and negative part: the Insight page's answers over the whole window (the
  hours serve a window's part-days), where hashtags, products, towns and client apps
  used to be tallied on a sample of the newest 5,000 mentions; and the Mentions page's
  count for a filter on one of them.
- ``mention_authors``: per workspace, UTC month and author the mentions (the business's
  own left out), ranked by an index: the Overview's top authors of a long window.
- ``mention_tags``: one row per mention and hashtag, product, town or client app, keyed
  by value then time, for the Mentions page's filters on them.
- ``ix_mentions_author`` gains the time, relationship, reach and engagement: an
  author's mentions of a window, newest first and with their figures, from the index
  alone (the author filter, the top authors' exact figures); ``ix_mentions_reach``
  serves the Insight page's authors by reach.

The write path keeps the rollups in the batch's transaction; this migration fills them
for the mentions already stored with :func:`hubbub.store.rollups.rebuild`, the same
recount the tests hold the write path to (about 3.5 minutes per million mentions on
SQLite on a shared 2-core machine: bench/pages.py prints it). It uses the rollups
module as it is when it runs: a later migration that changes the rollups recounts them
with its own version.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from hubbub.store.rollups import rebuild

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AUTHOR_COLUMNS = ["workspace_id", "author_id", "created", "relationship", "reach", "engagement"]
REACH_COLUMNS = ["workspace_id", "reach", "created", "author_id", "relationship"]


def upgrade() -> None:
    op.create_table(
        "mention_hours",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stream_id", sa.Integer(), nullable=False),
        sa.Column("mentions", sa.Integer(), nullable=False),
        sa.Column("positive", sa.Integer(), nullable=False),
        sa.Column("negative", sa.Integer(), nullable=False),
        sa.Column("reach", sa.BigInteger(), nullable=False),
        sa.Column("engagement", sa.BigInteger(), nullable=False),
        sa.Column("impressions", sa.BigInteger(), nullable=False),
        sa.Column("with_impressions", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_mention_hours_workspace_id_workspaces"),
        ),
        sa.PrimaryKeyConstraint("workspace_id", "hour", "stream_id", name=op.f("pk_mention_hours")),
    )
    op.create_table(
        "mention_facets",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.DateTime(timezone=True), nullable=False),
        sa.Column("facet", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("mentions", sa.Integer(), nullable=False),
        sa.Column("positive", sa.Integer(), nullable=False),
        sa.Column("negative", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_mention_facets_workspace_id_workspaces"),
        ),
        sa.PrimaryKeyConstraint(
            "workspace_id", "day", "facet", "value", name=op.f("pk_mention_facets")
        ),
    )
    op.create_table(
        "mention_facet_hours",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("facet", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("mentions", sa.Integer(), nullable=False),
        sa.Column("positive", sa.Integer(), nullable=False),
        sa.Column("negative", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_mention_facet_hours_workspace_id_workspaces"),
        ),
        sa.PrimaryKeyConstraint(
            "workspace_id", "hour", "facet", "value", name=op.f("pk_mention_facet_hours")
        ),
    )
    op.create_table(
        "mention_authors",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("mentions", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["accounts.id"], name=op.f("fk_mention_authors_author_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_mention_authors_workspace_id_workspaces"),
        ),
        sa.PrimaryKeyConstraint(
            "workspace_id", "month", "author_id", name=op.f("pk_mention_authors")
        ),
    )
    op.create_index(
        "ix_mention_authors_rank",
        "mention_authors",
        ["workspace_id", "month", "mentions"],
        unique=False,
    )
    op.create_table(
        "mention_tags",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("mention_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["mention_id"], ["mentions.id"], name=op.f("fk_mention_tags_mention_id_mentions")
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_mention_tags_workspace_id_workspaces"),
        ),
        sa.PrimaryKeyConstraint(
            "workspace_id", "kind", "value", "created", "mention_id", name=op.f("pk_mention_tags")
        ),
    )
    op.create_index("ix_mention_tags_mention_id", "mention_tags", ["mention_id"], unique=False)
    op.drop_index("ix_mentions_author", table_name="mentions")
    op.create_index("ix_mentions_author", "mentions", AUTHOR_COLUMNS, unique=False)
    op.create_index("ix_mentions_reach", "mentions", REACH_COLUMNS, unique=False)
    rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_mentions_reach", table_name="mentions")
    op.drop_index("ix_mentions_author", table_name="mentions")
    op.create_index("ix_mentions_author", "mentions", ["workspace_id", "author_id"], unique=False)
    op.drop_index("ix_mention_tags_mention_id", table_name="mention_tags")
    op.drop_table("mention_tags")
    op.drop_index("ix_mention_authors_rank", table_name="mention_authors")
    op.drop_table("mention_authors")
    op.drop_table("mention_facet_hours")
    op.drop_table("mention_facets")
    op.drop_table("mention_hours")
