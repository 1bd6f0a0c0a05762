"""Popolo JSON: one object with ``persons``, ``organizations``, ``memberships``, ``events`` and
``speeches``, valid against the Popolo JSON Schemas (draft-03).

How the archive maps onto Popolo:

- a person is the resolver's person: every name form an ``other_names`` entry (its kind and
  language in ``note``), every publisher id an ``identifiers`` entry (scheme: the source);
- an organization is a publisher (a press office), the ``organization_id`` of its events;
- a membership is a role as printed, with ``start_date``/``end_date`` the first and last event
  dates it was seen with (not an appointment's dates, which the transcripts do not give);
- an event is a published event page; a speech is one turn, ``creator_id`` the resolved person.

The object is written as events stream: the speeches wait in a temporary file while the events
are written, and the persons come last (for a selection, the ones its events name), so memory
does not grow with the archive.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from ..model import Person
from .cite import source_url
from .datapackage import source_info
from .formats import Written, register, stream
from .records import Corpus, ExportedEvent

SCHEME = "stenogram"


def organization_id(source: str) -> str:
    return f"publisher:{source}"


def person_object(person: Person) -> dict[str, Any]:
    return {
        "id": person.id,
        "name": person.name,
        "other_names": [
            {"name": form.text, "note": f"{form.kind} ({form.language})"} for form in person.names
        ],
        "identifiers": [
            {"identifier": pid.partition(":")[2] or pid, "scheme": pid.partition(":")[0] or None}
            for pid in person.publisher_ids
        ],
    }


def memberships(person: Person) -> Iterable[dict[str, Any]]:
    for number, held in enumerate(person.memberships, 1):
        yield {
            "id": f"{person.id}/role/{number}",
            "person_id": person.id,
            "role": held.role,
            "label": held.role,
            "start_date": held.first_seen.isoformat() if held.first_seen else None,
            "end_date": held.last_seen.isoformat() if held.last_seen else None,
        }


def organization(source: str) -> dict[str, Any]:
    info = source_info(source)
    return {
        "id": organization_id(source),
        "name": info["publisher"],
        "classification": "publisher",
        "identifiers": [{"identifier": source, "scheme": SCHEME}],
        "links": [{"url": info["path"], "note": info["title"]}] if info["path"] else [],
    }


def event_object(event: ExportedEvent, corpus: Corpus) -> dict[str, Any]:
    doc = event.document
    url = source_url(doc.url)
    identifiers = [{"identifier": event.ref, "scheme": SCHEME}]
    if doc.source_id:
        identifiers.append({"identifier": doc.source_id, "scheme": doc.source})
    return {
        "id": str(event.event_id),
        "name": doc.title,
        "description": doc.summary,
        "start_date": doc.date.isoformat() if doc.date else None,
        "location": doc.place,
        "classification": doc.category,
        "organization_id": organization_id(doc.source),
        "identifiers": identifiers,
        "sources": [{"url": link} for link in (url, corpus.url(event.permalink)) if link],
    }


def speech_objects(event: ExportedEvent, corpus: Corpus) -> Iterable[dict[str, Any]]:
    doc = event.document
    for said in event.speeches:
        yield {
            "id": str(said.speech_id),
            "creator_id": said.person_id,
            "role": said.speech.role,
            "attribution_text": said.speech.attribution,
            "text": said.speech.text,
            "date": doc.date.isoformat() if doc.date else None,
            "title": doc.title,
            "type": "speech",
            "position": said.position,
            "event_id": str(event.event_id),
            "sources": [{"url": corpus.url(said.permalink)}],
        }


def _items(fh: BinaryIO, key: str, items: Iterable[dict[str, Any]]) -> None:
    """``,"key": [item, …]`` after the lists written before it."""
    fh.write(b",\n" + orjson.dumps(key) + b": [")
    for n, item in enumerate(items):
        fh.write(b"\n" if n == 0 else b",\n")
        fh.write(orjson.dumps(item))
    fh.write(b"\n]")


@dataclass(frozen=True, slots=True)
class PopoloFormat:
    name: str = "popolo"
    media_type: str = "application/json"
    suffix: str = ".json"
    folder: bool = False
    description: str = "Popolo JSON: persons, organizations, memberships, events, speeches"

    def write(self, corpus: Corpus, out: BinaryIO | Path) -> Written:
        fh = stream(out, self.name)
        events = speeches = 0
        with tempfile.TemporaryFile() as said:
            fh.write(b'{\n"events": [')
            for event in corpus.events():
                fh.write(b"\n" if events == 0 else b",\n")
                fh.write(orjson.dumps(event_object(event, corpus)))
                for speech in speech_objects(event, corpus):
                    said.write(b"\n" if speeches == 0 else b",\n")
                    said.write(orjson.dumps(speech))
                    speeches += 1
                events += 1
            fh.write(b'\n],\n"speeches": [')
            said.seek(0)
            shutil.copyfileobj(said, fh)
            fh.write(b"\n]")
        persons = corpus.persons()
        _items(fh, "persons", (person_object(p) for p in persons))
        _items(fh, "organizations", (organization(s) for s in sorted(corpus.sources())))
        _items(fh, "memberships", (m for p in persons for m in memberships(p)))
        fh.write(b"\n}\n")
        return Written(events, speeches)


POPOLO = register(PopoloFormat())
