"""ParlaMint-style TEI: one ``<TEI>`` file per event and a ``corpus.xml`` ``<teiCorpus>`` root.

Each event file is valid against ParlaMint's ``ParlaMint-TEI.rng`` and the root
(:mod:`.teicorpus`) against ``ParlaMint-teiCorpus.rng`` (vendored in tests/schemas/parlamint).
A turn is ``<u who="#p-…" ana="#chair|#regular|#guest">`` with one ``<seg>`` per paragraph,
preceded by its printed label as ``<note type="speaker">``; narrative is
``<note type="narrative">`` and an omission ``<gap reason="editorial">``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .. import __version__
from ..model import Narrative
from .datapackage import source_info
from .formats import Written, folder, register
from .records import Corpus, ExportedEvent
from .teicorpus import Totals, corpus_root
from .teiheader import NS, encoding_start, extent, publication, tags_decl, word_count
from .xmlparts import (
    Turn,
    element,
    event_day,
    ncname,
    person_ref,
    pieces,
    sections,
    speaker_label,
    to_bytes,
    write_events,
)

ROOT = "corpus.xml"
GAP = "passage omitted by the publisher"


def speaker_types(items: Iterable[Turn | Narrative]) -> dict[int, str]:
    """``chair``/``regular``/``guest`` by turn position (see ``teiheader.SPEAKER_TYPES``)."""
    turns = [item for item in items if isinstance(item, Turn)]

    def key(turn: Turn) -> str:
        return turn.person_id or speaker_label(turn.speech)

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


def _gap(parent: ET.Element) -> ET.Element:
    gap = element(parent, "gap", reason="editorial")
    element(gap, "desc", GAP, xml_lang="en")
    return gap


def _seg(turn: ET.Element, seg_id: str, text: str) -> None:
    seg = element(turn, "seg", xml_id=seg_id)
    last: ET.Element | None = None
    for piece in pieces(text):
        if piece is None:
            last = _gap(seg)
        elif last is None:
            seg.text = piece
        else:
            last.tail = piece


def _turn(div: ET.Element, item: Turn, doc_id: str, kind: str) -> None:
    if item.speech.attribution:
        element(div, "note", item.speech.attribution, type="speaker")
    attrs = {"xml_id": f"{doc_id}.u{item.position}", "ana": f"#{kind}"}
    if item.person_id:
        attrs["who"] = "#" + person_ref(item.person_id)
    turn = element(div, "u", **attrs)
    for n, paragraph in enumerate(item.speech.paragraphs or ("",), 1):
        _seg(turn, f"{doc_id}.u{item.position}.p{n}", paragraph)


def _body(text: ET.Element, event: ExportedEvent, doc_id: str) -> None:
    doc = event.document
    body = element(text, "body")
    parts = sections(event)
    types = speaker_types(item for items in parts for item in items)
    for number, items in enumerate(parts or [[]], 1):
        div = element(body, "div", type="debateSection", xml_id=f"{doc_id}.d{number}")
        if number == 1:
            element(div, "head", doc.title)
        for item in items:
            if isinstance(item, Turn):
                _turn(div, item, doc_id, types[item.position])
            elif item.kind == "omission":
                _gap(div)
            else:
                element(div, "note", item.text, type="narrative")
        if not items:  # an event page without text: its summary stands for it
            element(div, "note", doc.summary or doc.title, type="summary")


def _header(tei: ET.Element, event: ExportedEvent, corpus: Corpus, counts: Counter[str]) -> None:
    doc = event.document
    info = source_info(doc.source)
    header = element(tei, "teiHeader")
    file_desc = element(header, "fileDesc")
    title_stmt = element(file_desc, "titleStmt")
    element(title_stmt, "title", doc.title, type="main", xml_lang=doc.language)
    element(title_stmt, "meeting", doc.category or "event", ana="#event")
    edition = f"stenogram {__version__}, revision {event.revision}"
    element(element(file_desc, "editionStmt"), "edition", edition)
    extent(file_desc, len(doc.speeches), word_count(event))
    publication(file_desc, corpus, corpus.url(event.permalink), [doc.source])
    bibl = element(element(file_desc, "sourceDesc"), "bibl")
    element(bibl, "title", doc.title, type="main", xml_lang=doc.language)
    element(element(bibl, "publisher"), "orgName", info["publisher"], xml_lang="en")
    element(bibl, "idno", doc.url or corpus.url(event.permalink), type="URI")
    if doc.published:
        element(bibl, "date", doc.published.isoformat(), when=doc.published.isoformat())
    tags_decl(encoding_start(header), counts)
    setting = element(element(element(header, "profileDesc"), "settingDesc"), "setting")
    if doc.place:
        element(setting, "name", doc.place, type="place")
    element(setting, "name", info["publisher"], type="org")
    day = event_day(event)
    if day:
        element(setting, "date", day.isoformat(), when=day.isoformat())
    else:  # ParlaMint wants a date: an undated page (an announcement) is dated no later than
        created = corpus.created.date().isoformat()  # its export
        element(setting, "date", "undated", notAfter=created)


def component(event: ExportedEvent, corpus: Corpus) -> tuple[ET.Element, Counter[str]]:
    """The ``<TEI>`` element of one event and the count of each element in its text."""
    doc_id = ncname("ev-", event.ref)
    language = event.document.language
    tei = element(None, "TEI", xmlns=NS, xml_id=doc_id, xml_lang=language, ana="#event")
    text = element(None, "text", ana="#event")
    _body(text, event, doc_id)
    counts = Counter(node.tag for node in text.iter())
    _header(tei, event, corpus, counts)
    tei.append(text)
    return tei, counts


@dataclass(frozen=True, slots=True)
class TeiFormat:
    name: str = "tei"
    media_type: str = "application/tei+xml"
    suffix: str = ".xml"
    folder: bool = True
    description: str = "ParlaMint-style TEI: one file per event and a corpus.xml teiCorpus root"

    def write(self, corpus: Corpus, out: BinaryIO | Path) -> Written:
        path = folder(out, self.name)
        totals = Totals()

        def render(event: ExportedEvent) -> ET.Element:
            tei, used = component(event, corpus)
            totals.add(event, used)
            return tei

        written, files = write_events(corpus, path, render)
        (path / ROOT).write_bytes(to_bytes(corpus_root(corpus, files, totals)))
        return Written(written.events, written.speeches, (ROOT,))


TEI = register(TeiFormat())
