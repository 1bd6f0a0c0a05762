"""``stenogram export --format tei``: ParlaMint-style TEI, every event file and the corpus root
valid against ParlaMint's RelaxNG schemas, and every pointer of a file resolving in the root."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import etree

from stenogram.archive import Archive
from stenogram.export import akn, tei
from stenogram.export.records import Corpus, ExportedEvent, Selection, archive_events
from stenogram.export.run import open_corpus
from stenogram.export.xmlparts import event_file, person_ref, to_bytes
from stenogram.model import Document, Narrative, Speech
from stenogram.parse.kremlin_html_body import OMISSION
from stenogram.settings import Settings
from stenogram.web import create_app
from xmlexport import (
    GOLDEN,
    NOW,
    QUERY,
    SEED_REF,
    export,
    invalid,
    sample_archive,
    tei_schemas,
)

TEI = "{http://www.tei-c.org/ns/1.0}"
AKN = "{http://docs.oasis-open.org/legaldocml/ns/akn/3.0}"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
XI = "{http://www.w3.org/2001/XInclude}include"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path) -> Iterator[Archive]:
    with sample_archive(tmp_path_factory.mktemp("tei"), shared_dir) as opened:
        yield opened


@pytest.fixture(scope="module")
def exported(archive: Archive, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tei-out")
    written = export(archive, "tei", out)
    assert written.events == archive.counts()["events"] and written.files == (tei.ROOT,)
    return out


def _all(tree: etree._ElementTree | etree._Element, tag: str) -> list[etree._Element]:
    return list(tree.iter(f"{TEI}{tag}"))


def test_every_file_and_the_root_are_valid_parlamint(archive: Archive, exported: Path) -> None:
    component, root = tei_schemas()
    files = sorted(p for p in exported.glob("*.xml") if p.name != tei.ROOT)
    assert len(files) == archive.counts()["events"]
    assert [bad for path in files if (bad := invalid(component, path))] == []
    assert invalid(root, exported / tei.ROOT) is None
    # An utterance without its speaker type is refused: the schema is not a rubber stamp.
    tree = etree.parse(str(exported / f"{SEED_REF}.xml"))
    del _all(tree, "u")[0].attrib["ana"]
    assert not component.validate(tree)


def test_root_includes_every_file_and_resolves_their_pointers(
    archive: Archive, exported: Path
) -> None:
    root = etree.parse(str(exported / tei.ROOT))
    included = [e.get("href") for e in root.iter(XI)]
    assert sorted(included) == sorted(p.name for p in exported.glob("*.xml") if p.name != tei.ROOT)
    persons = {e.get(XML_ID) for e in _all(root, "person")}
    categories = {e.get(XML_ID) for e in _all(root, "category")}
    assert {"chair", "regular", "guest", "event"} <= categories
    for name in included:
        tree = etree.parse(str(exported / name))
        utterances = _all(tree, "u")
        assert {u.get("who")[1:] for u in utterances if u.get("who")} <= persons, name
        assert {u.get("ana")[1:] for u in utterances} <= categories, name
    assert len(_all(root, "person")) == len(archive.persons())


def _said(seg: etree._Element) -> str:
    """The words of a seg, without the descriptions of its gaps."""
    return " ".join("".join([seg.text or "", *(child.tail or "" for child in seg)]).split())


def _plain(paragraph: str) -> str:
    return " ".join(OMISSION.sub(" ", paragraph).split())


def test_query_export_names_the_speaker_of_every_turn(archive: Archive, tmp_path: Path) -> None:
    export(archive, "tei", tmp_path, query=QUERY)
    listed = {e.get(XML_ID) for e in _all(etree.parse(str(tmp_path / tei.ROOT)), "person")}
    unmatched_named = 0
    for event in open_corpus(archive, Selection(query=QUERY), now=NOW).events():
        utterances = _all(etree.parse(str(tmp_path / event_file(event))), "u")
        kept = {s.position for s in event.speeches}
        for position, (u, person) in enumerate(
            zip(utterances, event.speech_people, strict=True), 1
        ):
            if person is not None:
                assert u.get("who") == "#" + person_ref(person)
                assert person_ref(person) in listed
                unmatched_named += position not in kept
    # The query leaves out turns of resolved speakers, so this asserted something.
    assert unmatched_named > 0


def test_turns_notes_and_gaps_follow_the_record(archive: Archive, exported: Path) -> None:
    for event in archive_events(archive):
        doc = event.document
        tree = etree.parse(str(exported / event_file(event)))
        utterances = _all(tree, "u")
        assert len(utterances) == len(doc.speeches), event.ref
        segs = [[_said(seg) for seg in _all(u, "seg")] for u in utterances]
        expected = [[_plain(p) for p in s.paragraphs or [""]] for s in doc.speeches]
        assert segs == expected, event.ref
        speakers = [n.text for n in _all(tree, "note") if n.get("type") == "speaker"]
        assert speakers == [s.attribution for s in doc.speeches if s.attribution], event.ref
        inline = sum(len(OMISSION.findall(p)) for s in doc.speeches for p in s.paragraphs)
        gaps = sum(1 for n in doc.narrative if n.kind == "omission") + inline
        assert len(_all(tree, "gap")) == gaps, event.ref
        measures = {m.get("unit"): int(m.get("quantity")) for m in _all(tree, "measure")}
        assert measures["speeches"] == len(doc.speeches), event.ref


def test_speaker_types_of_the_seed_and_of_a_press_conference(exported: Path) -> None:
    seed = etree.parse(str(exported / f"{SEED_REF}.xml"))
    assert [(u.get("who"), u.get("ana")) for u in _all(seed, "u")] == [
        ("#p-alexander-lukashenko", "#chair"),
        ("#p-vladimir-putin", "#regular"),
    ]
    # A press conference opened by a question: nobody chairs; the PM has an office, "Q" none.
    conference = etree.parse(str(exported / "pmtranscripts.pmc.gov.au_1869.xml"))
    types = {(u.get("who"), u.get("ana")) for u in _all(conference, "u")}
    assert types == {(None, "#guest"), ("#p-john-gorton", "#regular")}


def _event(paragraph: str) -> tuple[ExportedEvent, Corpus]:
    doc = Document(
        source="en.kremlin.ru",
        title="A meeting",
        language="en",
        format="kremlin-html",
        date=dt.date(2020, 1, 2),
        speeches=(Speech("Chair X", "X", "Chair", (paragraph,)),),
        narrative=(Narrative("* * *", 0, "separator"),),
    )
    event = ExportedEvent(1, "e1", "/events/e1", 1, doc, (), (), (None,))
    corpus = Corpus(lambda: iter([event]), list, Selection(), 1, 1, NOW)
    return event, corpus


def test_an_omission_mark_inside_a_paragraph_is_a_gap_and_an_omissis() -> None:
    event, corpus = _event("First part <…> second part ‹...› end.")
    element = etree.fromstring(to_bytes(tei.component(event, corpus)[0]))
    (seg,) = _all(element, "seg")
    assert seg.text == "First part "
    assert [g.get("reason") for g in _all(seg, "gap")] == ["editorial", "editorial"]
    assert "".join(seg.itertext()).count("passage omitted") == 2
    assert [g.tail for g in _all(seg, "gap")] == [" second part ", " end."]
    document = etree.fromstring(to_bytes(akn.document(event, corpus, {})))
    omissis = list(document.iter(f"{AKN}omissis"))
    assert [o.tail for o in omissis] == [" second part ", " end."]
    # An unresolved speaker is still a person of the references, under the printed name.
    (speech,) = document.iter(f"{AKN}speech")
    assert speech.get("by") == "#speaker-x"


def test_seed_event_matches_the_golden_file(
    archive: Archive, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    export(archive, "tei", tmp_path, event=SEED_REF)
    for name, golden in [(f"{SEED_REF}.xml", "seed.tei.xml"), (tei.ROOT, "seed.tei-corpus.xml")]:
        text = (tmp_path / name).read_text(encoding="utf-8")
        path = GOLDEN / golden
        if request.config.getoption("--repin"):
            path.write_text(text, encoding="utf-8", newline="")
        assert path.is_file(), f"golden file {golden} is missing: run pytest --repin"
        assert text == path.read_text(encoding="utf-8"), f"{golden} differs (pytest --repin)"


def test_event_page_links_its_akn_and_tei_files(archive: Archive, shared_dir: Path) -> None:
    client = TestClient(create_app(Settings(archive=archive.path)), raise_server_exceptions=False)
    page = client.get(f"/events/{SEED_REF}").text
    for name in ("akn", "tei", "txt"):
        assert f'href="/api/events/{SEED_REF}/export?format={name}"' in page
    got = client.get(f"/api/events/{SEED_REF}/export?format=tei")
    assert got.status_code == 200 and got.headers["content-type"] == "application/tei+xml"
    assert "attachment" in got.headers["content-disposition"]
    component, _ = tei_schemas()
    assert component.validate(etree.fromstring(got.content).getroottree())
    got = client.get(f"/api/events/{SEED_REF}/export?format=akn")
    assert got.headers["content-type"] == "application/akn+xml"
    assert etree.fromstring(got.content).tag == f"{AKN}akomaNtoso"
    text = client.get(f"/api/events/{SEED_REF}/export?format=txt").text
    assert text.startswith("Events\nCSTO summit\n")
    refused = client.get(f"/api/events/{SEED_REF}/export?format=csv")
    assert refused.status_code == 400 and "writes no file per event" in refused.text
