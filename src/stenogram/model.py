"""The records that flow between stages: frozen dataclasses, named after Popolo / Akoma Ntoso.

A parser turns bytes into one :class:`Document`; later stages (resolve, archive, search, web,
export) only ever see these types. JSON is just their serialisation (:meth:`Document.to_dict`,
:meth:`Document.from_dict`), with the stable keys of ``contract/PARSE.md`` first and extra keys
after them, so that an export can be re-imported without loss.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

TagKind = Literal["geography", "topics", "persons"]
TAG_KINDS: tuple[TagKind, ...] = ("geography", "topics", "persons")

NarrativeKind = Literal["narrative", "omission", "separator"]


@dataclass(frozen=True, slots=True)
class Tag:
    """A footer tag as printed, with the publisher's own id (``82``, ``KZ``, ``43``) when linked."""

    name: str
    id: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Tags:
    geography: tuple[Tag, ...] = ()
    topics: tuple[Tag, ...] = ()
    persons: tuple[Tag, ...] = ()

    def names(self, kind: TagKind) -> list[str]:
        return [t.name for t in getattr(self, kind)]


@dataclass(frozen=True, slots=True)
class Photo:
    """One gallery item; ``position``/``of`` are the "5 of 21" counter when known."""

    caption: str | None = None
    credit: str | None = None
    url: str | None = None
    position: int | None = None
    of: int | None = None


@dataclass(frozen=True, slots=True)
class Participant:
    """Someone listed in prose as taking part; ``person_id`` is the publisher's id if linked."""

    name: str
    role: str | None = None
    person_id: str | None = None


@dataclass(frozen=True, slots=True)
class Speech:
    """One verbatim turn. ``attribution`` is the label exactly as printed before the colon."""

    attribution: str | None
    speaker: str | None
    role: str | None
    paragraphs: tuple[str, ...]
    person_id: str | None = None

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True, slots=True)
class Narrative:
    """Text that is not a turn: reported narrative, an omission mark, or a ``* * *`` separator.

    ``position`` is the number of speeches that come before it, which is all that is needed to
    interleave narrative and speeches again in page order.
    """

    text: str
    position: int
    kind: NarrativeKind = "narrative"


@dataclass(frozen=True, slots=True)
class Document:
    """One published item (an event page) read into a record."""

    source: str
    title: str
    language: str
    format: str
    source_id: str | None = None
    url: str | None = None
    category: str | None = None
    summary: str | None = None
    date: dt.date | None = None
    time: dt.time | None = None
    place: str | None = None
    published: dt.datetime | None = None
    sections: tuple[str, ...] = ()
    tags: Tags = field(default_factory=Tags)
    photos: tuple[Photo, ...] = ()
    participants: tuple[Participant, ...] = ()
    speeches: tuple[Speech, ...] = ()
    narrative: tuple[Narrative, ...] = ()
    omissions: int = 0
    warnings: tuple[str, ...] = ()
    origin: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON record of ``contract/PARSE.md`` (stable keys first, then extras)."""
        return {
            "source": self.source,
            "source_id": self.source_id,
            "url": self.url,
            "language": self.language,
            "category": self.category,
            "title": self.title,
            "summary": self.summary,
            "date": self.date.isoformat() if self.date else None,
            "time": self.time.strftime("%H:%M") if self.time else None,
            "place": self.place,
            "published": self.published.isoformat() if self.published else None,
            "sections": list(self.sections),
            "tags": {kind: self.tags.names(kind) for kind in TAG_KINDS},
            "photos": [
                {
                    "position": p.position,
                    "of": p.of,
                    "caption": p.caption,
                    "credit": p.credit,
                    "url": p.url,
                }
                for p in self.photos
            ],
            "participants": [
                {"name": p.name, "role": p.role, "person_id": p.person_id}
                for p in self.participants
            ],
            "speeches": [
                {
                    "attribution": s.attribution,
                    "speaker": s.speaker,
                    "role": s.role,
                    "paragraphs": list(s.paragraphs),
                    "text": s.text,
                    "person_id": s.person_id,
                }
                for s in self.speeches
            ],
            "omissions": self.omissions,
            "warnings": list(self.warnings),
            # Extras beyond the contract.
            "format": self.format,
            "origin": self.origin,
            "tag_links": {
                kind: [{"name": t.name, "id": t.id, "url": t.url} for t in getattr(self.tags, kind)]
                for kind in TAG_KINDS
            },
            "narrative": [
                {"kind": n.kind, "position": n.position, "text": n.text} for n in self.narrative
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Document:
        """Rebuild a record from :meth:`to_dict` output (re-import of our own JSON)."""
        links = data.get("tag_links") or {}
        plain = data.get("tags") or {}

        def tags_of(kind: TagKind) -> tuple[Tag, ...]:
            if links.get(kind):
                return tuple(Tag(t["name"], t.get("id"), t.get("url")) for t in links[kind])
            return tuple(Tag(name) for name in plain.get(kind, ()))

        def opt(value: Any, parse: Any) -> Any:
            return parse(value) if value else None

        return cls(
            source=data["source"],
            title=data["title"],
            language=data["language"],
            format=data.get("format") or "json",
            source_id=data.get("source_id"),
            url=data.get("url"),
            category=data.get("category"),
            summary=data.get("summary"),
            date=opt(data.get("date"), dt.date.fromisoformat),
            time=opt(data.get("time"), dt.time.fromisoformat),
            place=data.get("place"),
            published=opt(data.get("published"), dt.datetime.fromisoformat),
            sections=tuple(data.get("sections") or ()),
            tags=Tags(*(tags_of(kind) for kind in TAG_KINDS)),
            photos=tuple(
                Photo(
                    p.get("caption"), p.get("credit"), p.get("url"), p.get("position"), p.get("of")
                )
                for p in data.get("photos") or ()
            ),
            participants=tuple(
                Participant(p["name"], p.get("role"), p.get("person_id"))
                for p in data.get("participants") or ()
            ),
            speeches=tuple(
                Speech(
                    s.get("attribution"),
                    s.get("speaker"),
                    s.get("role"),
                    tuple(s.get("paragraphs") or ()),
                    s.get("person_id"),
                )
                for s in data.get("speeches") or ()
            ),
            narrative=tuple(
                Narrative(n["text"], n["position"], n.get("kind", "narrative"))
                for n in data.get("narrative") or ()
            ),
            omissions=int(data.get("omissions") or 0),
            warnings=tuple(data.get("warnings") or ()),
            origin=data.get("origin"),
        )


# --- People (resolve stage) -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NameForm:
    """One way a person was printed: a label, a tag ("Lukashenko Alexander"), initials ("В.Путин").

    ``kind`` says which of these it is; ``language`` is the script's language.
    """

    text: str
    kind: str
    language: str


@dataclass(frozen=True, slots=True)
class Membership:
    """A role a person was seen holding (Popolo Membership), with the dates it was seen."""

    role: str
    first_seen: dt.date | None = None
    last_seen: dt.date | None = None
    count: int = 1


@dataclass(frozen=True, slots=True)
class Person:
    """One real person across all name forms. ``publisher_ids`` look like ``en.kremlin.ru:119``."""

    id: str
    name: str
    names: tuple[NameForm, ...] = ()
    memberships: tuple[Membership, ...] = ()
    publisher_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DocumentPeople:
    """Resolved person ids for one Document, aligned with its speeches and its participants."""

    speeches: tuple[str | None, ...]
    participants: tuple[str | None, ...]


OverrideAction = Literal["merge", "split"]


@dataclass(frozen=True, slots=True)
class Override:
    """A person fix made by hand, kept apart from the automatic result so re-ingest replays it.

    ``merge``: ``other_id`` is folded into ``person_id``. ``split``: the name forms in ``names``
    (texts as printed) move from ``person_id`` to a new person ``other_id``.
    """

    action: OverrideAction
    person_id: str
    other_id: str
    names: tuple[str, ...] = ()
