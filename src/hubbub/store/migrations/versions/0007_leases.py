"""source leases so several listeners share one database

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25

One row per (workspace, source) that a ``hubbub listen`` process is running: who
holds it (``host:pid:token``) and until when. A holder renews its row every few
seconds; another listener takes the row over only once it has expired, and every
batch commit checks, in its own transaction, that the row is still its own (see
hubbub.store.leases).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "source_leases",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("holder", sa.String(length=300), nullable=False),
        sa.Column("acquired", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_source_leases_workspace_id_workspaces"),
        ),
        sa.PrimaryKeyConstraint("workspace_id", "source", name=op.f("pk_source_leases")),
    )


def downgrade() -> None:
    op.drop_table("source_leases")
