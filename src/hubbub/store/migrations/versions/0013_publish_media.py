"""publish: uploaded media for scheduled posts

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05

Images uploaded on the Publish page (issue 6): ``media`` (one row per workspace and
file; the bytes live under HUBBUB_HOME/media by SHA-256), ``post_media`` (a post's
images in order with their alt text), ``media_uploads`` (what each network returned for
an uploaded image, so a retry reuses it) and ``post_attempts`` (a part about to be sent,
so a retry after a crash looks on the network before posting again).

``scheduled_posts.media`` goes: it held file paths typed into the old form, which were
checked but never sent (the publishers took text only). Dropped with a plain
``ALTER TABLE ... DROP COLUMN`` (SQLite 3.35 and later, PostgreSQL), not a batch copy of
the table, which other tables' foreign keys point at.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_POST_FK = ["scheduled_posts.id"]


def upgrade() -> None:
    op.create_table(
        "media",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("mime", sa.String(length=32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("animated", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_media_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_media_workspace_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media")),
        sa.UniqueConstraint("workspace_id", "sha256", name="uq_media_workspace_id"),
    )
    op.create_table(
        "post_media",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("media_id", sa.Integer(), nullable=False),
        sa.Column("alt", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["media_id"], ["media.id"], name=op.f("fk_post_media_media_id_media")
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], _POST_FK, name=op.f("fk_post_media_post_id_scheduled_posts")
        ),
        sa.PrimaryKeyConstraint("post_id", "position", name=op.f("pk_post_media")),
    )
    op.create_table(
        "media_uploads",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("network", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("ref", sa.Text(), nullable=False),
        sa.Column("uploaded", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["post_id"], _POST_FK, name=op.f("fk_media_uploads_post_id_scheduled_posts")
        ),
        sa.PrimaryKeyConstraint("post_id", "network", "position", name=op.f("pk_media_uploads")),
    )
    op.create_table(
        "post_attempts",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("network", sa.String(length=16), nullable=False),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column("started", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], _POST_FK, name=op.f("fk_post_attempts_post_id_scheduled_posts")
        ),
        sa.PrimaryKeyConstraint("post_id", "network", "part", name=op.f("pk_post_attempts")),
    )
    op.execute("ALTER TABLE scheduled_posts DROP COLUMN media")


def downgrade() -> None:
    op.add_column(
        "scheduled_posts",
        sa.Column("media", sa.JSON(), nullable=False, server_default=sa.text("'[]'")),
    )
    op.drop_table("post_attempts")
    op.drop_table("media_uploads")
    op.drop_table("post_media")
    op.drop_table("media")
