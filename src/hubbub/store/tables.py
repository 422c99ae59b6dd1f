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
    BigInteger,
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
    "SEARCH_INDEX_NAMES",
    "accounts",
    "alerts",
    "api_usage",
    "audit_log",
    "audit_reports",
    "canned_replies",
    "digests",
    "followers",
    "inbox_items",
    "inbox_notes",
    "include_name",
    "invitations",
    "is_search_index",
    "leads",
    "link_clicks",
    "login_attempts",
    "media",
    "media_uploads",
    "memberships",
    "mention_authors",
    "mention_facet_hours",
    "mention_facets",
    "mention_hours",
    "mention_streams",
    "mention_tags",
    "mentions",
    "metadata",
    "post_attempts",
    "post_deliveries",
    "post_media",
    "posts",
    "promo_codes",
    "promo_redemptions",
    "scheduled_posts",
    "source_cursors",
    "source_leases",
    "stored_settings",
    "streams",
    "tracked_links",
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
    # --- streams made in the web (migration 0004) ---
    # 'file': follows hubbub.toml (paused when the file drops it); 'web': made on the
    # Streams page or with `hubbub streams add`, left alone by hubbub.toml
    Column("origin", String(8), nullable=False, server_default="file"),
    Column("updated", UtcDateTime, nullable=False),  # the last change of query/name/kind/state
    Column("created_by", Integer, ForeignKey("users.id")),  # who made a web stream
    Column("note", Text, nullable=False, server_default=""),  # why the stream exists
    # --- goals (migration 0011): an event's or campaign's window, [starts, ends) ---
    Column("starts", UtcDateTime),
    Column("ends", UtcDateTime),
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
# the index of a time window, ix_mentions_window, is in the pages section (migration 0006);
# the rest (migration 0012) reads an author's mentions of a window from the index alone:
# the Mentions page's author filter, newest first, and the top authors' exact figures
Index(
    "ix_mentions_author",
    mentions.c.workspace_id,
    mentions.c.author_id,
    mentions.c.created,
    mentions.c.relationship,
    mentions.c.reach,
    mentions.c.engagement,
)

mention_streams = Table(
    "mention_streams",
    metadata,
    Column("mention_id", Integer, ForeignKey("mentions.id"), primary_key=True),
    Column("stream_id", Integer, ForeignKey("streams.id"), primary_key=True),
)
Index("ix_mention_streams_stream_id", mention_streams.c.stream_id)
# the copies of the mention's workspace and time, and their index: migration 0006 (below)

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
    inbox_items.c.created,  # migration 0006: the current priority and "overdue" need it
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

# --- audit: dated reports of the business's own presence (migration 0008) ---------------

# One row per audit run: the window it covers (days, ending at ``created``), its figures
# and recommendations as JSON (hubbub.audit.account.Report.to_json), newest last.
audit_reports = Table(
    "audit_reports",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", Integer, ForeignKey("workspaces.id"), nullable=False),
    Column("created", UtcDateTime, nullable=False),
    Column("window", Integer, nullable=False),  # days
    Column("figures", JSON, nullable=False),
    Column("recommendations", JSON, nullable=False),
)
Index("ix_audit_reports_workspace_created", audit_reports.c.workspace_id, audit_reports.c.created)

# --- team: invitations, login attempts, the settings store (migration 0005) --------------

# An invitation to join a workspace: only the sha256 of its token is kept, so the link
# is shown once and a database backup cannot be used to join.
invitations = Table(
    "invitations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", Integer, ForeignKey("workspaces.id"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("email", String(320), nullable=False, default=""),
    Column("name", String(200), nullable=False, default=""),
    Column("role", String(16), nullable=False),
    Column("created", UtcDateTime, nullable=False),
    Column("created_by", Integer, ForeignKey("users.id")),  # NULL: the command line
    Column("expires", UtcDateTime, nullable=False),
    Column("accepted", UtcDateTime),
    Column("accepted_by", Integer, ForeignKey("users.id")),
    Column("revoked", UtcDateTime),
    Column("revoked_by", Integer, ForeignKey("users.id")),
)
Index("ix_invitations_workspace_id", invitations.c.workspace_id)

# Failed logins per key ("user:NAME" or "ip:ADDRESS") in the current window, and the
# time the key is locked until: in the database so the limit holds across processes.
login_attempts = Table(
    "login_attempts",
    metadata,
    Column("key", String(300), primary_key=True),
    Column("failures", Integer, nullable=False, default=0),
    Column("window_start", UtcDateTime, nullable=False),
    Column("locked_until", UtcDateTime),
)

# Settings kept in the database: workspace_id 0 holds the install's own (network
# credentials, the X read cap), a workspace's id its own (response target, promotion
# share). A secret's value is Fernet ciphertext, never the plain text.
stored_settings = Table(
    "stored_settings",
    metadata,
    Column("workspace_id", Integer, primary_key=True),
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
    Column("secret", Boolean, nullable=False, default=False),
    Column("updated", UtcDateTime, nullable=False),
    Column("updated_by", Integer, ForeignKey("users.id")),
)

# --- publish: drafts, scheduled posts, tracked links (migration 0009) -------------------

# One row per draft or scheduled post; ``state`` moves draft -> scheduled -> publishing ->
# published | failed (see hubbub.publish.scheduler). ``claim_token`` marks the worker that
# holds a post in ``publishing``; ``idempotency_key`` is stable for the post's whole life.
scheduled_posts = Table(
    "scheduled_posts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", Integer, ForeignKey("workspaces.id"), nullable=False),
    Column("text", Text, nullable=False),  # the first (or only) part
    Column("thread", JSON, nullable=False),  # the parts after the first: a list of str
    Column("networks", JSON, nullable=False),  # list of network names
    Column("scheduled_for", UtcDateTime),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_try", UtcDateTime),
    Column("last_error", Text),
    Column("idempotency_key", String(64), nullable=False, unique=True),
    Column("claim_token", String(64)),
    Column("claimed_at", UtcDateTime),
    Column("created_by", Integer, ForeignKey("users.id")),
    Column("goal", String(32)),
    Column("kind", String(16), nullable=False),  # self_promotion, conversation, sharing
    Column("track_links", Boolean, nullable=False, default=True),
    Column("campaign", String(200), nullable=False, default=""),
    Column("created", UtcDateTime, nullable=False),
    Column("updated", UtcDateTime, nullable=False),
)
Index("ix_scheduled_posts_state_due", scheduled_posts.c.state, scheduled_posts.c.scheduled_for)
Index(
    "ix_scheduled_posts_workspace_time",
    scheduled_posts.c.workspace_id,
    scheduled_posts.c.scheduled_for,
)

# What each network took: one row per (post, network, thread part), written as soon as the
# network answers, so a retry skips what is already out.
post_deliveries = Table(
    "post_deliveries",
    metadata,
    Column("post_id", Integer, ForeignKey("scheduled_posts.id"), primary_key=True),
    Column("network", String(16), primary_key=True),
    Column("part", Integer, primary_key=True),
    Column("native_id", String(200), nullable=False),
    Column("url", Text, nullable=False, default=""),
    Column("published", UtcDateTime, nullable=False),
)

tracked_links = Table(
    "tracked_links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(16), nullable=False, unique=True),
    Column("workspace_id", Integer, ForeignKey("workspaces.id"), nullable=False),
    Column("url", Text, nullable=False),  # the destination, with its UTM parameters
    Column("target", Text, nullable=False),  # the URL as the user wrote it
    Column("campaign", String(200), nullable=False, default=""),
    Column("post_id", Integer, ForeignKey("scheduled_posts.id")),
    Column("network", String(16)),
    Column("created", UtcDateTime, nullable=False),
)
Index("ix_tracked_links_post_id", tracked_links.c.post_id)

link_clicks = Table(
    "link_clicks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(16), ForeignKey("tracked_links.code"), nullable=False),
    Column("time", UtcDateTime, nullable=False),
    Column("referrer", String(500), nullable=False, default=""),
    Column("network", String(16)),  # guessed from the referrer's host
    Column("agent", String(16), nullable=False),  # mobile, desktop or other
)
Index("ix_link_clicks_code_time", link_clicks.c.code, link_clicks.c.time)

# --- listen: source leases (migration 0007) ---------------------------------------------

# Which ``hubbub listen`` process runs a workspace's source: one row per (workspace,
# source), held by "host:pid:token" until ``expires`` (renewed every few seconds, taken
# over by another listener only once expired). See hubbub.store.leases.
source_leases = Table(
    "source_leases",
    metadata,
    Column("workspace_id", Integer, ForeignKey("workspaces.id"), primary_key=True),
    Column("source", String(200), primary_key=True),
    Column("holder", String(300), nullable=False),
    Column("acquired", UtcDateTime, nullable=False),
    Column("expires", UtcDateTime, nullable=False),
)

# --- pages at a million mentions (migration 0006) ---------------------------------------

# Covers the Overview's scans of a time window (count, sentiment split, top authors with
# their reach and engagement, the business's own accounts left out) without touching
# the table itself; its (workspace_id, created) prefix serves every time range and the
# newest-first pages.
Index(
    "ix_mentions_window",
    mentions.c.workspace_id,
    mentions.c.created,
    mentions.c.sentiment_label,
    mentions.c.author_id,
    mentions.c.reach,
    mentions.c.engagement,
    mentions.c.relationship,
)

# Each link carries its mention's workspace and time (copies kept right by triggers that
# migration 0006 creates: a writer may leave them out), so the Overview's mentions per
# stream per day read one index, not a join per mention.
mention_streams.append_column(Column("workspace_id", Integer))
mention_streams.append_column(Column("created", UtcDateTime))
Index(
    "ix_mention_streams_window",
    mention_streams.c.workspace_id,
    mention_streams.c.created,
    mention_streams.c.stream_id,
)

# the Inbox's response times read the items of the last 30 days from this index alone
Index(
    "ix_inbox_items_workspace_created",
    inbox_items.c.workspace_id,
    inbox_items.c.created,
    inbox_items.c.state,
    inbox_items.c.assignee_id,
    inbox_items.c.first_response,
    inbox_items.c.first_responder_id,
    inbox_items.c.resolved,
    inbox_items.c.resolver_id,
)

#: Names of the text-search objects that migration 0006 creates with raw DDL, outside
#: this metadata: SQLite's FTS5 table over ``posts.text`` (and the shadow tables FTS5
#: makes for it), PostgreSQL's pg_trgm index. Schema comparisons leave them out.
SEARCH_INDEX_NAMES = ("posts_fts", "ix_posts_text_trgm")


def is_search_index(name: str | None) -> bool:
    """Whether ``name`` is one of :data:`SEARCH_INDEX_NAMES` or an FTS5 shadow table."""
    return name is not None and (name in SEARCH_INDEX_NAMES or name.startswith("posts_fts_"))


def include_name(name: str | None, type_: str, _parents: object) -> bool:
    """An Alembic ``include_name`` hook: compare everything but the search indexes."""
    return not (type_ in ("table", "index") and is_search_index(name))


# --- insight: spikes raised as alerts (migration 0010) ----------------------------------

# One row per spike (hubbub.insight.spikes): a stream's last 24 h above its 7-day
# baseline. Unique per (workspace, stream, kind, window end), and hubbub.alerts also
# skips a spike whose window overlaps an alert already raised for that stream and kind,
# so an hourly check raises one alert per spike, not one per hour.
alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", Integer, ForeignKey("workspaces.id"), nullable=False),
    Column("stream", String(200), nullable=False),
    Column("kind", String(16), nullable=False),  # volume | negative
    Column("window_start", UtcDateTime, nullable=False),
    Column("window_end", UtcDateTime, nullable=False),
    Column("observed", Float, nullable=False),
    Column("mean", Float, nullable=False),
    Column("threshold", Float, nullable=False),
    Column("mentions", Integer, nullable=False),
    Column("negative", Integer, nullable=False),
    Column("message", Text, nullable=False),
    Column("created", UtcDateTime, nullable=False),
    Column("deliveries", JSON, nullable=False),  # {"email:a@b": "sent" | "error: ...", ...}
    Column("dismissed", UtcDateTime),
    UniqueConstraint("workspace_id", "stream", "kind", "window_end", name="uq_alerts_workspace_id"),
)
Index("ix_alerts_workspace_created", alerts.c.workspace_id, alerts.c.created)

# --- goals: promo codes, their redemptions, leads (migration 0011) ---------------------

# The codes a business declares (the Goals page, manager role), found in its own posts and
# in mentions as whole words without case; ``code`` is kept upper-case, so it is unique
# per workspace whatever the case it was typed in. ``starts``/``ends`` (optional) bound
# when it runs.
promo_codes = Table(
    "promo_codes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", Integer, ForeignKey("workspaces.id"), nullable=False),
    Column("code", String(64), nullable=False),
    Column("description", String(300), nullable=False, default=""),
    Column("starts", UtcDateTime),
    Column("ends", UtcDateTime),
    Column("created", UtcDateTime, nullable=False),
    Column("created_by", Integer, ForeignKey("users.id")),
    UniqueConstraint("workspace_id", "code", name="uq_promo_codes_workspace_id_code"),
)

# Redemptions imported from a till's or shop's CSV export (``hubbub goals redemptions``).
# ``ref`` is the order id when the file has one, else a digest of the row's code, time,
# amount and how many identical rows came before it in the file: importing the same file
# again stores nothing twice.
promo_redemptions = Table(
    "promo_redemptions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", Integer, ForeignKey("workspaces.id"), nullable=False),
    Column("code", String(64), nullable=False),  # upper-case, like promo_codes.code
    Column("redeemed", UtcDateTime, nullable=False),
    Column("amount", Float),  # the order's value, when the export gives it
    Column("ref", String(200), nullable=False),
    Column("source", String(300), nullable=False, default=""),  # the file's name
    Column("line", Integer),
    Column("imported", UtcDateTime, nullable=False),
    UniqueConstraint("workspace_id", "ref", name="uq_promo_redemptions_workspace_id_ref"),
)
Index(
    "ix_promo_redemptions_workspace_redeemed",
    promo_redemptions.c.workspace_id,
    promo_redemptions.c.redeemed,
)

# A lead's status where a person set it (the Goals page or the inbox item); a purchase-
# intent or recommendation-request mention without a row here is open, or contacted
# once the inbox shows a reply (see hubbub.goals.leads). ``contacted`` is when it was
# first contacted, ``closed`` when it was won or lost.
leads = Table(
    "leads",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", Integer, ForeignKey("workspaces.id"), nullable=False),
    Column("mention_id", Integer, ForeignKey("mentions.id"), nullable=False, unique=True),
    Column("status", String(16), nullable=False),  # open, contacted, won, lost
    Column("contacted", UtcDateTime),
    Column("closed", UtcDateTime),
    Column("updated", UtcDateTime, nullable=False),
    Column("updated_by", Integer, ForeignKey("users.id")),
)
Index("ix_leads_workspace_id", leads.c.workspace_id)

# --- pages at a million mentions: rollups (migration 0012) -------------------------------

# What the Overview, Insight and Streams pages sum over a window, kept per UTC hour and
# per UTC day by hubbub.store.rollups in the same transaction as each batch's mentions
# (and rebuilt from the mentions by the migration). A page reads the whole hours or days
# of its window here and only the part of an hour or day at each end from the mentions.

# Per UTC hour and stream: the mentions, their sentiment and their sums. ``stream_id`` 0
# is every mention of the workspace once (a mention in two streams counts in each of
# them, and once in 0); no foreign key for that reason.
mention_hours = Table(
    "mention_hours",
    metadata,
    Column("workspace_id", Integer, ForeignKey("workspaces.id"), primary_key=True),
    Column("hour", UtcDateTime, primary_key=True),  # the UTC hour's start
    Column("stream_id", Integer, primary_key=True),
    Column("mentions", Integer, nullable=False),
    Column("positive", Integer, nullable=False),
    Column("negative", Integer, nullable=False),
    Column("reach", BigInteger, nullable=False),  # sums: a year of reach overflows 32 bits
    Column("engagement", BigInteger, nullable=False),
    Column("impressions", BigInteger, nullable=False),
    Column("with_impressions", Integer, nullable=False),  # mentions whose impressions are known
)

# Per UTC day and per UTC hour: mentions per value of each insight facet (network,
# intent, hashtag, town, client app, ...: hubbub.store.rollups.FACETS), with their
# positive and negative part. A window reads its whole days from the first and the
# hours of its part-days from the second.
mention_facets = Table(
    "mention_facets",
    metadata,
    Column("workspace_id", Integer, ForeignKey("workspaces.id"), primary_key=True),
    Column("day", UtcDateTime, primary_key=True),  # the UTC day's midnight
    Column("facet", String(16), primary_key=True),
    Column("value", String(200), primary_key=True),
    Column("mentions", Integer, nullable=False),
    Column("positive", Integer, nullable=False),
    Column("negative", Integer, nullable=False),
)

mention_facet_hours = Table(
    "mention_facet_hours",
    metadata,
    Column("workspace_id", Integer, ForeignKey("workspaces.id"), primary_key=True),
    Column("hour", UtcDateTime, primary_key=True),
    Column("facet", String(16), primary_key=True),
    Column("value", String(200), primary_key=True),
    Column("mentions", Integer, nullable=False),
    Column("positive", Integer, nullable=False),
    Column("negative", Integer, nullable=False),
)

# Per UTC month and author: the author's mentions, the business's own accounts' left out
# (relationship "business"). The Overview's top authors of a long window take their
# candidates from each month's best (hubbub.store.queries.top_authors) instead of
# grouping every mention of the window by author.
mention_authors = Table(
    "mention_authors",
    metadata,
    Column("workspace_id", Integer, ForeignKey("workspaces.id"), primary_key=True),
    Column("month", UtcDateTime, primary_key=True),  # the UTC month's first midnight
    Column("author_id", Integer, ForeignKey("accounts.id"), primary_key=True),
    Column("mentions", Integer, nullable=False),
)
Index(
    "ix_mention_authors_rank",
    mention_authors.c.workspace_id,
    mention_authors.c.month,
    mention_authors.c.mentions,
)

# The Insight page's authors by reach walk a window's mentions from the largest reach
Index(
    "ix_mentions_reach",
    mentions.c.workspace_id,
    mentions.c.reach,
    mentions.c.created,
    mentions.c.author_id,
    mentions.c.relationship,
)

# The insight values only its JSON holds (hashtag, product, town, client app), one row
# per mention and value, newest last within a value: the Mentions page's filters on them
# read the matching mentions in time order from the key instead of every mention.
mention_tags = Table(
    "mention_tags",
    metadata,
    Column("workspace_id", Integer, ForeignKey("workspaces.id"), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("value", String(200), primary_key=True),
    Column("created", UtcDateTime, primary_key=True),  # the mention's time
    Column("mention_id", Integer, ForeignKey("mentions.id"), primary_key=True),
)
Index("ix_mention_tags_mention_id", mention_tags.c.mention_id)

# --- publish: images (migration 0013) ----------------------------------------------------

# An image uploaded on the Publish page: its bytes live once under HUBBUB_HOME/media,
# named by their SHA-256 (hubbub.store.media); the row says what Pillow read from them
# and which workspace may use it (one row per workspace and file).
media = Table(
    "media",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", Integer, ForeignKey("workspaces.id"), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("mime", String(32), nullable=False),
    Column("size", Integer, nullable=False),  # bytes
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("animated", Boolean, nullable=False, default=False),
    Column("name", String(200), nullable=False, default=""),  # the file's name, for people
    Column("created", UtcDateTime, nullable=False),
    Column("created_by", Integer, ForeignKey("users.id")),
    UniqueConstraint("workspace_id", "sha256", name="uq_media_workspace_id"),
)

# The images of a scheduled post, in order, each with its alt text.
post_media = Table(
    "post_media",
    metadata,
    Column("post_id", Integer, ForeignKey("scheduled_posts.id"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("media_id", Integer, ForeignKey("media.id"), nullable=False),
    Column("alt", Text, nullable=False, default=""),
)

# What a network returned for an uploaded image of a post (its media id, or Bluesky's
# blob), kept so a retry attaches it again instead of uploading again while the network
# still holds it (``expires``).
media_uploads = Table(
    "media_uploads",
    metadata,
    Column("post_id", Integer, ForeignKey("scheduled_posts.id"), primary_key=True),
    Column("network", String(16), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("ref", Text, nullable=False),
    Column("uploaded", UtcDateTime, nullable=False),
    Column("expires", UtcDateTime),
)

# A thread part about to be sent: written before the network is called, removed when its
# delivery is stored. One left behind means the attempt's outcome is unknown (the worker
# died, or the network's answer was lost), so the retry first looks on the network for
# the post (hubbub.publish.scheduler).
post_attempts = Table(
    "post_attempts",
    metadata,
    Column("post_id", Integer, ForeignKey("scheduled_posts.id"), primary_key=True),
    Column("network", String(16), primary_key=True),
    Column("part", Integer, primary_key=True),
    Column("started", UtcDateTime, nullable=False),
)

# --- report: the weekly digest, once per ISO week (migration 0014) ----------------------

# One row per workspace and ISO week ("2026-W48", in the workspace's time zone) whose
# digest was sent or is being sent: the row is claimed (``sending``) before the e-mail
# goes out, so a second cron run or worker in the same week sends nothing twice, and
# marked ``sent`` (or ``failed``, which a later run may retry) once SMTP has answered.
digests = Table(
    "digests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", Integer, ForeignKey("workspaces.id"), nullable=False),
    Column("week", String(8), nullable=False),
    Column("state", String(16), nullable=False),  # sending | sent | failed
    Column("claimed", UtcDateTime, nullable=False),
    Column("sent", UtcDateTime),
    Column("recipients", JSON, nullable=False),  # list of addresses
    Column("error", Text, nullable=False, default=""),
    UniqueConstraint("workspace_id", "week", name="uq_digests_workspace_id"),
)
