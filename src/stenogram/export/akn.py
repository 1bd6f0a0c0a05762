"""Akoma Ntoso 3.0: one ``<debate>`` document per event, valid against ``akomantoso30.xsd``.

The FRBR identification names the event (Work: the event and its date), the publisher's text
(Expression: its language and publication date, the source URL as an alias) and this file
(Manifestation: the export date, stenogram as author). Speakers and the roles they were printed
with are ``TLCPerson``/``TLCRole`` references: ``speech by="#p-…" as="#r-…"``. Narrative is
``<narrative>``, the publisher's omission marks ``<omissis>``; a separator starts a new
``debateSection``.
"""

from __future__ import annotations

import tomllib
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, BinaryIO

from ..model import Narrative, Person
from .datapackage import source_info
from .formats import Written, folder, register
from .records import Corpus, ExportedEvent
from .xmlparts import (
    Labels,
    Turn,
    element,
    event_day,
    ncname,
    people_of,
    person_ref,
    pieces,
    sections,
    speaker_label,
    write_events,
)

NS = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"


@cache
def _data() -> dict[str, Any]:
    with resources.files("stenogram.export").joinpath("data", "akn.toml").open("rb") as fh:
        return tomllib.load(fh)


@dataclass(slots=True)
class _Refs:
    """The references section as it fills up while the body is written."""

    people: dict[str, Person]
    persons: dict[str, tuple[str, str]]
    roles: Labels
    speakers: Labels

    def person(self, person_id: str | None, label: str) -> str:
        if person_id is not None:
            known = self.people.get(person_id)
            ref = person_ref(person_id)
            self.persons[ref] = (f"/ontology/person/{person_id}", known.name if known else label)
        else:
            ref = self.speakers.id(label)
            self.persons[ref] = (f"/ontology/person/unresolved/{ref}", label)
        return "#" + ref


def _uris(event: ExportedEvent) -> tuple[str, str, str]:
    doc = event.document
    country = _data()["countries"].get(doc.source, "unknown")
    date = doc.date or (doc.published.date() if doc.published else None)
    when = date.isoformat() if date else "undated"
    work = f"/akn/{country}/debate/{when}/{ncname('', event.ref)}"
    expression = f"{work}/{_language(doc.language)}@"
    return work, expression, f"{expression}.xml"


def _language(code: str) -> str:
    found: str = _data()["languages"].get(code, code)
    return found


def _identification(meta: ET.Element, event: ExportedEvent, corpus: Corpus) -> None:
    doc = event.document
    work, expression, manifestation = _uris(event)
    # An undated page (an announcement) is dated by the export, and says so in the name.
    day = event_day(event)
    date, kind = (day, "event") if day else (corpus.created.date(), "export")
    published = doc.published.date() if doc.published else date
    ident = element(meta, "identification", source="#stenogram")
    frbr = element(ident, "FRBRWork")
    element(frbr, "FRBRthis", value=f"{work}/!main")
    element(frbr, "FRBRuri", value=work)
    if doc.url:
        element(frbr, "FRBRalias", value=doc.url, name="source")
    element(frbr, "FRBRalias", value=corpus.url(event.permalink), name="permalink")
    element(frbr, "FRBRdate", date=date.isoformat(), name=kind)
    element(frbr, "FRBRauthor", href="#publisher")
    element(frbr, "FRBRcountry", value=_data()["countries"].get(doc.source, "unknown"))
    frbr = element(ident, "FRBRExpression")
    element(frbr, "FRBRthis", value=f"{expression}/!main")
    element(frbr, "FRBRuri", value=expression)
    element(frbr, "FRBRdate", date=published.isoformat(), name="publication")
    element(frbr, "FRBRauthor", href="#publisher")
    element(frbr, "FRBRversionNumber", value=str(event.revision))
    element(frbr, "FRBRlanguage", language=_language(doc.language))
    frbr = element(ident, "FRBRManifestation")
    element(frbr, "FRBRthis", value=f"{expression}/!main.xml")
    element(frbr, "FRBRuri", value=manifestation)
    element(frbr, "FRBRdate", date=corpus.created.date().isoformat(), name="export")
    element(frbr, "FRBRauthor", href="#stenogram")
    element(frbr, "FRBRformat", value="application/akn+xml")


def _references(meta: ET.Element, event: ExportedEvent, refs: _Refs) -> None:
    found = element(meta, "references", source="#stenogram")
    publisher = source_info(event.document.source)["publisher"]
    element(
        found,
        "TLCOrganization",
        eId="publisher",
        showAs=publisher,
        href=f"/ontology/organization/{ncname('', event.document.source)}",
    )
    element(
        found,
        "TLCOrganization",
        eId="stenogram",
        showAs="stenogram",
        href="/ontology/organization/stenogram",
    )
    for ref, (href, name) in sorted(refs.persons.items()):
        element(found, "TLCPerson", eId=ref, href=href, showAs=name)
    for label, ref in sorted(refs.roles.ids.items(), key=lambda item: item[1]):
        element(
            found, "TLCRole", eId=ref, href=f"/ontology/role/{ref.removeprefix('r-')}", showAs=label
        )


def _inline(parent: ET.Element, text: str) -> None:
    """``text`` into ``parent`` with each omission mark as ``<omissis>``."""
    last: ET.Element | None = None
    for piece in pieces(text):
        if piece is None:
            last = element(parent, "omissis", "<…>")
        elif last is None:
            parent.text = piece
        else:
            last.tail = piece


def _item(section: ET.Element, item: Turn | Narrative, refs: _Refs) -> None:
    if isinstance(item, Narrative):
        said = element(section, "narrative")
        if item.kind == "omission":
            element(said, "omissis", item.text or "<…>")
        else:
            _inline(said, item.text)
        return
    speech = item.speech
    attrs = {
        "eId": f"spe_{item.position}",
        "by": refs.person(item.person_id, speaker_label(speech)),
    }
    if speech.role:
        attrs["as"] = "#" + refs.roles.id(speech.role)
    turn = element(section, "speech", **attrs)
    if speech.attribution:
        element(turn, "from", speech.attribution)
    for paragraph in speech.paragraphs or ("",):
        _inline(element(turn, "p"), paragraph)


def _preface(root: ET.Element, event: ExportedEvent) -> None:
    doc = event.document
    preface = element(root, "preface")
    element(element(preface, "p", **{"class": "title"}), "docTitle", doc.title)
    if doc.date:
        when = doc.date.isoformat() + (f" {doc.time:%H:%M}" if doc.time else "")
        element(
            element(preface, "p", **{"class": "date"}), "docDate", when, date=doc.date.isoformat()
        )
    if doc.place:
        element(preface, "p", doc.place, **{"class": "place"})
    if doc.summary:
        element(preface, "p", doc.summary, **{"class": "summary"})


def document(event: ExportedEvent, corpus: Corpus, people: dict[str, Person]) -> ET.Element:
    """The ``<akomaNtoso>`` element of one event."""
    refs = _Refs(people, {}, Labels("r-"), Labels("speaker-"))
    root = element(None, "akomaNtoso", xmlns=NS)
    debate = element(root, "debate", name=ncname("", event.document.category or "debate"))
    meta = element(debate, "meta")
    _preface(debate, event)
    body = element(debate, "debateBody")
    for number, items in enumerate(sections(event), 1):
        section = element(body, "debateSection", eId=f"dbsect_{number}", name="section")
        if number == 1:
            element(section, "heading", event.document.title)
        for item in items:
            _item(section, item, refs)
    if not len(body):
        element(
            element(body, "debateSection", eId="dbsect_1", name="section"),
            "heading",
            event.document.title,
        )
    _identification(meta, event, corpus)
    _references(meta, event, refs)
    return root


@dataclass(frozen=True, slots=True)
class AknFormat:
    name: str = "akn"
    media_type: str = "application/akn+xml"
    suffix: str = ".xml"
    folder: bool = True
    description: str = "one Akoma Ntoso 3.0 <debate> document per event"

    def write(self, corpus: Corpus, out: BinaryIO | Path) -> Written:
        people = people_of(corpus)
        written, _ = write_events(
            corpus, folder(out, self.name), lambda event: document(event, corpus, people)
        )
        return written


AKN = register(AknFormat())
