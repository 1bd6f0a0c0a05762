"""What the two XML formats (Akoma Ntoso, TEI) share: one event as sections in page order, ids
that are NCNames, omission marks inside a paragraph, and writing one file per event.

A ``* * *`` separator closes a section, so both formats split an event where the publisher did;
narrative, omissions and turns keep the publisher's order within a section.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from unidecode import unidecode

from ..model import Narrative, Person, Speech
from ..parse.kremlin_html_body import OMISSION
from .formats import Written
from .records import Corpus, ExportedEvent
from .txt import file_name

#: XInclude, the only namespace besides the format's own and xml: (prefix ``xi``, not ``ns0``).
XI = "http://www.w3.org/2001/XInclude"
ET.register_namespace("xi", XI)
XML = "http://www.w3.org/XML/1998/namespace"

_NOT_NCNAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class Turn:
    """A speech in page order with its 1-based position (the ``#sN`` of its permalink)."""

    position: int
    speech: Speech
    #: The resolver's person id (None: unresolved).
    person_id: str | None


Item = Turn | Narrative


def element(
    parent: ET.Element | None, tag: str, text: str | None = None, **attrs: str
) -> ET.Element:
    """An element of the format's namespace, which the root declares with an ``xmlns``
    attribute (so no ``ns0:`` prefixes); ``xml_id``/``xml_lang`` become ``xml:id``/``xml:lang``."""
    named = {(f"{{{XML}}}{k[4:]}" if k.startswith("xml_") else k): v for k, v in attrs.items()}
    made = ET.Element(tag, named) if parent is None else ET.SubElement(parent, tag, named)
    made.text = text
    return made


def speaker_label(speech: Speech) -> str:
    """How a turn's speaker was printed, for one the resolver did not name."""
    return speech.speaker or speech.attribution or speech.role or "unknown speaker"


def event_day(event: ExportedEvent) -> dt.date | None:
    """The event's date, else the day it was published."""
    doc = event.document
    return doc.date or (doc.published.date() if doc.published else None)


def ncname(prefix: str, value: str) -> str:
    """``p-vladimir-putin``: an id valid as an XML NCName whatever the archive id holds."""
    return prefix + _NOT_NCNAME.sub("_", value).strip("_")


def person_ref(person_id: str) -> str:
    return ncname("p-", person_id)


class Labels:
    """Ids for printed labels (roles, unresolved speakers): one id per label, distinct labels
    never sharing one even when they spell the same in ASCII."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.ids: dict[str, str] = {}

    def id(self, label: str) -> str:
        found = self.ids.get(label)
        if found is None:
            found = base = ncname(self.prefix, unidecode(label).casefold())
            taken = set(self.ids.values())
            n = 1
            while found in taken:
                n += 1
                found = f"{base}-{n}"
            self.ids[label] = found
        return found


def sections(event: ExportedEvent) -> list[list[Item]]:
    """The event's narrative and turns in page order, cut at each separator (no empty section).

    Every turn of the document is kept, with its resolved person (a document format stays whole
    in a query export).
    """
    doc = event.document
    before: dict[int, list[Narrative]] = {}
    for item in doc.narrative:
        before.setdefault(min(item.position, len(doc.speeches)), []).append(item)
    found: list[list[Item]] = [[]]
    for index in range(len(doc.speeches) + 1):
        for narrative in before.get(index, ()):
            if narrative.kind == "separator":
                found.append([])
            else:
                found[-1].append(narrative)
        if index < len(doc.speeches):
            found[-1].append(Turn(index + 1, doc.speeches[index], event.speech_people[index]))
    return [section for section in found if section]


def pieces(text: str) -> Iterator[str | None]:
    """The text around each omission mark in a paragraph (spaces kept), None for a mark."""
    start = 0
    for mark in OMISSION.finditer(text):
        if text[start : mark.start()].strip():
            yield text[start : mark.start()]
        yield None
        start = mark.end()
    if text[start:].strip() or start == 0:
        yield text[start:]


def people_of(corpus: Corpus) -> dict[str, Person]:
    """Every person of the archive by id: names and roles for the references of each file."""
    return {person.id: person for person in corpus.all_persons()}


def event_file(event: ExportedEvent) -> str:
    return file_name(event, ".xml")


def write_events(
    corpus: Corpus, path: Path, render: Callable[[ExportedEvent], ET.Element]
) -> tuple[Written, list[str]]:
    """Each event of ``corpus`` rendered and written to its file, one at a time."""
    files: list[str] = []
    speeches = 0
    for event in corpus.events():
        files.append(event_file(event))
        (path / files[-1]).write_bytes(to_bytes(render(event)))
        speeches += len(event.document.speeches)
    return Written(len(files), speeches), files


def to_bytes(root: ET.Element) -> bytes:
    ET.indent(root, space=" ")
    out: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return out + b"\n"
