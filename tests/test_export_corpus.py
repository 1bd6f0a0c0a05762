"""The export gate in the normal suite: every format of the whole development corpus, every file
validated against its published schema (the fast tests validate a sample archive).

Both tests read the session's one archive of the corpus (:func:`corpus_archive`). The checks
are the gate scripts' own (tests/export_gate.py, tests/export_xml_gate.py), which also run
alone on an archive already built.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import export_gate
import export_xml_gate
from stenogram.archive import Archive


@pytest.mark.corpus
def test_popolo_dataset_parquet_and_jsonl_of_the_whole_corpus_are_valid(
    corpus_archive: Path, shared_dir: Path, tmp_path: Path
) -> None:
    with Archive.open(corpus_archive, create=False) as archive:
        failures = export_gate.check(archive, shared_dir / "schemas", tmp_path)
    assert failures == []


@pytest.mark.corpus
def test_every_akn_and_tei_file_of_the_whole_corpus_is_valid(
    corpus_archive: Path, shared_dir: Path, tmp_path: Path
) -> None:
    assert export_xml_gate.run(corpus_archive, tmp_path, shared_dir) == []
