"""The crawl frontier shared by several crawlers, and the per-host request times.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 16:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "frontier",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("listed_date", sa.String(length=10), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("lease_owner", sa.String(length=200), nullable=True),
        sa.Column("lease_until", sa.Float(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_status", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_frontier")),
        sa.UniqueConstraint("source", "url", name="uq_frontier_source_url"),
    )
    op.create_index("ix_frontier_source_state", "frontier", ["source", "state"], unique=False)
    op.create_table(
        "frontier_hosts",
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("last_request_at", sa.Float(), nullable=False),
        sa.Column("crawl_delay", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("host", name=op.f("pk_frontier_hosts")),
    )


def downgrade() -> None:
    op.drop_table("frontier_hosts")
    op.drop_index("ix_frontier_source_state", table_name="frontier")
    op.drop_table("frontier")
