"""api usage: posts read and written per network and calendar month

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

X bills per post read and per post written; hubbub keeps a running count per
calendar month (UTC, "YYYY-MM") so it can show the estimated cost and stop at the
user's monthly cap (see hubbub.store.usage and hubbub.sources.x.usage).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_usage",
        sa.Column("network", sa.String(length=16), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("reads", sa.Integer(), nullable=False),
        sa.Column("writes", sa.Integer(), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("network", "month", name=op.f("pk_api_usage")),
    )


def downgrade() -> None:
    op.drop_table("api_usage")
