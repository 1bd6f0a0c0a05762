"""The read model every export writes from: events with their archive ids, and the persons.

An exporter sees only these frozen records, never the database: a :class:`Corpus` pages through
the archive (:meth:`Archive.events_after`, one snapshot per batch) so that exporting a million
speeches holds one batch in memory, and the same writer serves the whole archive, a search's
results and one event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..archive.records import event_ref
from ..model import Document, Person, Speech

if TYPE_CHECKING:
    from ..archive import Archive, StoredEvent

#: Events read per snapshot: ~200 events of the development corpus are a few MB of records.
BATCH = 200


@dataclass(frozen=True, slots=True)
class ExportedSpeech:
    """One turn with the archive's ids; ``position`` counts from 1 as in ``#s3`` permalinks."""

    speech_id: int
    position: int
    speech: Speech
    #: The resolver's person id (the publisher's, if any, is ``speech.person_id``).
    person_id: str | None
    permalink: str


@dataclass(frozen=True, slots=True)
class ExportedEvent:
    """An event's current revision: its record, archive id, permalink and resolved people.

    ``speeches`` are every turn of the event, or only the ones a query matched; ``document``
    always keeps them all, so a document format (text, AKN, TEI) stays whole.
    """

    event_id: int
    ref: str
    permalink: str
    revision: int
    document: Document
    speeches: tuple[ExportedSpeech, ...]
    #: Resolved person ids aligned with ``document.participants``.
    participant_people: tuple[str | None, ...]
    #: Resolved person ids aligned with ``document.speeches``: every turn, kept or not, so a
    #: document format names the speaker of a turn a query did not match.
    speech_people: tuple[str | None, ...]

    @classmethod
    def of(cls, stored: StoredEvent, wanted: frozenset[int] | None = None) -> ExportedEvent:
        """``wanted``: the speech ids to keep (None: all of them)."""
        doc = stored.document
        speeches = tuple(
            ExportedSpeech(speech_id, position, speech, person, stored.speech_permalink(position))
            for position, (speech, speech_id, person) in enumerate(
                zip(doc.speeches, stored.speech_ids, stored.speech_people, strict=True), 1
            )
            if wanted is None or speech_id in wanted
        )
        return cls(
            stored.event_id,
            event_ref(doc.source, doc.source_id, stored.event_id),
            stored.permalink,
            stored.revision,
            doc,
            speeches,
            stored.participant_people,
            stored.speech_people,
        )

    def person_ids(self) -> Iterator[str]:
        """Everybody the event names, in every turn (a document format writes them all)."""
        for person in self.speech_people:
            if person:
                yield person
        for person in self.participant_people:
            if person:
                yield person


@dataclass(frozen=True, slots=True)
class Selection:
    """What to export: the whole archive, one event, or the speeches a query matched."""

    query: str | None = None
    event: str | None = None

    def describe(self) -> str:
        if self.event is not None:
            return f"event {self.event}"
        if self.query is not None:
            return f"the speeches matching {self.query!r}"
        return "the whole archive"


@dataclass(slots=True)
class Corpus:
    """What a writer is handed: a re-iterable stream of events, the persons, and where it came
    from. ``events()`` may be called more than once (each call reads the archive again)."""

    read: Callable[[], Iterator[ExportedEvent]]
    all_persons: Callable[[], list[Person]]
    selection: Selection
    total_events: int
    total_speeches: int
    created: dt.datetime
    #: Scheme and host the permalinks are made absolute on (None: site-relative ``/events/…``).
    base_url: str | None = None
    #: Called with each event as it is read, for a progress bar.
    progress: Callable[[ExportedEvent], None] | None = None
    #: The archive itself, for a format that copies it whole (``archive``: a backup).
    archive: Archive | None = None
    _seen: set[str] = field(default_factory=set)
    _sources: set[str] = field(default_factory=set)

    def events(self) -> Iterator[ExportedEvent]:
        for event in self.read():
            self._seen.update(event.person_ids())
            self._sources.add(event.document.source)
            if self.progress is not None:
                self.progress(event)
            yield event

    def persons(self) -> list[Person]:
        """Everybody for the whole archive; for a selection, the persons of the events read so
        far, so a writer asks for them after its pass over :meth:`events`."""
        people = self.all_persons()
        if self.selection.query is None and self.selection.event is None:
            return people
        return [p for p in people if p.id in self._seen]

    def sources(self) -> set[str]:
        """The sources of the events read so far."""
        return set(self._sources)

    def url(self, path: str) -> str:
        return (self.base_url or "").rstrip("/") + path

    def describe(self) -> dict[str, Any]:
        """Where the export came from, for a dataset's metadata and a README."""
        return {
            "selection": self.selection.describe(),
            "query": self.selection.query,
            "event": self.selection.event,
            "created": self.created.isoformat(timespec="seconds"),
            "events": self.total_events,
            "speeches": self.total_speeches,
        }


def archive_events(archive: Archive, batch: int = BATCH) -> Iterator[ExportedEvent]:
    """Every event in archive id order, one snapshot of ``batch`` events at a time."""
    after = 0
    while True:
        found = archive.events_after(after, batch)
        if not found:
            return
        for stored in found:
            yield ExportedEvent.of(stored)
        after = found[-1].event_id


def selected_events(
    archive: Archive, wanted: Mapping[int, frozenset[int] | None]
) -> Iterator[ExportedEvent]:
    """The events ``wanted`` names, in archive id order, each with the speeches it lists."""
    for event_id in sorted(wanted):
        yield ExportedEvent.of(archive.event(event_id), wanted[event_id])
