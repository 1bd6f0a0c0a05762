"""Withdrawing a published event, and the public notes of its corrections.

A withdrawn (unpublished) event must vanish from every reader path at once: pages, search,
feeds, exports, the API, on every node. All of those read the event tables, and every node's
index and response cache follow the change log, so withdrawing deletes the event's rows and logs
a ``deleted`` change in the same transaction: each index then drops the event's documents as it
drops any event no longer stored. Nothing is lost: every revision's record is kept, with the
reason, in ``withdrawals``, which no reader path reads.
"""

from __future__ import annotations

import orjson
from sqlalchemy import Connection, delete, insert, or_, select

from ..errors import NotFound
from . import changes, records
from .dialects import Backend
from .schema import (
    EVENT_PARTS,
    corrections,
    event_translations,
    events,
    revisions,
    speech_translations,
    withdrawals,
)


def withdraw(conn: Connection, backend: Backend, event_id: int, reason: str) -> None:
    """Take ``event_id`` off the archive inside the caller's write transaction."""
    head = conn.execute(
        select(events.c.source, events.c.key).where(events.c.id == event_id)
    ).first()
    if head is None:
        raise NotFound(f"no event with id {event_id}")
    stored: list[str] = list(
        conn.scalars(
            select(revisions.c.record)
            .where(revisions.c.event_id == event_id)
            .order_by(revisions.c.number)
        )
    )
    kept = [orjson.loads(record) for record in stored]
    conn.execute(
        insert(withdrawals).values(
            event_id=event_id,
            source=head.source,
            key=head.key,
            reason=reason,
            withdrawn=records.now(),
            revisions=orjson.dumps(kept).decode(),
        )
    )
    for table in (event_translations, speech_translations):
        conn.execute(
            delete(table).where(
                or_(table.c.event_id == event_id, table.c.other_event_id == event_id)
            )
        )
    for table in EVENT_PARTS:
        conn.execute(delete(table).where(table.c.event_id == event_id))
    conn.execute(delete(revisions).where(revisions.c.event_id == event_id))
    conn.execute(delete(events).where(events.c.id == event_id))
    changes.append(conn, backend, [event_id], "deleted")


def add_correction(conn: Connection, event_id: int, revision: int, note: str) -> None:
    conn.execute(
        insert(corrections).values(
            event_id=event_id, revision=revision, note=note, corrected=records.now()
        )
    )


def corrections_of(conn: Connection, event_id: int) -> list[tuple[int, str, str]]:
    """(revision, note, when) of each correction of a stored event, oldest first."""
    rows = conn.execute(
        select(corrections.c.revision, corrections.c.note, corrections.c.corrected)
        .join(events, events.c.id == corrections.c.event_id)
        .where(corrections.c.event_id == event_id)
        .order_by(corrections.c.revision)
    )
    return [(int(r.revision), str(r.note), str(r.corrected)) for r in rows]
