"""reports: the weekly digest, sent once per week

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05

Reserved for the report and digest work (issue 6), so that work done in parallel keeps one
chain; it changes nothing until that work fills it in.
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
