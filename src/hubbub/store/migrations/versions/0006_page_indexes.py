"""indexes and full-text search for the pages at a million mentions

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Not yet filled in: reserved so that work in parallel keeps one chain."""


def downgrade() -> None:
    """Nothing to undo yet."""
