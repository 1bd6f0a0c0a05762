"""Initial schema: events and their revisions, speeches, tags, photos, people.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-28 11:37:51.638257
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_meta")),
    )
    op.create_table(
        "people",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
    )
    op.create_table(
        "sources",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("first_seen", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_sources")),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("source_id", sa.String(length=200), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("format", sa.String(length=64), nullable=False),
        sa.Column("category", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("date", sa.Date(), nullable=True),
        sa.Column("time", sa.String(length=5), nullable=True),
        sa.Column("place", sa.Text(), nullable=True),
        sa.Column("published", sa.String(length=40), nullable=True),
        sa.Column("omissions", sa.Integer(), nullable=False),
        sa.Column("speech_count", sa.Integer(), nullable=False),
        sa.Column("word_count", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("created", sa.String(length=40), nullable=False),
        sa.Column("updated", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["source"], ["sources.name"], name=op.f("fk_events_source_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("source", "key", name="uq_events_source_key"),
    )
    op.create_index("ix_events_date", "events", ["date"], unique=False)
    op.create_index("ix_events_seq", "events", ["seq"], unique=False)
    op.create_index("ix_events_source_id", "events", ["source_id"], unique=False)

    op.create_table(
        "memberships",
        sa.Column("person_id", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("first_seen", sa.Date(), nullable=True),
        sa.Column("last_seen", sa.Date(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_memberships_person_id_people")
        ),
        sa.PrimaryKeyConstraint("person_id", "position", name=op.f("pk_memberships")),
    )
    op.create_table(
        "person_keys",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("person_id", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_person_keys_person_id_people")
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_person_keys")),
    )
    op.create_index("ix_person_keys_person_id", "person_keys", ["person_id"], unique=False)

    op.create_table(
        "person_names",
        sa.Column("person_id", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_person_names_person_id_people")
        ),
        sa.PrimaryKeyConstraint("person_id", "position", name=op.f("pk_person_names")),
    )
    op.create_index("ix_person_names_text", "person_names", ["text"], unique=False)

    op.create_table(
        "tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("publisher_id", sa.String(length=200), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["source"], ["sources.name"], name=op.f("fk_tags_source_sources")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("source", "kind", "name", name="uq_tags_source_kind_name"),
    )
    op.create_table(
        "event_tags",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_event_tags_event_id_events")
        ),
        sa.ForeignKeyConstraint(["tag_id"], ["tags.id"], name=op.f("fk_event_tags_tag_id_tags")),
        sa.PrimaryKeyConstraint("event_id", "tag_id", name=op.f("pk_event_tags")),
    )
    op.create_index("ix_event_tags_tag_id", "event_tags", ["tag_id"], unique=False)

    op.create_table(
        "narrative",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("after_speech", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_narrative_event_id_events")
        ),
        sa.PrimaryKeyConstraint("event_id", "position", name=op.f("pk_narrative")),
    )
    op.create_table(
        "participants",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=True),
        sa.Column("person_id", sa.String(length=200), nullable=True),
        sa.Column("publisher_person_id", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_participants_event_id_events")
        ),
        sa.PrimaryKeyConstraint("event_id", "position", name=op.f("pk_participants")),
    )
    op.create_index("ix_participants_person_id", "participants", ["person_id"], unique=False)

    op.create_table(
        "photos",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("caption", sa.Text(), nullable=True),
        sa.Column("credit", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_photos_event_id_events")
        ),
        sa.PrimaryKeyConstraint("event_id", "position", name=op.f("pk_photos")),
    )
    op.create_table(
        "revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("stored", sa.String(length=40), nullable=False),
        sa.Column("origin", sa.Text(), nullable=True),
        sa.Column("record", sa.Text(), nullable=False),
        sa.Column("speech_ids", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_revisions_event_id_events")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revisions")),
        sa.UniqueConstraint("event_id", "number", name="uq_revisions_event_number"),
    )
    op.create_table(
        "sections",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_sections_event_id_events")
        ),
        sa.PrimaryKeyConstraint("event_id", "position", name=op.f("pk_sections")),
    )
    op.create_index("ix_sections_name", "sections", ["name"], unique=False)

    op.create_table(
        "speeches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("attribution", sa.Text(), nullable=True),
        sa.Column("speaker", sa.Text(), nullable=True),
        sa.Column("role", sa.Text(), nullable=True),
        sa.Column("person_id", sa.String(length=200), nullable=True),
        sa.Column("publisher_person_id", sa.String(length=200), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("words", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_speeches_event_id_events")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speeches")),
        sa.UniqueConstraint("event_id", "position", name="uq_speeches_event_position"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_speeches_person_id", "speeches", ["person_id"], unique=False)
    op.create_index("ix_speeches_speaker", "speeches", ["speaker"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_speeches_speaker", table_name="speeches")
    op.drop_index("ix_speeches_person_id", table_name="speeches")

    op.drop_table("speeches")
    op.drop_index("ix_sections_name", table_name="sections")

    op.drop_table("sections")
    op.drop_table("revisions")
    op.drop_table("photos")
    op.drop_index("ix_participants_person_id", table_name="participants")

    op.drop_table("participants")
    op.drop_table("narrative")
    op.drop_index("ix_event_tags_tag_id", table_name="event_tags")

    op.drop_table("event_tags")
    op.drop_table("tags")
    op.drop_index("ix_person_names_text", table_name="person_names")

    op.drop_table("person_names")
    op.drop_index("ix_person_keys_person_id", table_name="person_keys")

    op.drop_table("person_keys")
    op.drop_table("memberships")
    op.drop_index("ix_events_source_id", table_name="events")
    op.drop_index("ix_events_seq", table_name="events")
    op.drop_index("ix_events_date", table_name="events")

    op.drop_table("events")
    op.drop_table("sources")
    op.drop_table("people")
    op.drop_table("meta")
