"""drafts, scheduled posts, tracked links and clicks

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25

Tables for the publish step (see hubbub.publish and hubbub.store.tables): drafts and
scheduled posts in one table with their state, what each network took per thread
part (so a retry skips it), tracked links with their short codes, and their clicks.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scheduled_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("thread", sa.JSON(), nullable=False),
        sa.Column("networks", sa.JSON(), nullable=False),
        sa.Column("media", sa.JSON(), nullable=False),
        sa.Column("scheduled_for", sa.DateTime(timezone=True), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_try", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("claim_token", sa.String(length=64), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("goal", sa.String(length=32), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("track_links", sa.Boolean(), nullable=False),
        sa.Column("campaign", sa.String(length=200), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_scheduled_posts_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_scheduled_posts_workspace_id_workspaces"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_posts")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_scheduled_posts_idempotency_key")),
    )
    op.create_index(
        "ix_scheduled_posts_state_due", "scheduled_posts", ["state", "scheduled_for"], unique=False
    )
    op.create_index(
        "ix_scheduled_posts_workspace_time",
        "scheduled_posts",
        ["workspace_id", "scheduled_for"],
        unique=False,
    )
    op.create_table(
        "post_deliveries",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("network", sa.String(length=16), nullable=False),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column("native_id", sa.String(length=200), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("published", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["scheduled_posts.id"],
            name=op.f("fk_post_deliveries_post_id_scheduled_posts"),
        ),
        sa.PrimaryKeyConstraint("post_id", "network", "part", name=op.f("pk_post_deliveries")),
    )
    op.create_table(
        "tracked_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("campaign", sa.String(length=200), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("network", sa.String(length=16), nullable=True),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["scheduled_posts.id"],
            name=op.f("fk_tracked_links_post_id_scheduled_posts"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_tracked_links_workspace_id_workspaces"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracked_links")),
        sa.UniqueConstraint("code", name=op.f("uq_tracked_links_code")),
    )
    op.create_index("ix_tracked_links_post_id", "tracked_links", ["post_id"], unique=False)
    op.create_table(
        "link_clicks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("referrer", sa.String(length=500), nullable=False),
        sa.Column("network", sa.String(length=16), nullable=True),
        sa.Column("agent", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["code"], ["tracked_links.code"], name=op.f("fk_link_clicks_code_tracked_links")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_clicks")),
    )
    op.create_index("ix_link_clicks_code_time", "link_clicks", ["code", "time"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_link_clicks_code_time", table_name="link_clicks")
    op.drop_table("link_clicks")
    op.drop_index("ix_tracked_links_post_id", table_name="tracked_links")
    op.drop_table("tracked_links")
    op.drop_table("post_deliveries")
    op.drop_index("ix_scheduled_posts_workspace_time", table_name="scheduled_posts")
    op.drop_index("ix_scheduled_posts_state_due", table_name="scheduled_posts")
    op.drop_table("scheduled_posts")
