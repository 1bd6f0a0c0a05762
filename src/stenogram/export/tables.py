"""The tables of the CSV, Parquet and dataset exports, each column declared once.

The CSV header, the Parquet schema and the Frictionless ``datapackage.json`` are all read from
:data:`TABLES`, so the three cannot disagree about a column's name, type or meaning. Row builders
turn the read model into plain tuples in column order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from ..model import TAG_KINDS, Person
from .records import Corpus, ExportedEvent

ColumnType = Literal["integer", "string", "date", "time", "datetime"]


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: ColumnType
    description: str
    required: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    #: (column, table, column) references for the data package.
    foreign_keys: tuple[tuple[str, str, str], ...] = ()


def _c(name: str, type_: ColumnType, description: str, required: bool = False) -> Column:
    return Column(name, type_, description, required)


EVENTS = Table(
    "events",
    "One row per event (a published page) in its current revision.",
    (
        _c("event_id", "integer", "The archive's id of the event.", True),
        _c("source", "string", "The publisher (en.kremlin.ru, kremlin.ru, pmtranscripts…).", True),
        _c("source_id", "string", "The publisher's id of the page, or a content id (c…)."),
        _c("url", "string", "The publisher's URL of the page."),
        _c("language", "string", "ISO 639-1 language of the page.", True),
        _c("category", "string", "The publisher's category line."),
        _c("title", "string", "The title as printed (a few transcripts have none)."),
        _c("summary", "string", "The lede."),
        _c("date", "date", "The date of the event."),
        _c("time", "time", "The time of the event, local to the publisher."),
        _c("place", "string", "Where it took place, as printed."),
        _c("published", "datetime", "When the publisher put the page up."),
        _c("revision", "integer", "The archive's revision number of this record.", True),
        _c("speeches", "integer", "Number of speeches (turns) in the event.", True),
        _c("omissions", "integer", "Omission marks in the transcript.", True),
        _c("permalink", "string", "The archive's permalink of the event.", True),
    ),
    ("event_id",),
)

SPEECHES = Table(
    "speeches",
    "One row per speech (a verbatim turn).",
    (
        _c(
            "speech_id",
            "integer",
            "The archive's id of the speech (stable across revisions).",
            True,
        ),
        _c("event_id", "integer", "The event it was said at.", True),
        _c(
            "position",
            "integer",
            "Its place in the event, from 1 (the #sN of the permalink).",
            True,
        ),
        _c("attribution", "string", "The speaker label exactly as printed."),
        _c("speaker", "string", "The speaker's name read from the label."),
        _c("role", "string", "The speaker's role read from the label."),
        _c("publisher_person_id", "string", "The publisher's id of the speaker, if linked."),
        _c("person_id", "string", "The archive's resolved person (see persons)."),
        _c("words", "integer", "Number of words.", True),
        _c("text", "string", "The words, paragraphs separated by blank lines."),
        _c("permalink", "string", "The archive's permalink of the speech.", True),
    ),
    ("speech_id",),
    (("event_id", "events", "event_id"), ("person_id", "persons", "person_id")),
)

PERSONS = Table(
    "persons",
    "One row per resolved person (across name forms, scripts and publishers).",
    (
        _c("person_id", "string", "The archive's person id.", True),
        _c("name", "string", "The preferred name.", True),
        _c("names", "string", "Every name form seen, separated by ' | '."),
        _c("publisher_ids", "string", "The publishers' ids (source:id), separated by ' | '."),
    ),
    ("person_id",),
)

MEMBERSHIPS = Table(
    "memberships",
    "Roles a person was seen holding, with the first and last date seen.",
    (
        _c("person_id", "string", "The person.", True),
        _c("role", "string", "The role as printed.", True),
        _c("first_seen", "date", "The first event date with this role."),
        _c("last_seen", "date", "The last event date with this role."),
        _c("count", "integer", "Number of times seen.", True),
    ),
    ("person_id", "role"),
    (("person_id", "persons", "person_id"),),
)

TAGS = Table(
    "tags",
    "Footer tags (geography, topics, persons) and site sections of each event.",
    (
        _c("event_id", "integer", "The event.", True),
        _c("kind", "string", "geography, topics, persons or section.", True),
        _c("position", "integer", "Order within the kind, from 1.", True),
        _c("name", "string", "The tag as printed.", True),
        _c("tag_id", "string", "The publisher's id of the tag, if linked."),
        _c("url", "string", "The publisher's URL of the tag, if linked."),
    ),
    ("event_id", "kind", "position"),
    (("event_id", "events", "event_id"),),
)

PARTICIPANTS = Table(
    "participants",
    "People listed in prose as taking part in an event.",
    (
        _c("event_id", "integer", "The event.", True),
        _c("position", "integer", "Order in the list, from 1.", True),
        _c("name", "string", "The name as printed.", True),
        _c("role", "string", "The role as printed."),
        _c("publisher_person_id", "string", "The publisher's id of the person, if linked."),
        _c("person_id", "string", "The archive's resolved person."),
    ),
    ("event_id", "position"),
    (("event_id", "events", "event_id"), ("person_id", "persons", "person_id")),
)

TABLES: tuple[Table, ...] = (EVENTS, SPEECHES, PERSONS, MEMBERSHIPS, TAGS, PARTICIPANTS)
#: The tables with one or more rows per event; the others come from the persons.
EVENT_TABLES = ("events", "speeches", "tags", "participants")

Row = tuple[Any, ...]


def speech_rows(event: ExportedEvent, corpus: Corpus) -> list[Row]:
    rows = []
    for s in event.speeches:
        text = s.speech.text
        rows.append(
            (
                s.speech_id,
                event.event_id,
                s.position,
                s.speech.attribution,
                s.speech.speaker,
                s.speech.role,
                s.speech.person_id,
                s.person_id,
                len(text.split()),
                text,
                corpus.url(s.permalink),
            )
        )
    return rows


def event_rows(event: ExportedEvent, corpus: Corpus) -> dict[str, list[Row]]:
    """The rows of every per-event table for one event (values typed, None for empty)."""
    doc = event.document
    return {
        "events": [
            (
                event.event_id,
                doc.source,
                doc.source_id,
                doc.url,
                doc.language,
                doc.category,
                doc.title,
                doc.summary,
                doc.date,
                doc.time,
                doc.place,
                doc.published,
                event.revision,
                len(event.speeches),
                doc.omissions,
                corpus.url(event.permalink),
            )
        ],
        "speeches": speech_rows(event, corpus),
        "tags": [
            (event.event_id, kind, n, tag.name, tag.id, tag.url)
            for kind in TAG_KINDS
            for n, tag in enumerate(getattr(doc.tags, kind), 1)
        ]
        + [
            (event.event_id, "section", n, name, None, None)
            for n, name in enumerate(doc.sections, 1)
        ],
        "participants": [
            (event.event_id, n, p.name, p.role, p.person_id, person)
            for n, (p, person) in enumerate(
                zip(doc.participants, event.participant_people, strict=True), 1
            )
        ],
    }


def person_rows(persons: list[Person]) -> dict[str, Iterator[Row]]:
    return {
        "persons": (
            (
                p.id,
                p.name,
                " | ".join(dict.fromkeys(n.text for n in p.names)) or None,
                " | ".join(p.publisher_ids) or None,
            )
            for p in persons
        ),
        "memberships": (
            (p.id, m.role, m.first_seen, m.last_seen, m.count)
            for p in persons
            for m in p.memberships
        ),
    }


def text_value(value: Any) -> str:
    """A value as a CSV cell: ISO dates and times, empty for None."""
    if value is None:
        return ""
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, dt.date):  # also datetime
        return value.isoformat()
    return str(value)


def rows_by_table(corpus: Corpus, sink: Callable[[str, list[Row]], None]) -> tuple[int, int]:
    """Feed every table's rows to ``sink`` (per-event tables as events stream, then the
    persons); returns the events and speeches written."""
    events = speeches = 0
    for event in corpus.events():
        for name, rows in event_rows(event, corpus).items():
            if rows:
                sink(name, rows)
        events += 1
        speeches += len(event.speeches)
    for name, person_table in person_rows(corpus.persons()).items():
        sink(name, list(person_table))
    return events, speeches
