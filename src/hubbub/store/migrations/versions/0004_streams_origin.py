"""streams made in the web beside those from hubbub.toml

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

Streams used to come only from hubbub.toml, and every stored stream the file no
longer named was paused on the next run. ``origin`` tells the two kinds apart:
'file' streams follow hubbub.toml, 'web' streams (made on the Streams page or with
``hubbub streams add``) are left alone by it. ``updated`` says when a stream last
changed, ``created_by`` who made a web stream and ``note`` why. Existing rows are
file streams whose last change was their creation.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("streams", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("origin", sa.String(length=8), server_default="file", nullable=False)
        )
        batch_op.add_column(sa.Column("updated", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("created_by", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("note", sa.Text(), server_default="", nullable=False))
        batch_op.create_foreign_key(
            batch_op.f("fk_streams_created_by_users"), "users", ["created_by"], ["id"]
        )
    op.execute("UPDATE streams SET updated = created")
    with op.batch_alter_table("streams", schema=None) as batch_op:
        batch_op.alter_column("updated", existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("streams", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_streams_created_by_users"), type_="foreignkey")
        batch_op.drop_column("note")
        batch_op.drop_column("created_by")
        batch_op.drop_column("updated")
        batch_op.drop_column("origin")
