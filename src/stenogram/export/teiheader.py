"""The parts of a ParlaMint teiHeader that an event file and the corpus root both write."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable

from .datapackage import source_info
from .records import Corpus, ExportedEvent
from .xmlparts import element

NS = "http://www.tei-c.org/ns/1.0"
#: ParlaMint's (only) licence value: the export is CC BY 4.0; each source's own licence, which
#: the publisher gave, is stated next to it (CC BY 3.0 AU allows adaptations under 4.0).
LICENCE = "http://creativecommons.org/licenses/by/4.0/"
PROJECT = (
    "Exported by stenogram, which turns press-office event archives into a searchable, "
    "citable record of what was said; the text is the publisher's, as published."
)
#: The speaker types of ``u/@ana``, ParlaMint's, and what makes a speaker one of them here.
SPEAKER_TYPES = {
    "chair": "the host: whoever opens the event with an office printed before the name",
    "regular": "a speaker printed with an office (role) in this event",
    "guest": "a speaker printed without an office: journalists, questioners, guests",
}


def word_count(event: ExportedEvent) -> int:
    return sum(len(p.split()) for s in event.document.speeches for p in s.paragraphs)


def extent(file_desc: ET.Element, speeches: int, words: int) -> None:
    found = element(file_desc, "extent")
    for unit, n in (("speeches", speeches), ("words", words)):
        element(found, "measure", f"{n} {unit}", unit=unit, quantity=str(n), xml_lang="en")


def publication(file_desc: ET.Element, corpus: Corpus, idno: str, sources: Iterable[str]) -> None:
    """Who publishes the export, under which licence; each source's own licence beside it."""
    found = element(file_desc, "publicationStmt")
    element(element(found, "publisher"), "orgName", "stenogram", xml_lang="en")
    element(found, "idno", idno, type="URI")
    availability = element(found, "availability", status="free")
    element(availability, "licence", LICENCE)
    for source in sorted(sources):
        info = source_info(source)
        said = f"Source text from {source}: {info['licence_title']} ({info['publisher']})."
        element(availability, "p", said, xml_lang="en")
    created = corpus.created.date().isoformat()
    element(found, "date", created, when=created)


def encoding_start(header: ET.Element) -> ET.Element:
    encoding = element(header, "encodingDesc")
    element(element(encoding, "projectDesc"), "p", PROJECT, xml_lang="en")
    return encoding


def tags_decl(encoding: ET.Element, counts: Counter[str]) -> None:
    """How often each element occurs in the text(s), as ParlaMint's header declares."""
    namespace = element(element(encoding, "tagsDecl"), "namespace", name=NS)
    for gi, occurs in sorted(counts.items()):
        element(namespace, "tagUsage", gi=gi, occurs=str(occurs))
