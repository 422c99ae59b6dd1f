"""spikes raised as alerts

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25

One row per spike a check found (hubbub.insight.spikes, hubbub.alerts): the
stream, the kind (volume or negative share), the 24-hour window, what was seen
against the baseline, where it was sent and whether someone dismissed it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("stream", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("observed", sa.Float(), nullable=False),
        sa.Column("mean", sa.Float(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("mentions", sa.Integer(), nullable=False),
        sa.Column("negative", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deliveries", sa.JSON(), nullable=False),
        sa.Column("dismissed", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_alerts_workspace_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint(
            "workspace_id", "stream", "kind", "window_end", name="uq_alerts_workspace_id"
        ),
    )
    op.create_index(
        "ix_alerts_workspace_created", "alerts", ["workspace_id", "created"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_alerts_workspace_created", table_name="alerts")
    op.drop_table("alerts")
