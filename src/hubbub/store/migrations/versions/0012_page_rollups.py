"""page speed: rollups and indexes for the Overview at a million mentions

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05

Reserved for the page-speed work (issue 4), so that work done in parallel keeps one
chain; it changes nothing until that work fills it in.
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
