"""The change log that search indexes and response caches follow.

Every event gets one row at its current ``seq`` (kind "migrated"), so an index that had seen
everything up to some ``seq`` finds in the log exactly the events changed after it, as it found
them before by ``events.seq``.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 16:00:00.000000
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "changes",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("committed_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_changes")),
    )
    op.get_bind().execute(
        sa.text(
            "INSERT INTO changes (seq, event_id, kind, committed_at) "
            "SELECT seq, id, 'migrated', :now FROM events"
        ),
        {"now": time.time()},
    )


def downgrade() -> None:
    op.drop_table("changes")
