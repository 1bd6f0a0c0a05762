"""How much each resolved person appears in the archive: events, speeches and words.

Counted from the tables of the *current* revisions, so a speech a later revision dropped no
longer counts. An event counts for a person who spoke in it or was listed as taking part, once.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select, union

from .schema import participants, speeches


@dataclass(frozen=True, slots=True)
class Activity:
    events: int = 0
    speeches: int = 0
    words: int = 0


def person_activity(conn: Connection) -> dict[str, Activity]:
    spoken = {
        row.person_id: (int(row.speeches), int(row.words or 0))
        for row in conn.execute(
            select(
                speeches.c.person_id,
                func.count().label("speeches"),
                func.sum(speeches.c.words).label("words"),
            )
            .where(speeches.c.person_id.is_not(None))
            .group_by(speeches.c.person_id)
        )
    }
    pairs = union(
        select(speeches.c.person_id, speeches.c.event_id),
        select(participants.c.person_id, participants.c.event_id),
    ).subquery()
    present = conn.execute(
        select(pairs.c.person_id, func.count().label("events"))
        .where(pairs.c.person_id.is_not(None))
        .group_by(pairs.c.person_id)
    )
    return {
        row.person_id: Activity(int(row.events), *spoken.get(row.person_id, (0, 0)))
        for row in present
    }
