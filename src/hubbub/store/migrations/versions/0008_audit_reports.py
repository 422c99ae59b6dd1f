"""dated audit reports of the business's own presence

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25

One row per audit run (hubbub.audit.report): the window in days, the figures and
the recommendations as JSON, so the Audit page can draw trends from the history.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window", sa.Integer(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("recommendations", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_audit_reports_workspace_id_workspaces"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_reports")),
    )
    op.create_index(
        "ix_audit_reports_workspace_created",
        "audit_reports",
        ["workspace_id", "created"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_audit_reports_workspace_created", table_name="audit_reports")
    op.drop_table("audit_reports")
