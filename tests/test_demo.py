"""The demo corpus of ``make demo``: real pages, from ../shared/corpus or the packaged sample."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from stenogram.demo import MAX_PAGES, SEED, demo_paths, packaged
from stenogram.demo.__main__ import main
from stenogram.errors import SourceError
from stenogram.model import Document
from stenogram.queries import search_archive
from stenogram.settings import Settings
from stenogram.sources import parse_paths


def test_packaged_sample_is_real_attributed_and_ingests(tmp_path: Path) -> None:
    paths = demo_paths(None)
    assert [p.name for p in paths] == ["kremlin-en-sample.tar.xz", SEED]
    with tarfile.open(paths[0]) as tar:
        names = tar.getnames()
    assert 0 < len(names) <= 30 and all(n.endswith(".html") for n in names)
    readme = (packaged().parent / "README.md").read_text(encoding="utf-8")
    assert "Presidential Executive Office of Russia, kremlin.ru, CC BY 4.0" in readme

    assert main(["--shared", str(tmp_path / "none"), "--archive", str(tmp_path / "a")]) == 0
    settings = Settings(archive=tmp_path / "a")
    hits = search_archive(settings, '"CSTO summit"', events=True)
    assert [h.title for h in hits.hits] == ["CSTO summit"]
    # Every page of the sample has a transcript with two speakers or more (how it was chosen).
    speakers = search_archive(settings, "the", limit=1).facets["speaker"]
    assert len(speakers) >= 10
    # A second run stores nothing again.
    assert main(["--shared", str(tmp_path / "none"), "--archive", str(tmp_path / "a")]) == 0


def test_shared_corpus_gives_a_few_hundred_pages_over_the_years(
    shared_dir: Path, corpus_dir: Path, tmp_path: Path
) -> None:
    with pytest.raises(SourceError):
        demo_paths(shared_dir)  # the pages need somewhere to go
    paths = demo_paths(shared_dir, into=tmp_path / "pages")
    pages = [p for p in paths if p.suffix == ".html"]
    assert 200 <= len(pages) <= MAX_PAGES
    assert all(p.parent == tmp_path / "pages" for p in pages)
    assert corpus_dir / "kremlin-ru-2025.csv" in paths and paths[-1].name == SEED
    docs = [d for d in parse_paths(pages) if isinstance(d, Document)]
    assert len(docs) == len(pages)
    years = {str(d.date)[:4] for d in docs if d.date}
    assert min(years) <= "2001" and max(years) >= "2019"


def test_shipped_seed_and_contract_are_the_shared_ones(shared_dir: Path) -> None:
    """The tests read these copies when ../shared is absent: they must not drift from it."""
    contract = Path(__file__).parent / "fixtures" / "contract" / "seed.expected.json"
    assert (shared_dir / "seed" / SEED).read_bytes() == (packaged() / SEED).read_bytes()
    assert (shared_dir / "contract" / contract.name).read_bytes() == contract.read_bytes()
