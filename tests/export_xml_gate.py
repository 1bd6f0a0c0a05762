"""Quality gate of the XML exports: every event of the development corpus exported as Akoma Ntoso
and as TEI, and every file validated (``make eval-xml``; minutes, so not in the fast suite).

    python tests/export_xml_gate.py --corpus ../shared/corpus [--archive DIR] [--keep DIR]

Without ``--archive`` the corpus's Kremlin pages, Australian transcripts and Russian CSV are
ingested into a temporary archive first. Prints the counts; exits 1 when a file is invalid.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from lxml import etree

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from exportutil import CORPUS_INPUTS  # noqa: E402
from stenogram.export.records import Selection  # noqa: E402
from stenogram.export.run import export  # noqa: E402
from stenogram.export.tei import ROOT  # noqa: E402
from stenogram.ingest import ingest  # noqa: E402
from stenogram.settings import Settings  # noqa: E402
from xmlexport import akn_schema, invalid, tei_schemas  # noqa: E402

SHOWN = 10


def check(
    folder: Path, schema: etree.XMLSchema | etree.RelaxNG, root: etree.RelaxNG | None
) -> tuple[int, list[str]]:
    files = sorted(folder.glob("*.xml"))
    bad = [
        found
        for path in files
        if (found := invalid(root if root is not None and path.name == ROOT else schema, path))
    ]
    return len(files), bad


def run(archive: Path, out: Path, shared: Path) -> list[str]:
    """Both formats of ``archive`` written into ``out`` and validated; the failures (the first
    ten invalid files of each format)."""
    settings = Settings(archive=archive)
    component, root = tei_schemas()
    failures: list[str] = []
    for name, schema, root_schema in (
        ("akn", akn_schema(shared), None),
        ("tei", component, root),
    ):
        started = time.perf_counter()
        written = export(settings, name, out / name, Selection())
        seconds = time.perf_counter() - started
        files, bad = check(out / name, schema, root_schema)
        print(
            f"{name}: {written.events} events, {written.speeches} speeches exported in "
            f"{seconds:.1f} s; {files - len(bad)} of {files} files valid"
        )
        failures += [f"{name}: invalid {line}" for line in bad[:SHOWN]]
        if files < written.events:
            failures.append(f"{name}: {files} files for {written.events} events")
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=HERE.parent.parent / "shared" / "corpus")
    parser.add_argument("--archive", type=Path, help="an archive already ingested (skip ingest)")
    parser.add_argument("--keep", type=Path, help="write the exports here and keep them")
    args = parser.parse_args()
    shared = args.corpus.resolve().parent
    with tempfile.TemporaryDirectory(prefix="xml-gate-") as tmp:
        archive = args.archive
        if archive is None:
            archive = Path(tmp) / "archive"
            inputs = [args.corpus / name for name in CORPUS_INPUTS if (args.corpus / name).exists()]
            summary = ingest(inputs, Settings(archive=archive))
            print(f"ingested {summary.new} documents ({summary.failed} failed to parse)")
        failures = run(archive, args.keep or Path(tmp) / "out", shared)
        for failure in failures:
            print(failure)
        return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
