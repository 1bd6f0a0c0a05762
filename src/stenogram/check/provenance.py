"""Where a passage comes from, as the archive stores it: the source URL and the speech's
counterpart in the other language. The index holds everything else a match shows; these two
are read from the database for the few matches returned, once per event."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from ..archive import Archive, StoredEvent
from ..errors import NotFound
from .align import Part
from .candidates import Candidate
from .result import Match

#: What joins a speech's paragraphs in its text (``model.Speech.text``).
PARAGRAPH: Final = "\n\n"


@dataclass
class Events:
    """The stored events of one check, each read once."""

    archive: Archive
    read: dict[int, StoredEvent | None] = field(default_factory=dict)

    def get(self, event_id: int) -> StoredEvent | None:
        if event_id not in self.read:
            try:
                self.read[event_id] = self.archive.event(event_id)
            except NotFound:  # deleted since the index saw it
                self.read[event_id] = None
        return self.read[event_id]


def match(
    events: Events,
    candidate: Candidate,
    part: Part | None,
    score: float,
    *,
    number: int | None = None,
) -> Match:
    meta = candidate.meta
    stored = events.get(int(meta["event_id"]))
    start, end = (part.start, part.end) if part else (0, min(len(candidate.text), 400))
    return Match(
        event_id=int(meta["event_id"]),
        source=str(meta.get("source") or ""),
        source_id=meta.get("source_id"),
        speech_id=meta.get("speech_id"),
        position=meta.get("position"),
        speaker=meta.get("speaker"),
        person_id=meta.get("person_id"),
        role=meta.get("role"),
        date=meta.get("date"),
        place=meta.get("place"),
        title=meta.get("title") or "",
        language=meta.get("language") or "",
        url=meta.get("url") or "",
        source_url=stored.document.url if stored else None,
        text=candidate.text[start:end],
        start=start,
        end=end,
        score=score,
        differences=part.differences if part else (),
        part=number,
    )


def counterpart(events: Events, found: Match, text: str) -> Match | None:
    """The passage of the other language's speech that renders ``found`` (a passage of the
    speech ``text``), if the archive has the pair. Speeches are paired, not sentences, so the
    passage is the paragraphs at the same place: the same paragraph numbers when both have as
    many (translators keep paragraphs), else the same share of the way through."""
    stored = events.get(found.event_id)
    if stored is None or found.position is None or not stored.counterparts:
        return None
    other = stored.counterparts[found.position - 1]
    event = events.get(other.event_id) if other else None
    if other is None or event is None or not 1 <= other.position <= len(event.document.speeches):
        return None
    mine = _paragraphs(text)
    theirs = _paragraphs(event.document.speeches[other.position - 1].text)
    first = next(n for n, (a, b) in enumerate(mine) if b >= found.start)
    last = next(n for n, (a, b) in enumerate(mine) if b >= found.end)
    if len(mine) != len(theirs):
        first, last = (n * len(theirs) // len(mine) for n in (first, last))
    span = (theirs[first][0], theirs[min(last, len(theirs) - 1)][1])
    return stored_speech(events, other.event_id, other.position, other.confidence, span)


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """[start, end) of each paragraph (a speech's text joins them with a blank line)."""
    spans, at = [], 0
    for paragraph in text.split(PARAGRAPH):
        spans.append((at, at + len(paragraph)))
        at += len(paragraph) + len(PARAGRAPH)
    return spans


def stored_speech(
    events: Events,
    event_id: int,
    position: int,
    score: float,
    span: tuple[int, int] | None = None,
) -> Match | None:
    """A passage read from the stored event (``span`` of the speech's text, else all of it)."""
    event = events.get(event_id)
    if event is None or not 1 <= position <= len(event.document.speeches):
        return None
    doc = event.document
    said = doc.speeches[position - 1]
    text = said.text
    start, end = span if span else (0, len(text))
    return Match(
        event_id=event_id,
        source=doc.source,
        source_id=doc.source_id,
        speech_id=event.speech_ids[position - 1],
        position=position,
        speaker=said.speaker,
        person_id=event.speech_people[position - 1],
        role=said.role,
        date=doc.date.isoformat() if doc.date else None,
        place=doc.place,
        title=doc.title,
        language=doc.language,
        url=event.speech_permalink(position),
        source_url=doc.url,
        text=text[start:end],
        start=start,
        end=end,
        score=score,
    )
