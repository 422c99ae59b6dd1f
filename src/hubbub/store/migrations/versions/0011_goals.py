"""goals: promo codes, redemptions and lead status

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05

Reserved for the Goals work (issue 6), so that work done in parallel keeps one chain; it
changes nothing until that work fills it in.
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
