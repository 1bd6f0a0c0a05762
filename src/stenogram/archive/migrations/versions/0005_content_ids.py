"""Content ids: events read without a publisher id get the id their permalinks carry.

Such events were keyed ``hash:...`` (language, title, date, place) and linked by their archive
row number, which another archive gives out differently. Each now gets its content id (see
``stenogram.archive.identity``) as key and source id, in the row and in every stored revision
(whose content hash is recomputed, so a re-ingest of the same text finds it unchanged). Its
``seq`` moves on, so the search index re-reads it with the new permalinks on the next open.
An event whose content id another event of its source holds already keeps its old key.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 15:00:00.000000
"""

from __future__ import annotations

import orjson
import sqlalchemy as sa
from alembic import op

from stenogram.archive.batch import content_hash
from stenogram.archive.identity import content_id
from stenogram.model import Document

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    legacy = conn.execute(
        sa.text(
            "SELECT id, source, date, title, revision FROM events "
            "WHERE key LIKE 'hash:%' AND source_id IS NULL ORDER BY id"
        )
    ).all()
    if not legacy:
        return
    taken = {tuple(row) for row in conn.execute(sa.text("SELECT source, key FROM events"))}
    seq = int(conn.scalar(sa.text("SELECT value FROM meta WHERE key = 'seq'")) or 0)
    for row in legacy:
        new_id = content_id(row.source, str(row.date or ""), row.title)
        if (row.source, new_id) in taken:
            continue
        taken.add((row.source, new_id))
        seq += 1
        digest = _rewrite_revisions(conn, row.id, new_id, row.revision)
        conn.execute(
            sa.text(
                "UPDATE events SET key = :k, source_id = :k, seq = :seq, content_hash = :h "
                "WHERE id = :id"
            ),
            {"k": new_id, "seq": seq, "h": digest, "id": row.id},
        )
    conn.execute(sa.text("UPDATE meta SET value = :v WHERE key = 'seq'"), {"v": str(seq)})


def _rewrite_revisions(conn: sa.Connection, event_id: int, new_id: str, current: int) -> str:
    """Put ``new_id`` into every stored revision; return the current one's content hash."""
    digest = ""
    for row_id, number, record in conn.execute(
        sa.text("SELECT id, number, record FROM revisions WHERE event_id = :id"), {"id": event_id}
    ).all():
        data = orjson.loads(str(record))
        data["source_id"] = new_id
        rehashed = content_hash(Document.from_dict(data))
        conn.execute(
            sa.text("UPDATE revisions SET record = :r, content_hash = :h WHERE id = :id"),
            {"r": orjson.dumps(data).decode("utf-8"), "h": rehashed, "id": row_id},
        )
        if number == current:
            digest = rehashed
    return digest


def downgrade() -> None:
    """The content ids stay: they are valid keys, and the old hash keys cannot be recomputed
    from what was stored."""
