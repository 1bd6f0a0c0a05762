"""Translations: the pairs of events (and of their speeches) published in two languages.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 14:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_translations",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("other_event_id", sa.Integer(), nullable=False),
        sa.Column("paired", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_event_translations_event_id_events")
        ),
        sa.ForeignKeyConstraint(
            ["other_event_id"],
            ["events.id"],
            name=op.f("fk_event_translations_other_event_id_events"),
        ),
        sa.PrimaryKeyConstraint("event_id", "other_event_id", name=op.f("pk_event_translations")),
    )
    op.create_table(
        "speech_translations",
        sa.Column("speech_id", sa.Integer(), nullable=False),
        sa.Column("other_speech_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("other_event_id", sa.Integer(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_speech_translations_event_id_events")
        ),
        sa.ForeignKeyConstraint(
            ["other_event_id"],
            ["events.id"],
            name=op.f("fk_speech_translations_other_event_id_events"),
        ),
        sa.PrimaryKeyConstraint(
            "speech_id", "other_speech_id", name=op.f("pk_speech_translations")
        ),
    )
    op.create_index(
        "ix_speech_translations_event_id", "speech_translations", ["event_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_speech_translations_event_id", table_name="speech_translations")
    op.drop_table("speech_translations")
    op.drop_table("event_translations")
