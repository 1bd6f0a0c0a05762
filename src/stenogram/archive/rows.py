"""What the archive hands to the search index: one flat row per speech and per event.

Defined here (upstream of ``search``) so the index never reads the database itself and the
database never knows about tantivy. ``seq`` is the archive's change counter: an index that has
seen every row up to ``seq`` only needs the rows after it to catch up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class IndexRow:
    kind: Literal["speech", "event"]
    seq: int
    event_id: int
    speech_id: int | None
    position: int | None
    source: str
    source_id: str | None
    language: str
    title: str
    date: dt.date | None
    place: str | None
    speaker: str | None
    attribution: str | None
    role: str | None
    person_id: str | None
    text: str
    topics: tuple[str, ...]
    geography: tuple[str, ...]
    persons: tuple[str, ...]
    sections: tuple[str, ...]
    url: str
    category: str | None = None
    #: Resolved person ids of everybody at the event: its speakers and listed participants.
    present: tuple[str, ...] = ()
    #: The participants' names as printed (a listed name may have no person).
    participants: tuple[str, ...] = ()
