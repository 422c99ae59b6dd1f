"""goals: promo codes, redemptions, lead status and the window of event streams

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05

Tables for the Goals (issue 6; see hubbub.goals and hubbub.store.tables): the promo
codes a business declares, the redemptions imported from its till's CSV export
(unique per workspace and order reference, so a re-import counts nothing twice), the
status a person gave a lead (open, contacted, won, lost), and on ``streams`` the window
[starts, ends) of an event or campaign, which the events goal measures within.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("streams", schema=None) as batch_op:
        batch_op.add_column(sa.Column("starts", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("ends", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "promo_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("starts", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_promo_codes_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_promo_codes_workspace_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promo_codes")),
        sa.UniqueConstraint("workspace_id", "code", name="uq_promo_codes_workspace_id_code"),
    )
    op.create_table(
        "promo_redemptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("redeemed", sa.DateTime(timezone=True), nullable=False),
        sa.Column("amount", sa.Float(), nullable=True),
        sa.Column("ref", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("line", sa.Integer(), nullable=True),
        sa.Column("imported", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_promo_redemptions_workspace_id_workspaces"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promo_redemptions")),
        sa.UniqueConstraint("workspace_id", "ref", name="uq_promo_redemptions_workspace_id_ref"),
    )
    op.create_index(
        "ix_promo_redemptions_workspace_redeemed",
        "promo_redemptions",
        ["workspace_id", "redeemed"],
        unique=False,
    )
    op.create_table(
        "leads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("mention_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("contacted", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["mention_id"], ["mentions.id"], name=op.f("fk_leads_mention_id_mentions")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["users.id"], name=op.f("fk_leads_updated_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_leads_workspace_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leads")),
        sa.UniqueConstraint("mention_id", name=op.f("uq_leads_mention_id")),
    )
    op.create_index("ix_leads_workspace_id", "leads", ["workspace_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_leads_workspace_id", table_name="leads")
    op.drop_table("leads")
    op.drop_index("ix_promo_redemptions_workspace_redeemed", table_name="promo_redemptions")
    op.drop_table("promo_redemptions")
    op.drop_table("promo_codes")
    # plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+), not a batch copy of the table:
    # recreating streams would trip the foreign keys of its mention links
    op.drop_column("streams", "ends")
    op.drop_column("streams", "starts")
