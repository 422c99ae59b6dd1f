"""The database schema as SQLAlchemy Core tables.

Core rather than the ORM because almost every write is a bulk idempotent upsert
(``INSERT ... ON CONFLICT``) and every read is an aggregate for a view; mapped
objects would only be converted back to :mod:`hubbub.model` dataclasses.
Datetime columns are :class:`~hubbub.store.types.UtcDateTime` (aware UTC on both
databases); ``posts.entities`` holds :func:`~hubbub.store.types.entities_to_json`.
The same tables serve SQLite and PostgreSQL; Alembic migrations in
``store/migrations`` create and evolve them.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from hubbub.store.types import UtcDateTime

__all__ = [
    "accounts",
    "api_usage",
    "audit_log",
    "canned_replies",
    "followers",
    "inbox_items",
    "inbox_notes",
    "memberships",
    "mention_streams",
    "mentions",
    "metadata",
    "posts",
    "source_cursors",
    "streams",
    "users",
    "web_sessions",
    "workspaces",
]

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Lengths are generous on purpose: SQLite ignores them, PostgreSQL enforces them, and
# a post must never fail to store for an id (e.g. a Bluesky AT URI, ~70 characters),
# a display name (Bluesky allows 640) or a URL a few characters longer than expected.

# SQL NULL (not JSON ``null``) for a missing value, so ``IS NULL`` and ``COALESCE`` work.
NullableJSON = JSON(none_as_null=True)

workspaces = Table(
    "workspaces",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("timezone", String(64), nullable=False, default="UTC"),
    Column("config", JSON, nullable=False),  # the Workspace as loaded from hubbub.toml
    Column("created", UtcDateTime, nullable=False),
    Column("updated", UtcDateTime, nullable=False),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("network", String(16), nullable=False),
    Column("native_id", String(300), nullable=False),
    Column("handle", String(200), nullable=False),
    Column("name", String(1000), nullable=False, default=""),
    Column("bio", Text, nullable=False, default=""),
    Column("location", String(200), nullable=False, default=""),
    Column("url", String(2000), nullable=False, default=""),
    Column("followers", Integer),
    Column("following", Integer),
    Column("posts", Integer),
    Column("listed", Integer),
    Column("created", UtcDateTime),
    Column("verified", Boolean),
    Column("default_avatar", Boolean),
    Column("default_profile", Boolean),
    Column("updated", UtcDateTime, nullable=False),
    UniqueConstraint("network", "native_id", name="uq_accounts_network_native_id"),
)
Index("ix_accounts_handle", accounts.c.network, accounts.c.handle)

posts = Table(
    "posts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("network", String(16), nullable=False),
    Column("native_id", String(300), nullable=False),
    Column("account_id", Integer, ForeignKey("accounts.id"), nullable=False),
    Column("text", Text, nullable=False),
    Column("created", UtcDateTime, nullable=False),
    Column("language", String(16)),
    Column("url", String(2000), nullable=False, default=""),
    Column("reply_to", String(300)),
    Column("reply_to_handle", String(200)),
    Column("quote_of", String(300)),
    Column("repost_of", String(300)),
    Column("conversation_id", String(300)),
    # {"hashtags": [[text, start, end], ...], ..., "reply": str|None}: types.entities_to_json
    Column("entities", NullableJSON),
    Column("likes", Integer),
    Column("reposts", Integer),
    Column("replies", Integer),
    Column("quotes", Integer),
    Column("impressions", Integer),
    Column("place", NullableJSON),  # codec.to_dict(Place)
    Column("client", String(200), nullable=False, default=""),
    Column("media", NullableJSON),  # [codec.to_dict(Media), ...]
    Column("raw", NullableJSON),  # the payload exactly as the network gave it
    Column("source", String(200), nullable=False, default=""),  # provenance
    Column("source_url", String(2000), nullable=False, default=""),
    Column("retrieved", UtcDateTime),
    UniqueConstraint("network", "native_id", name="uq_posts_network_native_id"),
)
Index("ix_posts_account_id", posts.c.account_id)
Index("ix_posts_created", posts.c.created)
Index("ix_posts_conversation", posts.c.network, posts.c.conversation_id)  # inbox threads

streams = Table(
    "streams",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", Integer, ForeignKey("workspaces.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("query", Text, nullable=False),
    Column("paused", Boolean, nullable=False, default=False),
    Column("created", UtcDateTime, nullable=False),
    UniqueConstraint("workspace_id", "name", name="uq_streams_workspace_id_name"),
)

mentions = Table(
    "mentions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", Integer, ForeignKey("workspaces.id"), nullable=False),
    Column("post_id", Integer, ForeignKey("posts.id"), nullable=False),
    Column("created", UtcDateTime, nullable=False),  # the post's time, for time-range scans
    Column("network", String(16), nullable=False),
    Column("author_id", Integer, ForeignKey("accounts.id"), nullable=False),
    Column("sentiment_label", String(16), nullable=False),
    Column("sentiment_score", Float, nullable=False),
    Column("intents", JSON, nullable=False),  # list of intent labels
    Column("language", String(16)),
    Column("post_type", String(16), nullable=False),
    Column("relationship", String(16), nullable=False),
    Column("in_locale", Boolean),
    Column("reach", Integer, nullable=False, default=0),
    Column("engagement", Integer, nullable=False, default=0),
    Column("insight", JSON, nullable=False),  # the whole Insight, for detail views
    Column("processed", UtcDateTime, nullable=False),
    UniqueConstraint("workspace_id", "post_id", name="uq_mentions_workspace_id_post_id"),
)
# Covers the Overview's scans of a time window (sentiment split, top authors) without
# touching the table itself; its (workspace_id, created) prefix serves time ranges.
Index(
    "ix_mentions_workspace_created",
    mentions.c.workspace_id,
    mentions.c.created,
    mentions.c.sentiment_label,
    mentions.c.author_id,
    mentions.c.reach,
)
Index("ix_mentions_author", mentions.c.workspace_id, mentions.c.author_id)

mention_streams = Table(
    "mention_streams",
    metadata,
    Column("mention_id", Integer, ForeignKey("mentions.id"), primary_key=True),
    Column("stream_id", Integer, ForeignKey("streams.id"), primary_key=True),
)
Index("ix_mention_streams_stream_id", mention_streams.c.stream_id)

source_cursors = Table(
    "source_cursors",
    metadata,
    Column("workspace_id", Integer, ForeignKey("workspaces.id"), primary_key=True),
    Column("source", String(200), primary_key=True),
    Column("cursor", Text),
    Column("updated", UtcDateTime, nullable=False),
)

followers = Table(
    "followers",
    metadata,
    Column("workspace_id", Integer, ForeignKey("workspaces.id"), primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id"), primary_key=True),
    Column("network", String(16), nullable=False),
    Column("first_seen", UtcDateTime, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(200), nullable=False, unique=True),
    Column("name", String(200), nullable=False, default=""),
    Column("password_hash", String(300), nullable=False),
    Column("created", UtcDateTime, nullable=False),
)

memberships = Table(
    "memberships",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id"), primary_key=True),
    Column("workspace_id", Integer, ForeignKey("workspaces.id"), primary_key=True),
    Column("role", String(16), nullable=False),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),  # sha256 of the cookie value
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created", UtcDateTime, nullable=False),
    Column("expires", UtcDateTime, nullable=False),
)

# --- metered network APIs (migration 0002) ------------------------------------------------

# Posts read and written per network and calendar month (UTC, "YYYY-MM"): X bills per
# post, so hubbub shows the month's estimated cost and stops at the user's cap.
api_usage = Table(
    "api_usage",
    metadata,
    Column("network", String(16), primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("reads", Integer, nullable=False, default=0),
    Column("writes", Integer, nullable=False, default=0),
    Column("updated", UtcDateTime, nullable=False),
)

# --- engage: the inbox (migration 0003) -------------------------------------------------

inbox_items = Table(
    "inbox_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", Integer, ForeignKey("workspaces.id"), nullable=False),
    Column("mention_id", Integer, ForeignKey("mentions.id"), nullable=False, unique=True),
    Column("state", String(16), nullable=False),  # model.INBOX_STATES
    Column("assignee_id", Integer, ForeignKey("users.id")),
    # the time-independent part of the priority; the age part is added when reading
    Column("priority", Float, nullable=False),
    Column("reason", String(200), nullable=False),  # why it needs a person, e.g. "question"
    Column("created", UtcDateTime, nullable=False),  # the post's time: when the wait began
    Column("triaged", UtcDateTime, nullable=False),  # when the item was made
    Column("first_response", UtcDateTime),
    Column("first_responder_id", Integer, ForeignKey("users.id")),
    Column("resolved", UtcDateTime),
    Column("resolver_id", Integer, ForeignKey("users.id")),
    Column("reply_text", Text),
    Column("updated", UtcDateTime, nullable=False),
)
Index(
    "ix_inbox_items_workspace_state",
    inbox_items.c.workspace_id,
    inbox_items.c.state,
    inbox_items.c.priority,
)

inbox_notes = Table(
    "inbox_notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("item_id", Integer, ForeignKey("inbox_items.id"), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id")),
    Column("text", Text, nullable=False),
    Column("created", UtcDateTime, nullable=False),
)
Index("ix_inbox_notes_item_id", inbox_notes.c.item_id)

canned_replies = Table(
    "canned_replies",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", Integer, ForeignKey("workspaces.id"), nullable=False),
    Column("title", String(200), nullable=False),
    Column("text", Text, nullable=False),
    Column("created", UtcDateTime, nullable=False),
    UniqueConstraint("workspace_id", "title", name="uq_canned_replies_workspace_id_title"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", Integer, ForeignKey("workspaces.id"), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id")),  # NULL: hubbub itself (triage)
    Column("action", String(64), nullable=False),  # e.g. inbox.assign, inbox.state
    Column("subject", String(200), nullable=False),  # e.g. inbox_item:42
    Column("detail", JSON, nullable=False),
    Column("created", UtcDateTime, nullable=False),
)
Index("ix_audit_log_workspace_created", audit_log.c.workspace_id, audit_log.c.created)
