"""Person overrides: the hand fixes (merge/split) that every re-ingest replays.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 10:05:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("person_id", sa.String(length=200), nullable=False),
        sa.Column("other_id", sa.String(length=200), nullable=False),
        sa.Column("names", sa.Text(), nullable=False),
        sa.Column("created", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_overrides")),
    )


def downgrade() -> None:
    op.drop_table("person_overrides")
