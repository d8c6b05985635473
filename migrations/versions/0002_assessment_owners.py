"""Who made an assessment through the API (key id and team), and whether it is shared.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""
# ruff: noqa: INP001

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing rows have no owner (made in a browser or with keys off) and are not shared:
    # read by whoever holds their id, as before.
    with op.batch_alter_table("assessments") as batch:
        batch.add_column(sa.Column("key_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("team", sa.String(length=64), nullable=True))
        batch.add_column(
            sa.Column("shared", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.create_index("ix_assessments_team", ["team"])


def downgrade() -> None:
    with op.batch_alter_table("assessments") as batch:
        batch.drop_index("ix_assessments_team")
        batch.drop_column("shared")
        batch.drop_column("team")
        batch.drop_column("key_id")
