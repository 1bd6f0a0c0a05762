"""What the AKN and TEI export tests share: a small real archive, the schemas, a validator."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lxml import etree

from stenogram.archive import Archive
from stenogram.export.formats import Written, formats
from stenogram.export.records import Selection
from stenogram.export.run import open_corpus
from stenogram.ingest import ingest
from stenogram.settings import Settings
from webutil import SEED_NAME, fixture_pages

TESTS = Path(__file__).resolve().parent
PARLAMINT = TESTS / "schemas" / "parlamint"
GOLDEN = TESTS / "golden" / "export"
SEED_REF = "c7b7elv43ti47"
NOW = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
#: A query that matches some turns of the sample archive and leaves out others of named speakers.
QUERY = "Lukashenko"


@contextmanager
def sample_archive(tmp: Path, shared: Path) -> Iterator[Archive]:
    """The Kremlin fixture pages, the Australian transcripts and the seed, ingested, open."""
    pages = tmp / "pages"
    pages.mkdir()
    pm = sorted((TESTS / "fixtures" / "pm-au").glob("*.xml"))
    for page in [*fixture_pages(), *pm, shared / "seed" / SEED_NAME]:
        shutil.copy(page, pages / page.name)
    summary = ingest([pages], Settings(archive=tmp / "archive"))
    assert summary.new >= len(fixture_pages()) + 1
    with Archive.open(tmp / "archive", create=False) as opened:
        yield opened


def export(archive: Archive, name: str, out: Path, **selection: str) -> Written:
    corpus = open_corpus(archive, Selection(**selection), now=NOW)
    return formats()[name].write(corpus, out)


def invalid(schema: etree.XMLSchema | etree.RelaxNG, path: Path) -> str | None:
    """None when ``path`` is valid, else the file's name and the schema's first complaint."""
    if schema.validate(etree.parse(str(path))):
        return None
    return f"{path.name}: {schema.error_log.filter_from_errors()[0]}"


def akn_schema(shared: Path) -> etree.XMLSchema:
    """akomantoso30.xsd imports ./xml.xsd beside it: read locally, never fetched."""
    parser = etree.XMLParser(no_network=True)
    return etree.XMLSchema(
        etree.parse(str(shared / "schemas" / "akn" / "akomantoso30.xsd"), parser)
    )


def tei_schemas() -> tuple[etree.RelaxNG, etree.RelaxNG]:
    """ParlaMint's schemas of an event file and of the corpus root."""
    return (
        etree.RelaxNG(etree.parse(str(PARLAMINT / "ParlaMint-TEI.rng"))),
        etree.RelaxNG(etree.parse(str(PARLAMINT / "ParlaMint-teiCorpus.rng"))),
    )
