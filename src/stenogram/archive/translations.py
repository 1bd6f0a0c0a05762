"""Rows of the translation tables, read and written inside a transaction the caller holds.

The alignment itself lives upstream in :mod:`stenogram.translations`; this module only knows how
the pairs are kept: one row each way, so "what is the other language of this event / speech" is
one indexed lookup from either side, and re-pairing two events is a delete plus an insert.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, or_, select

from .prepared import Prepared
from .records import permalink
from .schema import event_translations, events, speech_translations, speeches

#: Rows per ``IN (...)`` list, well under SQLite's bound-parameter limit.
CHUNK = 500


@dataclass(frozen=True, slots=True)
class EventHead:
    """What pairing needs to know of a stored event before it reads its speeches."""

    event_id: int
    source: str
    source_id: str | None
    language: str
    url: str | None


@dataclass(frozen=True, slots=True)
class SpeechTurn:
    """One stored speech as the aligner sees it: who (resolved id, printed name) and how long."""

    speech_id: int
    position: int
    speaker: str | None
    attribution: str | None
    person_id: str | None
    words: int


@dataclass(frozen=True, slots=True)
class Translation:
    """The other-language record of an event. Its ``permalink`` names the source where the
    two records share the publisher's id (see ``records.BARE_ID_SOURCE``)."""

    event_id: int
    language: str
    source: str
    source_id: str | None
    url: str | None

    @property
    def permalink(self) -> str:
        return permalink(self.source, self.source_id, self.event_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "event_id": self.event_id,
            "source": self.source,
            "source_id": self.source_id,
            "url": self.url,
            "permalink": self.permalink,
        }


@dataclass(frozen=True, slots=True)
class Counterpart:
    """The speech that renders a speech in the other language, and how sure the pairing is."""

    speech_id: int
    event_id: int
    position: int
    language: str
    source: str
    source_id: str | None
    confidence: float

    @property
    def permalink(self) -> str:
        return permalink(self.source, self.source_id, self.event_id, self.position)

    def to_dict(self) -> dict[str, Any]:
        return {
            "speech_id": self.speech_id,
            "event_id": self.event_id,
            "position": self.position,
            "language": self.language,
            "confidence": self.confidence,
            "permalink": self.permalink,
        }


def heads_by_source_id(conn: Connection, source_ids: Sequence[str]) -> list[EventHead]:
    found: list[EventHead] = []
    for start in range(0, len(source_ids), CHUNK):
        rows = conn.execute(
            select(
                events.c.id, events.c.source, events.c.source_id, events.c.language, events.c.url
            ).where(events.c.source_id.in_(source_ids[start : start + CHUNK]))
        )
        found += [EventHead(r.id, r.source, r.source_id, r.language, r.url) for r in rows]
    return found


def turns(conn: Connection, event_id: int) -> list[SpeechTurn]:
    rows = conn.execute(
        select(
            speeches.c.id,
            speeches.c.position,
            speeches.c.speaker,
            speeches.c.attribution,
            speeches.c.person_id,
            speeches.c.words,
        )
        .where(speeches.c.event_id == event_id)
        .order_by(speeches.c.position)
    )
    return [
        SpeechTurn(r.id, r.position, r.speaker, r.attribution, r.person_id, r.words) for r in rows
    ]


def save_pair(
    conn: Connection,
    event_id: int,
    other_event_id: int,
    pairs: Iterable[tuple[int, int, float]],
    now: str,
) -> None:
    """Replace what is known of the pair (``event_id``, ``other_event_id``): the event rows both
    ways and the speech ``pairs`` (speech of the first, speech of the second, confidence)."""
    both = (event_id, other_event_id)
    conn.execute(
        delete(event_translations).where(
            event_translations.c.event_id.in_(both),
            event_translations.c.other_event_id.in_(both),
        )
    )
    conn.execute(
        delete(speech_translations).where(
            or_(
                (speech_translations.c.event_id == event_id)
                & (speech_translations.c.other_event_id == other_event_id),
                (speech_translations.c.event_id == other_event_id)
                & (speech_translations.c.other_event_id == event_id),
            )
        )
    )
    conn.execute(
        insert(event_translations),
        [
            {"event_id": event_id, "other_event_id": other_event_id, "paired": now},
            {"event_id": other_event_id, "other_event_id": event_id, "paired": now},
        ],
    )
    rows = []
    for mine, theirs, confidence in pairs:
        rows.append(
            {
                "speech_id": mine,
                "other_speech_id": theirs,
                "event_id": event_id,
                "other_event_id": other_event_id,
                "confidence": confidence,
            }
        )
        rows.append(
            {
                "speech_id": theirs,
                "other_speech_id": mine,
                "event_id": other_event_id,
                "other_event_id": event_id,
                "confidence": confidence,
            }
        )
    if rows:
        conn.execute(insert(speech_translations), rows)


#: Built once: every event page asks (see ``records`` on prebuilt statements).
_TRANSLATIONS = Prepared(
    select(events.c.id, events.c.language, events.c.source, events.c.source_id, events.c.url)
    .join(event_translations, event_translations.c.other_event_id == events.c.id)
    .where(event_translations.c.event_id == bindparam("id"))
    .order_by(events.c.language, events.c.id)
)


def translations_of(conn: Connection, event_id: int) -> list[Translation]:
    return [Translation(*row) for row in _TRANSLATIONS.rows(conn, id=event_id)]


def counterparts_of(conn: Connection, speech_ids: Sequence[int]) -> dict[int, Counterpart]:
    """The best counterpart of each of ``speech_ids`` that has one. A turn that one language
    splits in two has two; the surer one wins, then the earlier one."""
    best: dict[int, Counterpart] = {}
    other = speeches.alias("other")
    for start in range(0, len(speech_ids), CHUNK):
        rows = conn.execute(
            select(
                speech_translations.c.speech_id,
                speech_translations.c.confidence,
                other.c.id,
                other.c.event_id,
                other.c.position,
                events.c.language,
                events.c.source,
                events.c.source_id,
            )
            .join(other, other.c.id == speech_translations.c.other_speech_id)
            .join(events, events.c.id == other.c.event_id)
            .where(speech_translations.c.speech_id.in_(speech_ids[start : start + CHUNK]))
            .order_by(speech_translations.c.confidence.desc(), other.c.position)
        )
        for r in rows:
            if r.speech_id not in best:
                best[r.speech_id] = Counterpart(
                    r.id, r.event_id, r.position, r.language, r.source, r.source_id, r.confidence
                )
    return best


__all__ = [
    "Counterpart",
    "EventHead",
    "SpeechTurn",
    "Translation",
    "counterparts_of",
    "heads_by_source_id",
    "save_pair",
    "translations_of",
    "turns",
]
