"""What the editor edits: a draft's content (every field of an event page) and its state."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any

from ..model import TAG_KINDS, Participant, TagKind


class State(enum.StrEnum):
    """draft -> in_review -> scheduled -> published; published -> withdrawn (unpublished)."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class DraftContent:
    """Every field the editor's form has. ``narrative`` is the text before the transcript, one
    paragraph a line; ``transcript`` is in the text-version format that ``stenogram parse``
    reads (``Label: words``, ``<…>`` omissions)."""

    title: str = ""
    language: str = "en"
    category: str = "Events"
    summary: str = ""
    date: dt.date | None = None
    time: dt.time | None = None
    place: str = ""
    participants: tuple[Participant, ...] = ()
    narrative: str = ""
    transcript: str = ""
    tags: dict[TagKind, tuple[str, ...]] = field(default_factory=dict)
    sections: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "language": self.language,
            "category": self.category,
            "summary": self.summary,
            "date": self.date.isoformat() if self.date else None,
            "time": self.time.strftime("%H:%M") if self.time else None,
            "place": self.place,
            "participants": [{"name": p.name, "role": p.role} for p in self.participants],
            "narrative": self.narrative,
            "transcript": self.transcript,
            "tags": {kind: list(self.tags.get(kind, ())) for kind in TAG_KINDS},
            "sections": list(self.sections),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DraftContent:
        tags = data.get("tags") or {}
        return cls(
            title=data.get("title") or "",
            language=data.get("language") or "en",
            category=data.get("category") or "",
            summary=data.get("summary") or "",
            date=dt.date.fromisoformat(data["date"]) if data.get("date") else None,
            time=dt.time.fromisoformat(data["time"]) if data.get("time") else None,
            place=data.get("place") or "",
            participants=tuple(
                Participant(p["name"], p.get("role")) for p in data.get("participants") or ()
            ),
            narrative=data.get("narrative") or "",
            transcript=data.get("transcript") or "",
            tags={kind: tuple(tags.get(kind) or ()) for kind in TAG_KINDS},
            sections=tuple(data.get("sections") or ()),
        )


@dataclass(frozen=True, slots=True)
class DraftPhoto:
    id: int
    position: int
    caption: str | None
    credit: str | None
    media_type: str
    width: int
    height: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "position": self.position,
            "caption": self.caption,
            "credit": self.credit,
            "media_type": self.media_type,
            "width": self.width,
            "height": self.height,
        }


@dataclass(frozen=True, slots=True)
class Draft:
    id: int
    state: State
    content: DraftContent
    created: str
    updated: str
    created_by: str | None = None
    updated_by: str | None = None
    #: When a scheduled draft is due (UTC).
    publish_at: dt.datetime | None = None
    #: The event it became, and the permalink id it carries (fixed at first publication).
    event_id: int | None = None
    source_id: str | None = None
    reason: str | None = None
    photos: tuple[DraftPhoto, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "state": self.state.value,
            "content": self.content.to_dict(),
            "created": self.created,
            "updated": self.updated,
            "created_by": self.created_by,
            "updated_by": self.updated_by,
            "publish_at": self.publish_at.isoformat() if self.publish_at else None,
            "event_id": self.event_id,
            "source_id": self.source_id,
            "reason": self.reason,
            "photos": [p.to_dict() for p in self.photos],
        }
