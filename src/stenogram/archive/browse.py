"""Listings for browsing the archive: events by date, tag, section, place or person; tag and
section counts; one person's speeches and words per year.

The web pages page through these, so every listing takes ``offset``/``limit`` and returns the
total with the page: a listing never loads more rows than it shows. They read the tables of the
*current* revisions only, like :mod:`.activity`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Connection, Select, extract, func, select, union

from ..errors import NotFound
from ..model import Membership, NameForm, Person
from .records import permalink
from .schema import (
    event_tags,
    events,
    memberships,
    participants,
    people,
    person_keys,
    person_names,
    sections,
    speeches,
    tags,
)

#: Tag kinds as stored, plus ``place``, which is the event's own place column.
BrowseKind = Literal["geography", "topics", "persons", "place"]
BROWSE_KINDS: tuple[BrowseKind, ...] = ("topics", "geography", "persons", "place")
EXCERPT_CHARS = 280


@dataclass(frozen=True, slots=True)
class EventFilter:
    """One way of narrowing a listing of events (None everywhere: all events), and a date
    range (``start``/``end`` inclusive; events without a date fall outside any range)."""

    tag_kind: BrowseKind | None = None
    tag: str | None = None
    section: str | None = None
    person: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None


@dataclass(frozen=True, slots=True)
class EventSummary:
    event_id: int
    source: str
    source_id: str | None
    title: str
    category: str | None
    summary: str | None
    date: dt.date | None
    time: str | None
    place: str | None
    published: str | None
    speeches: int
    words: int
    permalink: str


@dataclass(frozen=True, slots=True)
class SpeechSummary:
    """One speech as a line of a listing: where it was said and how it opens."""

    speech_id: int
    event_id: int
    position: int
    title: str
    date: dt.date | None
    place: str | None
    role: str | None
    words: int
    excerpt: str
    permalink: str


@dataclass(frozen=True, slots=True)
class YearWords:
    year: int
    speeches: int
    words: int


def _event_filter(query: Select[Any], wanted: EventFilter) -> Select[Any]:
    if wanted.tag_kind == "place":
        query = query.where(events.c.place == wanted.tag)
    elif wanted.tag_kind is not None:
        tagged = (
            select(event_tags.c.event_id)
            .join(tags, tags.c.id == event_tags.c.tag_id)
            .where(tags.c.kind == wanted.tag_kind, tags.c.name == wanted.tag)
        )
        query = query.where(events.c.id.in_(tagged))
    if wanted.section is not None:
        query = query.where(
            events.c.id.in_(select(sections.c.event_id).where(sections.c.name == wanted.section))
        )
    if wanted.person is not None:
        present = union(
            select(speeches.c.event_id).where(speeches.c.person_id == wanted.person),
            select(participants.c.event_id).where(participants.c.person_id == wanted.person),
        )
        query = query.where(events.c.id.in_(present))
    if wanted.start is not None:
        query = query.where(events.c.date >= wanted.start)
    if wanted.end is not None:
        query = query.where(events.c.date <= wanted.end)
    return query


def event_summaries(
    conn: Connection, wanted: EventFilter, offset: int, limit: int
) -> tuple[int, list[EventSummary]]:
    """Newest first (by the event's own date and time, then by when it was first stored)."""
    total = conn.scalar(_event_filter(select(func.count()).select_from(events), wanted))
    rows = conn.execute(
        _event_filter(select(events), wanted)
        .order_by(
            events.c.date.desc().nulls_last(), events.c.time.desc().nulls_last(), events.c.id.desc()
        )
        .offset(offset)
        .limit(limit)
    ).all()
    return int(total or 0), [
        EventSummary(
            row.id,
            row.source,
            row.source_id,
            row.title,
            row.category,
            row.summary,
            row.date,
            row.time,
            row.place,
            row.published,
            row.speech_count,
            row.word_count,
            permalink(row.source, row.source_id, row.id),
        )
        for row in rows
    ]


def tag_counts(
    conn: Connection, kind: BrowseKind, offset: int, limit: int
) -> tuple[int, list[tuple[str, int]]]:
    """Names of one kind with their number of events, the most used first."""
    if kind == "place":
        name = events.c.place.label("name")
        grouped = (
            select(name, func.count().label("n"))
            .where(events.c.place.is_not(None))
            .group_by(events.c.place)
        )
    else:
        name = tags.c.name.label("name")
        grouped = (
            select(name, func.count(event_tags.c.event_id).label("n"))
            .join(event_tags, event_tags.c.tag_id == tags.c.id)
            .where(tags.c.kind == kind)
            .group_by(tags.c.name)
        )
    sub = grouped.subquery()
    total = conn.scalar(select(func.count()).select_from(sub))
    rows = conn.execute(
        select(sub.c.name, sub.c.n).order_by(sub.c.n.desc(), sub.c.name).offset(offset).limit(limit)
    ).all()
    return int(total or 0), [(str(r.name), int(r.n)) for r in rows]


def section_counts(conn: Connection) -> list[tuple[str, int]]:
    rows = conn.execute(
        select(sections.c.name, func.count().label("n"))
        .group_by(sections.c.name)
        .order_by(func.count().desc(), sections.c.name)
    ).all()
    return [(str(r.name), int(r.n)) for r in rows]


def person(conn: Connection, person_id: str) -> Person:
    """One person, also found by a publisher key (``en.kremlin.ru:119``)."""
    row = conn.execute(select(people).where(people.c.id == person_id)).first()
    if row is None:
        owner = conn.scalar(select(person_keys.c.person_id).where(person_keys.c.key == person_id))
        row = conn.execute(select(people).where(people.c.id == owner)).first() if owner else None
    if row is None:
        raise NotFound(f"no person {person_id!r}")
    names = conn.execute(
        select(person_names).where(person_names.c.person_id == row.id).order_by("position")
    ).all()
    roles = conn.execute(
        select(memberships).where(memberships.c.person_id == row.id).order_by("position")
    ).all()
    keys: list[str] = list(
        conn.scalars(
            select(person_keys.c.key).where(person_keys.c.person_id == row.id).order_by("key")
        )
    )
    return Person(
        row.id,
        row.name,
        tuple(NameForm(n.text, n.kind, n.language) for n in names),
        tuple(Membership(m.role, m.first_seen, m.last_seen, m._mapping["count"]) for m in roles),
        tuple(keys),
    )


def person_speeches(
    conn: Connection, person_id: str, offset: int, limit: int
) -> tuple[int, list[SpeechSummary]]:
    """A person's speeches, newest first.

    The page is chosen on ids alone, then only its rows are read in full: sorting every speech
    of a frequent speaker with its text costs twice as much (a president has thousands)."""
    total = conn.scalar(
        select(func.count()).select_from(speeches).where(speeches.c.person_id == person_id)
    )
    order = (events.c.date.desc().nulls_last(), events.c.id.desc(), speeches.c.position)
    page = (
        select(speeches.c.id)
        .join(events, events.c.id == speeches.c.event_id)
        .where(speeches.c.person_id == person_id)
        .order_by(*order)
        .offset(offset)
        .limit(limit)
    )
    rows = conn.execute(
        select(
            speeches.c.id,
            speeches.c.event_id,
            speeches.c.position,
            speeches.c.role,
            speeches.c.words,
            speeches.c.text,
            events.c.title,
            events.c.date,
            events.c.place,
            events.c.source,
            events.c.source_id,
        )
        .join(events, events.c.id == speeches.c.event_id)
        .where(speeches.c.id.in_(page))
        .order_by(*order)
    ).all()
    return int(total or 0), [
        SpeechSummary(
            r.id,
            r.event_id,
            r.position,
            r.title,
            r.date,
            r.place,
            r.role,
            r.words,
            _excerpt(r.text),
            permalink(r.source, r.source_id, r.event_id, r.position),
        )
        for r in rows
    ]


def person_years(conn: Connection, person_id: str) -> list[YearWords]:
    """Speeches and words per year of the event (speeches of undated events are left out)."""
    year = extract("year", events.c.date).label("year")
    rows = conn.execute(
        select(year, func.count().label("n"), func.sum(speeches.c.words).label("words"))
        .join(events, events.c.id == speeches.c.event_id)
        .where(speeches.c.person_id == person_id, events.c.date.is_not(None))
        .group_by(year)
        .order_by(year)
    ).all()
    return [YearWords(int(r.year), int(r.n), int(r.words or 0)) for r in rows]


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= EXCERPT_CHARS:
        return flat
    cut = flat.rfind(" ", 0, EXCERPT_CHARS)
    return flat[: cut if cut > 0 else EXCERPT_CHARS] + "…"


@dataclass(frozen=True, slots=True)
class PersonSummary:
    person_id: str
    name: str
    speeches: int
    words: int


def person_summaries(conn: Connection, offset: int, limit: int) -> tuple[int, list[PersonSummary]]:
    """People who spoke the most first (a listing page; :mod:`.activity` counts everyone)."""
    spoken = (
        select(
            speeches.c.person_id,
            func.count().label("n"),
            func.sum(speeches.c.words).label("words"),
        )
        .where(speeches.c.person_id.is_not(None))
        .group_by(speeches.c.person_id)
        .subquery()
    )
    total = conn.scalar(select(func.count()).select_from(people))
    n = func.coalesce(spoken.c.n, 0)
    rows = conn.execute(
        select(people.c.id, people.c.name, n.label("n"), spoken.c.words)
        .outerjoin(spoken, spoken.c.person_id == people.c.id)
        .order_by(n.desc(), people.c.name)
        .offset(offset)
        .limit(limit)
    ).all()
    return int(total or 0), [PersonSummary(r.id, r.name, int(r.n), int(r.words or 0)) for r in rows]
