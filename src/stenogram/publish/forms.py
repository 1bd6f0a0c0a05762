"""The editor's HTML form, both ways: posted fields to a :class:`DraftContent`, and a draft's
content to the values the form shows. Pure; the web layer only hands the fields over."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Final

from ..errors import QueryError
from ..model import TAG_KINDS, Participant, TagKind
from .model import DraftContent

#: Between a participant's name and role on a line of the participants field.
ROLE_SEPARATOR: Final = " | "
TEXT_FIELDS: Final = (
    "title",
    "language",
    "category",
    "summary",
    "place",
    "narrative",
    "transcript",
)
MAX_LINE_CHARS: Final = 2000


def _lines(value: str) -> tuple[str, ...]:
    found = tuple(line.strip() for line in value.splitlines() if line.strip())
    if any(len(line) > MAX_LINE_CHARS for line in found):
        raise QueryError(f"a line is longer than {MAX_LINE_CHARS} characters")
    return found


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value.strip() else None
    except ValueError as exc:
        raise QueryError(f"the date {value!r} is not YYYY-MM-DD") from exc


def _time(value: str) -> dt.time | None:
    try:
        return dt.time.fromisoformat(value.strip()).replace(second=0) if value.strip() else None
    except ValueError as exc:
        raise QueryError(f"the time {value!r} is not HH:MM") from exc


def _participant(line: str) -> Participant:
    name, _, role = line.partition(ROLE_SEPARATOR.strip())
    return Participant(name.strip(), role.strip() or None)


def content_from_form(form: Mapping[str, str], sections: tuple[str, ...] = ()) -> DraftContent:
    """``sections``: the ticked existing sections; the ``new_sections`` field adds others."""
    text = {name: form.get(name, "") for name in TEXT_FIELDS}
    tags: dict[TagKind, tuple[str, ...]] = {
        kind: _lines(form.get(f"tags_{kind}", "")) for kind in TAG_KINDS
    }
    added = tuple(s.strip() for s in form.get("new_sections", "").split(",") if s.strip())
    return DraftContent(
        title=text["title"].strip(),
        language=text["language"].strip() or "en",
        category=text["category"].strip(),
        summary=text["summary"].strip(),
        date=_date(form.get("date", "")),
        time=_time(form.get("time", "")),
        place=text["place"].strip(),
        participants=tuple(_participant(line) for line in _lines(form.get("participants", ""))),
        narrative=text["narrative"].replace("\r\n", "\n").strip(),
        transcript=text["transcript"].replace("\r\n", "\n").strip(),
        tags=tags,
        sections=tuple(dict.fromkeys((*sections, *added))),
    )


def form_values(content: DraftContent) -> dict[str, str]:
    """What each field of the form shows for ``content``."""
    return {
        "title": content.title,
        "language": content.language,
        "category": content.category,
        "summary": content.summary,
        "date": content.date.isoformat() if content.date else "",
        "time": content.time.strftime("%H:%M") if content.time else "",
        "place": content.place,
        "participants": "\n".join(
            p.name + (f"{ROLE_SEPARATOR}{p.role}" if p.role else "") for p in content.participants
        ),
        "narrative": content.narrative,
        "transcript": content.transcript,
        **{f"tags_{kind}": "\n".join(content.tags.get(kind, ())) for kind in TAG_KINDS},
        "new_sections": "",
    }


def moment(value: str) -> dt.datetime:
    """A ``datetime-local`` field's value, read as UTC (the form says so)."""
    try:
        at = dt.datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise QueryError(f"the publication time {value!r} is not YYYY-MM-DDTHH:MM") from exc
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)
