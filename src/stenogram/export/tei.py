"""ParlaMint-style TEI: one ``<TEI>`` file per event and a ``corpus.xml`` ``<teiCorpus>`` root.

Each event file is valid against ParlaMint's ``ParlaMint-TEI.rng`` and the root against
``ParlaMint-teiCorpus.rng`` (vendored in tests/schemas/parlamint). A turn is
``<u who="#p-…" ana="#chair|#regular|#guest">`` with one ``<seg>`` per paragraph, preceded by
its printed label as ``<note type="speaker">``; narrative is ``<note type="narrative">`` and an
omission ``<gap reason="editorial">``. The root holds what the files point to: the speaker
types, the publishers (``listOrg``) and the persons (``listPerson``), then an ``xi:include``
of every event file. Only what the archive knows is written: names are ``<term>``s (the
archive does not split forenames from surnames), and no sex, birth or affiliation is made up.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .. import __version__
from ..model import Narrative, Person, Speech
from .datapackage import source_info
from .formats import Written, folder, register
from .records import Corpus, ExportedEvent
from .xmlparts import XI, Turn, event_file, ncname, person_ref, pieces, sections, to_bytes

NS = "http://www.tei-c.org/ns/1.0"
XML = "http://www.w3.org/XML/1998/namespace"
ROOT = "corpus.xml"
#: ParlaMint's (only) licence value: the export is CC BY 4.0; each source's own licence, which
#: the publisher gave, is stated next to it (CC BY 3.0 AU allows adaptations under 4.0).
LICENCE = "http://creativecommons.org/licenses/by/4.0/"
GAP = "passage omitted by the publisher"
#: The speaker types of ``u/@ana``, ParlaMint's, and what makes a speaker one of them here.
SPEAKER_TYPES = {
    "chair": "the host: whoever opens the event with an office printed before the name",
    "regular": "a speaker printed with an office (role) in this event",
    "guest": "a speaker printed without an office: journalists, questioners, guests",
}


def _el(parent: ET.Element | None, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    """A TEI element (the root declares the namespace); ``xml_id`` becomes ``xml:id``."""
    named = {
        (f"{{{XML}}}{key[4:]}" if key.startswith("xml_") else key): value
        for key, value in attrs.items()
    }
    made = ET.Element(tag, named) if parent is None else ET.SubElement(parent, tag, named)
    made.text = text
    return made


def _label(speech: Speech) -> str:
    return speech.speaker or speech.attribution or speech.role or "unknown speaker"


def speaker_types(items: Iterable[Turn | Narrative]) -> dict[int, str]:
    """``chair``/``regular``/``guest`` by turn position (see :data:`SPEAKER_TYPES`)."""
    turns = [item for item in items if isinstance(item, Turn)]

    def key(turn: Turn) -> str:
        return turn.person_id or _label(turn.speech)

    with_office = {key(turn) for turn in turns if turn.speech.role}
    chair = key(turns[0]) if turns and turns[0].speech.role else None
    return {
        turn.position: "chair"
        if key(turn) == chair
        else "regular"
        if key(turn) in with_office
        else "guest"
        for turn in turns
    }


def _words(event: ExportedEvent) -> int:
    return sum(len(p.split()) for s in event.document.speeches for p in s.paragraphs)


def _gap(parent: ET.Element) -> ET.Element:
    gap = _el(parent, "gap", reason="editorial")
    _el(gap, "desc", GAP, xml_lang="en")
    return gap


def _seg(turn: ET.Element, seg_id: str, text: str) -> None:
    seg = _el(turn, "seg", xml_id=seg_id)
    last: ET.Element | None = None
    for piece in pieces(text):
        if piece is None:
            last = _gap(seg)
        elif last is None:
            seg.text = piece
        else:
            last.tail = piece


def _body(text: ET.Element, event: ExportedEvent, doc_id: str) -> None:
    doc = event.document
    body = _el(text, "body")
    parts = sections(event)
    types = speaker_types(item for items in parts for item in items)
    for number, items in enumerate(parts or [[]], 1):
        div = _el(body, "div", type="debateSection", xml_id=f"{doc_id}.d{number}")
        if number == 1:
            _el(div, "head", doc.title)
        for item in items:
            if isinstance(item, Narrative):
                if item.kind == "omission":
                    _gap(div)
                else:
                    _el(div, "note", item.text, type="narrative")
                continue
            if item.speech.attribution:
                _el(div, "note", item.speech.attribution, type="speaker")
            attrs = {"xml_id": f"{doc_id}.u{item.position}", "ana": "#" + types[item.position]}
            if item.person_id:
                attrs["who"] = "#" + person_ref(item.person_id)
            turn = _el(div, "u", **attrs)
            for n, paragraph in enumerate(item.speech.paragraphs or ("",), 1):
                _seg(turn, f"{doc_id}.u{item.position}.p{n}", paragraph)
        if not items:  # an event page without text: its summary stands for it
            _el(div, "note", doc.summary or doc.title, type="summary")


def _tags_decl(parent: ET.Element, counts: Counter[str]) -> None:
    namespace = _el(_el(parent, "tagsDecl"), "namespace", name=NS)
    for gi, occurs in sorted(counts.items()):
        _el(namespace, "tagUsage", gi=gi, occurs=str(occurs))


def _availability(parent: ET.Element, sources: Iterable[str]) -> None:
    found = _el(parent, "availability", status="free")
    _el(found, "licence", LICENCE)
    for source in sorted(sources):
        info = source_info(source)
        _el(
            found,
            "p",
            f"Source text from {source}: {info['licence_title']} ({info['publisher']}).",
            xml_lang="en",
        )


def _day(event: ExportedEvent) -> str | None:
    doc = event.document
    day = doc.date or (doc.published.date() if doc.published else None)
    return day.isoformat() if day else None


def _header(tei: ET.Element, event: ExportedEvent, corpus: Corpus, counts: Counter[str]) -> None:
    doc = event.document
    info = source_info(doc.source)
    header = _el(tei, "teiHeader")
    file_desc = _el(header, "fileDesc")
    title_stmt = _el(file_desc, "titleStmt")
    _el(title_stmt, "title", doc.title, type="main", xml_lang=doc.language)
    _el(title_stmt, "meeting", doc.category or "event", ana="#event")
    _el(
        _el(file_desc, "editionStmt"),
        "edition",
        f"stenogram {__version__}, revision {event.revision}",
    )
    extent = _el(file_desc, "extent")
    speeches = len(doc.speeches)
    _el(
        extent,
        "measure",
        f"{speeches} speeches",
        unit="speeches",
        quantity=str(speeches),
        xml_lang="en",
    )
    words = _words(event)
    _el(extent, "measure", f"{words} words", unit="words", quantity=str(words), xml_lang="en")
    publication = _el(file_desc, "publicationStmt")
    _el(_el(publication, "publisher"), "orgName", "stenogram", xml_lang="en")
    _el(publication, "idno", corpus.url(event.permalink), type="URI")
    _availability(publication, [doc.source])
    created = corpus.created.date().isoformat()
    _el(publication, "date", created, when=created)
    bibl = _el(_el(file_desc, "sourceDesc"), "bibl")
    _el(bibl, "title", doc.title, type="main", xml_lang=doc.language)
    _el(_el(bibl, "publisher"), "orgName", info["publisher"], xml_lang="en")
    _el(bibl, "idno", doc.url or corpus.url(event.permalink), type="URI")
    day = _day(event)
    if doc.published:
        _el(bibl, "date", doc.published.isoformat(), when=doc.published.isoformat())
    encoding = _el(header, "encodingDesc")
    _el(_el(encoding, "projectDesc"), "p", PROJECT, xml_lang="en")
    _tags_decl(encoding, counts)
    setting = _el(_el(_el(header, "profileDesc"), "settingDesc"), "setting")
    if doc.place:
        _el(setting, "name", doc.place, type="place")
    _el(setting, "name", info["publisher"], type="org")
    attrs = {"when": day} if day else {}
    _el(setting, "date", day or "undated", **attrs)


PROJECT = (
    "Exported by stenogram, which turns press-office event archives into a searchable, "
    "citable record of what was said; the text is the publisher's, as published."
)


def component(event: ExportedEvent, corpus: Corpus) -> tuple[ET.Element, Counter[str]]:
    """The ``<TEI>`` element of one event and the count of each element in its text."""
    doc_id = ncname("ev-", event.ref)
    tei = _el(None, "TEI", xmlns=NS, xml_id=doc_id, xml_lang=event.document.language, ana="#event")
    text = _el(None, "text", ana="#event")
    _body(text, event, doc_id)
    counts = Counter(node.tag.rpartition("}")[2] for node in text.iter())
    _header(tei, event, corpus, counts)
    tei.append(text)
    return tei, counts


# --- the corpus root ---------------------------------------------------------------------------


def _taxonomies(encoding: ET.Element) -> None:
    classes = _el(encoding, "classDecl")
    speakers = _el(classes, "taxonomy", xml_id="speaker_types")
    _el(_el(speakers, "desc", xml_lang="en"), "term", "Types of speakers")
    for name, meaning in SPEAKER_TYPES.items():
        desc = _el(_el(speakers, "category", xml_id=name), "catDesc", xml_lang="en")
        _el(desc, "term", name).tail = f": {meaning}"
    events = _el(classes, "taxonomy", xml_id="event_types")
    _el(_el(events, "desc", xml_lang="en"), "term", "Types of documents")
    desc = _el(_el(events, "category", xml_id="event"), "catDesc", xml_lang="en")
    _el(desc, "term", "event").tail = ": an event page of a press office, with its transcript"


def _editorial(encoding: ET.Element) -> None:
    decl = _el(encoding, "editorialDecl")
    for tag, said in EDITORIAL.items():
        _el(_el(decl, tag), "p", said, xml_lang="en")


EDITORIAL = {
    "correction": "No correction: the text is the publisher's.",
    "normalization": "Whitespace normalised; the publisher's spelling kept.",
    "hyphenation": "No end-of-line hyphenation in the source (web pages).",
    "quotation": "Quotation marks kept as published.",
    "segmentation": "One seg per paragraph of the publisher's page.",
}


def _particip(profile: ET.Element, sources: Iterable[str], persons: list[Person]) -> None:
    partic = _el(profile, "particDesc")
    orgs = _el(partic, "listOrg")
    for source in sorted(sources) or ["unknown"]:
        info = source_info(source)
        org = _el(orgs, "org", xml_id=ncname("org-", source), role="government")
        _el(org, "orgName", info["publisher"], xml_lang="en", full="yes")
        if info["path"]:
            _el(org, "idno", info["path"], type="URI")
    people = _el(partic, "listPerson")
    for person in persons or [Person("unknown", "unknown speaker")]:
        found = _el(people, "person", xml_id=person_ref(person.id))
        _el(_el(found, "persName"), "term", person.name)


def corpus_root(
    corpus: Corpus,
    files: list[str],
    counts: Counter[str],
    languages: Counter[str],
    span: tuple[str, str] | None,
) -> ET.Element:
    """The ``<teiCorpus>``: the corpus's header, the lists the files point to, the files."""
    first = languages.most_common(1)[0][0] if languages else "en"
    root = _el(None, "teiCorpus", xmlns=NS, xml_id="stenogram", xml_lang=first)
    header = _el(root, "teiHeader")
    file_desc = _el(header, "fileDesc")
    title_stmt = _el(file_desc, "titleStmt")
    _el(
        title_stmt,
        "title",
        f"stenogram export: {corpus.selection.describe()}",
        type="main",
        xml_lang="en",
    )
    resp = _el(title_stmt, "respStmt")
    _el(resp, "persName", "stenogram")
    _el(resp, "resp", "Conversion to TEI", xml_lang="en")
    _el(_el(title_stmt, "funder"), "orgName", "none (no external funding)", xml_lang="en")
    _el(_el(file_desc, "editionStmt"), "edition", f"stenogram {__version__}")
    extent = _el(file_desc, "extent")
    speeches = counts["u"]
    _el(
        extent,
        "measure",
        f"{speeches} speeches",
        unit="speeches",
        quantity=str(speeches),
        xml_lang="en",
    )
    publication = _el(file_desc, "publicationStmt")
    _el(_el(publication, "publisher"), "orgName", "stenogram", xml_lang="en")
    _el(publication, "idno", corpus.url("/events"), type="URI")
    _availability(publication, corpus.sources())
    created = corpus.created.date().isoformat()
    _el(publication, "date", created, when=created)
    source_desc = _el(file_desc, "sourceDesc")
    for source in sorted(corpus.sources()) or ["unknown"]:
        info = source_info(source)
        bibl = _el(source_desc, "bibl")
        _el(bibl, "title", info["title"], type="main", xml_lang="en")
        _el(_el(bibl, "publisher"), "orgName", info["publisher"], xml_lang="en")
        _el(bibl, "idno", info["path"] or corpus.url("/events"), type="URI")
    encoding = _el(header, "encodingDesc")
    _el(_el(encoding, "projectDesc"), "p", PROJECT, xml_lang="en")
    _editorial(encoding)
    _tags_decl(encoding, counts)
    _taxonomies(encoding)
    profile = _el(header, "profileDesc")
    setting = _el(_el(profile, "settingDesc"), "setting")
    _el(setting, "name", "press-office events", type="genre")
    dates = {"from": span[0], "to": span[1]} if span else {}
    _el(setting, "date", f"{span[0]} – {span[1]}" if span else "undated", **dates)
    _particip(profile, corpus.sources(), corpus.persons())
    usage = _el(profile, "langUsage")
    for language, n in languages.most_common():
        _el(usage, "language", language, ident=language, usage=str(n))
    for name in files:
        ET.SubElement(root, f"{{{XI}}}include", href=name)
    return root


@dataclass(frozen=True, slots=True)
class TeiFormat:
    name: str = "tei"
    media_type: str = "application/tei+xml"
    suffix: str = ".xml"
    folder: bool = True
    description: str = "ParlaMint-style TEI: one file per event and a corpus.xml teiCorpus root"

    def write(self, corpus: Corpus, out: BinaryIO | Path) -> Written:
        path = folder(out, self.name)
        files: list[str] = []
        counts: Counter[str] = Counter()
        languages: Counter[str] = Counter()
        days: list[str] = []
        speeches = 0
        for event in corpus.events():
            tei, used = component(event, corpus)
            files.append(event_file(event))
            (path / files[-1]).write_bytes(to_bytes(tei))
            counts += used
            languages[event.document.language] += 1
            days += [d for d in [_day(event)] if d]
            speeches += len(event.document.speeches)
        root = corpus_root(
            corpus, files, counts, languages, (min(days), max(days)) if days else None
        )
        (path / ROOT).write_bytes(to_bytes(root))
        return Written(len(files), speeches, (ROOT,))


TEI = register(TeiFormat())
