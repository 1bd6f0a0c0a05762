"""Between the editor's fields and the archive's record: a draft becomes a
:class:`~stenogram.model.Document` (its transcript read by the text-version parser), a pasted
text version becomes a draft's fields, and a preview tells the editor what the parser and the
people resolver will make of the transcript before anything is saved.

Pure functions: the caller brings the people directory and the archive's ids.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final

from ..errors import QueryError
from ..export.textversion import body_lines
from ..model import TAG_KINDS, Document, Photo, Tag, Tags
from ..parse import kremlin_text
from ..resolve import PeopleDirectory
from .model import DraftContent

#: The ``format`` of every event the editor publishes (an ingested page says which parser).
FORMAT: Final = "editor"
#: Languages the text-version reader has cues for.
LANGUAGES: Final = ("en", "ru")
#: What a draft's fields may hold: a form is not a way to store a corpus.
MAX_FIELD_CHARS: Final = 2_000_000


def check(content: DraftContent) -> DraftContent:
    """A draft the archive can take: a language the parser knows, fields of sane length."""
    if content.language not in LANGUAGES:
        raise QueryError(
            f"language must be one of {', '.join(LANGUAGES)}, not {content.language!r}"
        )
    for name, value in (("narrative", content.narrative), ("transcript", content.transcript)):
        if len(value) > MAX_FIELD_CHARS:
            raise QueryError(f"the {name} is longer than {MAX_FIELD_CHARS:,} characters")
    return content


def body(content: DraftContent) -> kremlin_text.Body:
    """The narrative followed by the transcript, read as one text version's body."""
    return kremlin_text.read_body(f"{content.narrative}\n{content.transcript}", content.language)


def document(
    content: DraftContent,
    *,
    source: str,
    source_id: str,
    url: str,
    published: dt.datetime,
    photos: tuple[Photo, ...] = (),
) -> Document:
    """The record an event page shows for this draft, published at ``published``."""
    read = body(content)
    return Document(
        source=source,
        title=content.title.strip(),
        language=content.language,
        format=FORMAT,
        source_id=source_id,
        url=url,
        category=content.category.strip() or None,
        summary=content.summary.strip() or None,
        date=content.date,
        time=content.time,
        place=content.place.strip() or None,
        published=published,
        sections=content.sections,
        tags=Tags(*(tuple(Tag(name) for name in content.tags.get(k, ())) for k in TAG_KINDS)),
        photos=photos,
        participants=content.participants or read.participants,
        speeches=read.speeches,
        narrative=read.narrative,
        omissions=read.omissions,
    )


def from_text_version(data: bytes) -> DraftContent:
    """The fields of a pasted text version: what the page had above its transcript goes to the
    narrative, the first turn and everything after it to the transcript."""
    doc = kremlin_text.parse(data, origin="the pasted text")
    lines = body_lines(doc)
    before = sum(1 for item in doc.narrative if item.position == 0) if doc.speeches else len(lines)
    return DraftContent(
        title=doc.title,
        language=doc.language,
        category=doc.category or "",
        summary=doc.summary or "",
        date=doc.date,
        time=doc.time,
        place=doc.place or "",
        participants=doc.participants,
        narrative="\n".join(lines[:before]),
        transcript="\n".join(lines[before:]),
        tags={kind: tuple(doc.tags.names(kind)) for kind in TAG_KINDS},
        sections=doc.sections,
    )


@dataclass(frozen=True, slots=True)
class Turn:
    """One parsed turn of a preview and the person its label links to."""

    attribution: str | None
    speaker: str | None
    role: str | None
    paragraphs: int
    words: int
    person_id: str | None
    #: Whether that person is already in the archive (else publishing creates them).
    known: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "attribution": self.attribution,
            "speaker": self.speaker,
            "role": self.role,
            "paragraphs": self.paragraphs,
            "words": self.words,
            "person_id": self.person_id,
            "known": self.known,
        }


@dataclass(frozen=True, slots=True)
class Preview:
    turns: tuple[Turn, ...]
    omissions: int
    narrative: int
    participants: tuple[str, ...]
    warnings: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "turns": [t.to_dict() for t in self.turns],
            "omissions": self.omissions,
            "narrative": self.narrative,
            "participants": list(self.participants),
            "warnings": list(self.warnings),
        }


def preview(content: DraftContent, directory: PeopleDirectory, known: frozenset[str]) -> Preview:
    """What publishing would make of the transcript: its turns, the person each label links to
    (``known``: the ids the archive holds), and what looks wrong. A label that names nobody the
    archive knows is flagged with the nearest known names, since it is most often a misprint
    that would otherwise become a new person."""
    check(content)
    probe = document(
        content, source="preview", source_id="preview", url="", published=dt.datetime.now(dt.UTC)
    )
    people = directory.resolve(probe, "preview")
    turns = tuple(
        Turn(
            s.attribution,
            s.speaker,
            s.role,
            len(s.paragraphs),
            sum(len(p.split()) for p in s.paragraphs),
            person,
            person in known,
        )
        for s, person in zip(probe.speeches, people.speeches, strict=True)
    )
    return Preview(
        turns,
        probe.omissions,
        sum(1 for n in probe.narrative if n.kind == "narrative"),
        tuple(p.name for p in probe.participants),
        tuple(_warnings(content, turns, directory, known)),
    )


def _warnings(
    content: DraftContent,
    turns: tuple[Turn, ...],
    directory: PeopleDirectory,
    known: frozenset[str],
) -> list[str]:
    found: list[str] = []
    if not content.title.strip():
        found.append("the event has no title")
    if content.transcript.strip() and not turns:
        found.append("the transcript has no turn: a turn starts with a label and a colon")
    flagged: set[str] = set()
    for turn in turns:
        label = turn.attribution or ""
        if label in flagged:
            continue
        if turn.speaker is None:
            flagged.add(label)
            found.append(f"label {label!r} names nobody")
        elif turn.person_id is not None and not turn.known:
            flagged.add(label)
            near = [p.name for p in directory.near(turn.speaker) if p.id in known]
            hint = f"; did you mean {' or '.join(near)}?" if near else ""
            found.append(f"label {label!r}: {turn.speaker} is not in the archive yet{hint}")
    return found
