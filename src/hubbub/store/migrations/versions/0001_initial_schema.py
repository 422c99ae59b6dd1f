"""initial schema

Revision ID: 0001
Revises:
Create Date: 2025-01-01

Every table of hubbub's first schema (see hubbub.store.tables). Datetime columns
are DateTime(timezone=True) here; the UtcDateTime decorator adds no DDL of its own.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network", sa.String(length=16), nullable=False),
        sa.Column("native_id", sa.String(length=300), nullable=False),
        sa.Column("handle", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=1000), nullable=False),
        sa.Column("bio", sa.Text(), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("followers", sa.Integer(), nullable=True),
        sa.Column("following", sa.Integer(), nullable=True),
        sa.Column("posts", sa.Integer(), nullable=True),
        sa.Column("listed", sa.Integer(), nullable=True),
        sa.Column("created", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verified", sa.Boolean(), nullable=True),
        sa.Column("default_avatar", sa.Boolean(), nullable=True),
        sa.Column("default_profile", sa.Boolean(), nullable=True),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("network", "native_id", name="uq_accounts_network_native_id"),
    )
    op.create_index("ix_accounts_handle", "accounts", ["network", "handle"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=300), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "workspaces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workspaces")),
        sa.UniqueConstraint("slug", name=op.f("uq_workspaces_slug")),
    )
    op.create_table(
        "followers",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("network", sa.String(length=16), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_followers_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_followers_workspace_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("workspace_id", "account_id", name=op.f("pk_followers")),
    )
    op.create_table(
        "memberships",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_memberships_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_memberships_workspace_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("user_id", "workspace_id", name=op.f("pk_memberships")),
    )
    op.create_table(
        "posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network", sa.String(length=16), nullable=False),
        sa.Column("native_id", sa.String(length=300), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("reply_to", sa.String(length=300), nullable=True),
        sa.Column("reply_to_handle", sa.String(length=200), nullable=True),
        sa.Column("quote_of", sa.String(length=300), nullable=True),
        sa.Column("repost_of", sa.String(length=300), nullable=True),
        sa.Column("conversation_id", sa.String(length=300), nullable=True),
        sa.Column("entities", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("likes", sa.Integer(), nullable=True),
        sa.Column("reposts", sa.Integer(), nullable=True),
        sa.Column("replies", sa.Integer(), nullable=True),
        sa.Column("quotes", sa.Integer(), nullable=True),
        sa.Column("impressions", sa.Integer(), nullable=True),
        sa.Column("place", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("client", sa.String(length=200), nullable=False),
        sa.Column("media", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("raw", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("source_url", sa.String(length=2000), nullable=False),
        sa.Column("retrieved", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_posts_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posts")),
        sa.UniqueConstraint("network", "native_id", name="uq_posts_network_native_id"),
    )
    op.create_index("ix_posts_account_id", "posts", ["account_id"], unique=False)
    op.create_index("ix_posts_created", "posts", ["created"], unique=False)

    op.create_table(
        "source_cursors",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("cursor", sa.Text(), nullable=True),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_source_cursors_workspace_id_workspaces"),
        ),
        sa.PrimaryKeyConstraint("workspace_id", "source", name=op.f("pk_source_cursors")),
    )
    op.create_table(
        "streams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_streams_workspace_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_streams")),
        sa.UniqueConstraint("workspace_id", "name", name="uq_streams_workspace_id_name"),
    )
    op.create_table(
        "web_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_web_sessions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_web_sessions")),
    )
    op.create_table(
        "mentions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("network", sa.String(length=16), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("sentiment_label", sa.String(length=16), nullable=False),
        sa.Column("sentiment_score", sa.Float(), nullable=False),
        sa.Column("intents", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("post_type", sa.String(length=16), nullable=False),
        sa.Column("relationship", sa.String(length=16), nullable=False),
        sa.Column("in_locale", sa.Boolean(), nullable=True),
        sa.Column("reach", sa.Integer(), nullable=False),
        sa.Column("engagement", sa.Integer(), nullable=False),
        sa.Column("insight", sa.JSON(), nullable=False),
        sa.Column("processed", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["accounts.id"], name=op.f("fk_mentions_author_id_accounts")
        ),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], name=op.f("fk_mentions_post_id_posts")),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_mentions_workspace_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentions")),
        sa.UniqueConstraint("workspace_id", "post_id", name="uq_mentions_workspace_id_post_id"),
    )
    op.create_index("ix_mentions_author", "mentions", ["workspace_id", "author_id"], unique=False)
    op.create_index(
        "ix_mentions_workspace_created",
        "mentions",
        ["workspace_id", "created", "sentiment_label", "author_id", "reach"],
        unique=False,
    )

    op.create_table(
        "mention_streams",
        sa.Column("mention_id", sa.Integer(), nullable=False),
        sa.Column("stream_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["mention_id"], ["mentions.id"], name=op.f("fk_mention_streams_mention_id_mentions")
        ),
        sa.ForeignKeyConstraint(
            ["stream_id"], ["streams.id"], name=op.f("fk_mention_streams_stream_id_streams")
        ),
        sa.PrimaryKeyConstraint("mention_id", "stream_id", name=op.f("pk_mention_streams")),
    )
    op.create_index("ix_mention_streams_stream_id", "mention_streams", ["stream_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_mention_streams_stream_id", table_name="mention_streams")

    op.drop_table("mention_streams")
    op.drop_index("ix_mentions_workspace_created", table_name="mentions")
    op.drop_index("ix_mentions_author", table_name="mentions")

    op.drop_table("mentions")
    op.drop_table("web_sessions")
    op.drop_table("streams")
    op.drop_table("source_cursors")
    op.drop_index("ix_posts_created", table_name="posts")
    op.drop_index("ix_posts_account_id", table_name="posts")

    op.drop_table("posts")
    op.drop_table("memberships")
    op.drop_table("followers")
    op.drop_table("workspaces")
    op.drop_table("users")
    op.drop_index("ix_accounts_handle", table_name="accounts")

    op.drop_table("accounts")
