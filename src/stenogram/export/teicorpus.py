"""The TEI export's root, ``corpus.xml``: a ParlaMint ``<teiCorpus>`` holding what the event files
point to (speaker and document types, publishers, persons) and an ``xi:include`` of each file.

Only what the archive knows is written: names are ``<term>``s (the archive does not split
forenames from surnames), and no sex, birth or affiliation is made up.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from .. import __version__
from ..model import Person
from .datapackage import source_info
from .records import Corpus, ExportedEvent
from .teiheader import (
    NS,
    SPEAKER_TYPES,
    encoding_start,
    extent,
    publication,
    tags_decl,
    word_count,
)
from .xmlparts import XI, element, event_day, ncname, person_ref

EDITORIAL = {
    "correction": "No correction: the text is the publisher's.",
    "normalization": "Whitespace normalised; the publisher's spelling kept.",
    "hyphenation": "No end-of-line hyphenation in the source (web pages).",
    "quotation": "Quotation marks kept as published.",
    "segmentation": "One seg per paragraph of the publisher's page.",
}


@dataclass(slots=True)
class Totals:
    """What the root says of all the event files, gathered while they are written."""

    tags: Counter[str] = field(default_factory=Counter)
    languages: Counter[str] = field(default_factory=Counter)
    words: int = 0
    first: str | None = None
    last: str | None = None

    def add(self, event: ExportedEvent, tags: Counter[str]) -> None:
        self.tags += tags
        self.languages[event.document.language] += 1
        self.words += word_count(event)
        day = event_day(event)
        if day:
            when = day.isoformat()
            self.first = min(self.first or when, when)
            self.last = max(self.last or when, when)


def _taxonomies(encoding: ET.Element) -> None:
    classes = element(encoding, "classDecl")
    speakers = element(classes, "taxonomy", xml_id="speaker_types")
    element(element(speakers, "desc", xml_lang="en"), "term", "Types of speakers")
    for name, meaning in SPEAKER_TYPES.items():
        desc = element(element(speakers, "category", xml_id=name), "catDesc", xml_lang="en")
        element(desc, "term", name).tail = f": {meaning}"
    events = element(classes, "taxonomy", xml_id="event_types")
    element(element(events, "desc", xml_lang="en"), "term", "Types of documents")
    desc = element(element(events, "category", xml_id="event"), "catDesc", xml_lang="en")
    element(desc, "term", "event").tail = ": an event page of a press office, with its transcript"


def _encoding(header: ET.Element, totals: Totals) -> None:
    encoding = encoding_start(header)
    decl = element(encoding, "editorialDecl")
    for tag, said in EDITORIAL.items():
        element(element(decl, tag), "p", said, xml_lang="en")
    tags_decl(encoding, totals.tags)
    _taxonomies(encoding)


def _particip(profile: ET.Element, sources: Iterable[str], persons: list[Person]) -> None:
    partic = element(profile, "particDesc")
    orgs = element(partic, "listOrg")
    for source in sorted(sources) or ["unknown"]:
        info = source_info(source)
        org = element(orgs, "org", xml_id=ncname("org-", source), role="government")
        element(org, "orgName", info["publisher"], xml_lang="en", full="yes")
        if info["path"]:
            element(org, "idno", info["path"], type="URI")
    people = element(partic, "listPerson")
    # ParlaMint wants one person at least: an export without any names one as unknown.
    for person in persons or [Person("unknown", "unknown speaker")]:
        found = element(people, "person", xml_id=person_ref(person.id))
        element(element(found, "persName"), "term", person.name)


def _file_desc(header: ET.Element, corpus: Corpus, totals: Totals) -> None:
    file_desc = element(header, "fileDesc")
    title_stmt = element(file_desc, "titleStmt")
    title = f"stenogram export: {corpus.selection.describe()}"
    element(title_stmt, "title", title, type="main", xml_lang="en")
    resp = element(title_stmt, "respStmt")
    element(resp, "persName", "stenogram")
    element(resp, "resp", "Conversion to TEI", xml_lang="en")
    element(element(title_stmt, "funder"), "orgName", "none (no external funding)", xml_lang="en")
    element(element(file_desc, "editionStmt"), "edition", f"stenogram {__version__}")
    extent(file_desc, totals.tags["u"], totals.words)
    publication(file_desc, corpus, corpus.url("/events"), corpus.sources())
    source_desc = element(file_desc, "sourceDesc")
    for source in sorted(corpus.sources()) or ["unknown"]:
        info = source_info(source)
        bibl = element(source_desc, "bibl")
        element(bibl, "title", info["title"], type="main", xml_lang="en")
        element(element(bibl, "publisher"), "orgName", info["publisher"], xml_lang="en")
        element(bibl, "idno", info["path"] or corpus.url("/events"), type="URI")


def corpus_root(corpus: Corpus, files: list[str], totals: Totals) -> ET.Element:
    """The ``<teiCorpus>`` of the event ``files`` written from ``corpus``."""
    first = totals.languages.most_common(1)[0][0] if totals.languages else "en"
    root = element(None, "teiCorpus", xmlns=NS, xml_id="stenogram", xml_lang=first)
    header = element(root, "teiHeader")
    _file_desc(header, corpus, totals)
    _encoding(header, totals)
    profile = element(header, "profileDesc")
    setting = element(element(profile, "settingDesc"), "setting")
    element(setting, "name", "press-office events", type="genre")
    if totals.first and totals.last:
        span = f"{totals.first} – {totals.last}"
        element(setting, "date", span, **{"from": totals.first, "to": totals.last})
    else:
        created = corpus.created.date().isoformat()
        element(setting, "date", "undated", notAfter=created)
    _particip(profile, corpus.sources(), corpus.persons())
    usage = element(profile, "langUsage")
    for language, n in totals.languages.most_common():
        element(usage, "language", language, ident=language, usage=str(n))
    for name in files:
        ET.SubElement(root, f"{{{XI}}}include", href=name)
    return root
