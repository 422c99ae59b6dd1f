"""drafts, scheduled posts, tracked links and clicks

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Not yet filled in: reserved so that work in parallel keeps one chain."""


def downgrade() -> None:
    """Nothing to undo yet."""
