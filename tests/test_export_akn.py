"""``stenogram export --format akn``: one Akoma Ntoso <debate> per event, valid against the
published XML Schema, saying what the archive holds (speakers, roles, omissions, FRBR dates)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from stenogram.archive import Archive
from stenogram.cli import app
from stenogram.export.records import Selection, archive_events
from stenogram.export.run import open_corpus
from stenogram.export.xmlparts import event_file
from xmlexport import (
    GOLDEN,
    NOW,
    QUERY,
    SEED_REF,
    akn_schema,
    export,
    invalid,
    sample_archive,
)

AKN = "{http://docs.oasis-open.org/legaldocml/ns/akn/3.0}"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path) -> Iterator[Archive]:
    with sample_archive(tmp_path_factory.mktemp("akn"), shared_dir) as opened:
        yield opened


@pytest.fixture(scope="module")
def exported(archive: Archive, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("akn-out")
    written = export(archive, "akn", out)
    assert (written.events, written.speeches) == (
        archive.counts()["events"],
        archive.counts()["speeches"],
    )
    return out


def _find(tree: etree._ElementTree, path: str) -> list[etree._Element]:
    return list(tree.iterfind(path.replace("akn:", AKN)))


def test_every_event_file_is_valid_akoma_ntoso(
    archive: Archive, exported: Path, shared_dir: Path
) -> None:
    if not (shared_dir / "schemas" / "akn").is_dir():
        pytest.skip("../shared/schemas is not present")
    schema = akn_schema(shared_dir)
    files = sorted(exported.glob("*.xml"))
    assert len(files) == archive.counts()["events"]
    assert [bad for path in files if (bad := invalid(schema, path))] == []
    # The schema is not a rubber stamp: a speech without its speaker is refused.
    tree = etree.parse(str(exported / f"{SEED_REF}.xml"))
    del _find(tree, ".//akn:speech")[0].attrib["by"]
    assert not schema.validate(tree)


def test_speeches_point_at_their_persons_and_roles(archive: Archive, exported: Path) -> None:
    for event in archive_events(archive):
        path = exported / event_file(event)
        tree = etree.parse(str(path))
        persons = {e.get("eId") for e in _find(tree, ".//akn:TLCPerson")}
        roles = {e.get("eId") for e in _find(tree, ".//akn:TLCRole")}
        speeches = _find(tree, ".//akn:speech")
        assert {s.get("by")[1:] for s in speeches} == persons, path.name
        assert {s.get("as")[1:] for s in speeches if s.get("as")} == roles, path.name
        doc = event.document
        assert len(speeches) == len(doc.speeches), path.name
        froms = [s.findtext(f"{AKN}from") for s in speeches]
        assert froms == [s.attribution for s in doc.speeches], path.name


def test_seed_identification_and_omission(archive: Archive, exported: Path) -> None:
    doc = archive.event(SEED_REF).document
    tree = etree.parse(str(exported / f"{SEED_REF}.xml"))
    (work,) = _find(tree, ".//akn:FRBRWork")
    assert work.find(f"{AKN}FRBRdate").get("date") == doc.date.isoformat()
    assert work.find(f"{AKN}FRBRcountry").get("value") == "ru"
    people = {e.get("eId"): e.get("showAs") for e in _find(tree, ".//akn:TLCPerson")}
    assert people == {
        "p-alexander-lukashenko": "Alexander Lukashenko",
        "p-vladimir-putin": "Vladimir Putin",
    }
    assert len(_find(tree, ".//akn:omissis")) == doc.omissions == 1
    # The separator after the narrative starts the section of the speeches.
    sections = _find(tree, ".//akn:debateSection")
    assert [len(s.findall(f"{AKN}speech")) for s in sections] == [0, 2]


def test_source_url_and_publication_date_of_a_kremlin_page(
    archive: Archive, exported: Path
) -> None:
    doc = archive.event("55352").document
    tree = etree.parse(str(exported / "55352.xml"))
    aliases = {e.get("name"): e.get("value") for e in _find(tree, ".//akn:FRBRalias")}
    assert aliases == {"source": doc.url, "permalink": "/events/55352"}
    (expression,) = _find(tree, ".//akn:FRBRExpression")
    assert expression.find(f"{AKN}FRBRdate").get("date") == doc.published.date().isoformat()
    assert expression.find(f"{AKN}FRBRlanguage").get("language") == "eng"


def test_query_export_keeps_whole_documents(archive: Archive, tmp_path: Path) -> None:
    written = export(archive, "akn", tmp_path, query="Lukashenko")
    assert written.events >= 1
    tree = etree.parse(str(tmp_path / f"{SEED_REF}.xml"))
    assert len(_find(tree, ".//akn:speech")) == len(archive.event(SEED_REF).document.speeches)


def test_query_export_names_the_speaker_of_every_turn(archive: Archive, tmp_path: Path) -> None:
    export(archive, "akn", tmp_path, query=QUERY)
    unmatched_named = 0
    for event in open_corpus(archive, Selection(query=QUERY), now=NOW).events():
        tree = etree.parse(str(tmp_path / event_file(event)))
        persons = {e.get("eId"): e.get("href") for e in _find(tree, ".//akn:TLCPerson")}
        kept = {s.position for s in event.speeches}
        speeches = _find(tree, ".//akn:speech")
        for position, (speech, person) in enumerate(
            zip(speeches, event.speech_people, strict=True), 1
        ):
            if person is not None:
                assert persons[speech.get("by")[1:]] == f"/ontology/person/{person}"
                unmatched_named += position not in kept
    # The query leaves out turns of resolved speakers, so this asserted something.
    assert unmatched_named > 0


def test_cli_writes_one_file_per_event(archive: Archive, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["--archive", str(archive.path), "export", "--format", "akn", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert len(list(tmp_path.glob("*.xml"))) == archive.counts()["events"]
    assert f"{archive.counts()['events']} events" in result.output


def test_seed_event_matches_the_golden_file(
    archive: Archive, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    export(archive, "akn", tmp_path, event=SEED_REF)
    text = (tmp_path / f"{SEED_REF}.xml").read_text(encoding="utf-8")
    path = GOLDEN / "seed.akn.xml"
    if request.config.getoption("--repin"):
        path.write_text(text, encoding="utf-8", newline="")
    assert path.is_file(), "golden file seed.akn.xml is missing: run pytest --repin"
    assert text == path.read_text(encoding="utf-8"), "seed.akn.xml differs (pytest --repin)"
