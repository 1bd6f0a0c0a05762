"""The ingest pipeline on real pages: counts, idempotence, revisions, failures, people, index."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from dbutil import sql_rows
from stenogram import ingest as ingest_module
from stenogram.errors import StoreError
from stenogram.ingest import (
    IngestProgress,
    ingest,
    merge_persons,
    open_archive,
    open_settings,
    reindex,
    split_person,
)
from stenogram.search import read_seq, search
from stenogram.settings import Settings

PAGES = (
    "archive/51437.html",
    "archive/55352.html",
    "archive/9269.html",
    "kremlin-html/en-13679.html",
)
SEED = "seed/000_46537543d1896dfd.txt"


@pytest.fixture
def pages(tmp_path: Path, fixtures_dir: Path, shared_dir: Path) -> Path:
    folder = tmp_path / "pages"
    folder.mkdir()
    for name in PAGES:
        shutil.copy(fixtures_dir / name, folder / Path(name).name)
    shutil.copy(shared_dir / SEED, folder / "seed.txt")
    return folder


@pytest.fixture
def settings(tmp_path: Path, database: str | None) -> Settings:
    return Settings(archive=tmp_path / "archive", database=database)


_rows = sql_rows


def test_ingest_stores_every_page_and_is_idempotent(pages: Path, settings: Settings) -> None:
    seen: list[IngestProgress] = []
    first = ingest([pages], settings, progress=seen.append)
    assert (first.new, first.updated, first.unchanged, first.failed) == (5, 0, 0, 0)
    assert seen and seen[-1].done == 5 and seen[-1].new == 5
    speeches = _rows(settings, "SELECT count(*) FROM speeches")[0][0]
    with open_archive(settings) as archive:
        seq = archive.max_seq()
        assert read_seq(archive.index_path) == seq
        assert archive.event("13679").document.speeches[0].speaker == "Alexander Lukashenko"
    people = _rows(settings, "SELECT * FROM person_names ORDER BY person_id, position")

    again = ingest([pages], settings)
    assert (again.new, again.updated, again.unchanged, again.failed) == (0, 0, 5, 0)
    with open_archive(settings) as archive:
        assert archive.max_seq() == seq
    assert _rows(settings, "SELECT count(*) FROM speeches")[0][0] == speeches
    assert _rows(settings, "SELECT * FROM person_names ORDER BY person_id, position") == people


def test_parse_workers_keep_the_input_order(
    pages: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One document per chunk: the workers take turns document by document.
    monkeypatch.setattr(ingest_module, "CHUNK", 1)
    (pages / "broken.html").write_bytes(b"")
    summary = ingest([pages], settings)
    assert (summary.new, summary.failed) == (5, 1)
    stored = _rows(settings, "SELECT e.source_id, r.origin FROM events e "
                   "JOIN revisions r ON r.event_id = e.id ORDER BY e.seq")  # fmt: skip
    names = sorted(p.name for p in pages.iterdir() if p.name != "broken.html")
    assert [Path(str(origin)).name for _, origin in stored] == names


def test_a_truncated_archive_fails_by_name_and_its_readable_members_are_stored(
    pages: Path, settings: Settings, corpus_dir: Path, tmp_path: Path
) -> None:
    cut = tmp_path / "cut.tar.xz"
    cut.write_bytes((corpus_dir / "kremlin-en-2000-2020.tar.xz").read_bytes()[:200_000])
    summary = ingest([cut, pages], settings)
    assert summary.failed == 1 and summary.new > 5
    (name, reason), *_ = summary.failures
    assert name == str(cut) and "truncated or corrupt archive" in reason


def test_a_crash_while_reading_stops_the_ingest_with_its_reason(
    pages: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A bug in the reading process (not a bad document) must surface, not hang the run.
    real = ingest_module.iter_documents

    def failing(paths: object, *, max_bytes: int) -> object:
        yield from itertools.islice(real(paths, max_bytes=max_bytes), 3)  # type: ignore[arg-type]
        raise MemoryError("reader ran out of memory")

    monkeypatch.setattr(ingest_module, "CHUNK", 1)
    monkeypatch.setattr(ingest_module, "iter_documents", failing)
    with pytest.raises(RuntimeError, match="MemoryError: reader ran out of memory"):
        ingest([pages], settings)


def test_changed_page_is_a_new_revision(pages: Path, settings: Settings) -> None:
    ingest([pages], settings)
    page = pages / "55352.html"
    html = page.read_text(encoding="utf-8")
    with open_archive(settings) as archive:
        before = archive.event("55352")
    asked = "How is your work proceeding?"
    assert before.document.speeches[0].text.endswith(asked) and html.count(asked) == 1
    page.write_text(html.replace(asked, "How is your work proceeding, indeed?"), encoding="utf-8")
    summary = ingest([pages], settings)
    assert (summary.new, summary.updated, summary.unchanged) == (0, 1, 4)
    with open_archive(settings) as archive:
        after = archive.event("55352")
        assert (after.revision, after.revisions) == (2, 2)
        hits = search(archive.index_path, '"indeed"')
    assert any(hit.source_id == "55352" for hit in hits.hits)


def _roles(settings: Settings) -> list[tuple[object, ...]]:
    return _rows(settings, "SELECT * FROM memberships ORDER BY person_id, position")


def test_an_updated_page_counts_once_in_its_people_roles(pages: Path, settings: Settings) -> None:
    ingest([pages], settings)
    roles = _roles(settings)
    # 55352 is the one page where Andrei Kostin speaks, as VTB's President and Chairman...
    kostin = [(r[2], r[5]) for r in roles if r[0] == "andrei-kostin"]
    assert kostin == [("President and Chairman of the Board of VTB Bank", 1)]
    page = pages / "55352.html"
    html = page.read_text(encoding="utf-8")
    asked = "How is your work proceeding?"
    page.write_text(html.replace(asked, "How is your work proceeding, indeed?"), encoding="utf-8")
    assert ingest([pages], settings).updated == 1
    # ...and still once after a new revision of the page was read by a fresh directory.
    assert _roles(settings) == roles


def test_failures_are_counted_and_the_rest_stored(pages: Path, settings: Settings) -> None:
    (pages / "empty.html").write_bytes(b"")
    (pages / "binary.html").write_bytes(bytes(range(256)) * 40)
    summary = ingest([pages, pages / "missing.html"], settings)
    assert (summary.new, summary.failed) == (5, 3)
    names = {Path(name).name for name, _ in summary.failures}
    assert names == {"empty.html", "binary.html", "missing.html"}
    assert all(reason for _, reason in summary.failures)
    assert _rows(settings, "SELECT count(*) FROM events")[0][0] == 5


def test_people_resolved_across_documents(pages: Path, settings: Settings) -> None:
    ingest([pages], settings)
    rows = _rows(
        settings,
        "SELECT DISTINCT s.person_id FROM speeches s WHERE s.speaker = 'Alexander Lukashenko'",
    )
    assert len(rows) == 1 and rows[0][0] is not None
    person = rows[0][0]
    events = _rows(settings, f"SELECT DISTINCT event_id FROM speeches WHERE person_id = '{person}'")
    assert len(events) == 2  # the seed and en-13679
    forms = {
        r[0] for r in _rows(settings, f"SELECT text FROM person_names WHERE person_id = '{person}'")
    }
    assert {"Alexander Lukashenko", "Lukashenko Alexander"} <= forms


def _person_of(settings: Settings, speaker: str) -> str:
    rows = _rows(settings, f"SELECT DISTINCT person_id FROM speeches WHERE speaker = '{speaker}'")
    assert len(rows) == 1
    return str(rows[0][0])


def _replayed(settings: Settings, pages: Path, folder: Path, database: str | None) -> Settings:
    """A fresh archive given this archive's overrides, then the same pages."""
    fresh = Settings(archive=folder, database=database)
    with open_settings(fresh, create=True) as archive, open_settings(settings) as old:
        for override in old.overrides():
            archive.add_override(override)
    assert ingest([pages], fresh).new == 5
    return fresh


def test_merge_and_split_survive_reingest(
    pages: Path, settings: Settings, tmp_path: Path, new_database: Callable[[], str | None]
) -> None:
    ingest([pages], settings)
    putin = _person_of(settings, "Vladimir Putin")
    lukashenko = _person_of(settings, "Alexander Lukashenko")
    assert putin != lukashenko
    merged = merge_persons(settings, putin, lukashenko)
    assert merged.id == putin
    assert _person_of(settings, "Alexander Lukashenko") == putin
    assert not _rows(settings, f"SELECT 1 FROM people WHERE id = '{lukashenko}'")
    with open_settings(settings) as archive:  # the index followed the re-pointed speeches
        assert read_seq(archive.index_path) == archive.max_seq()
    fresh = _replayed(settings, pages, tmp_path / "fresh-merge", new_database())
    assert _person_of(fresh, "Alexander Lukashenko") == _person_of(fresh, "Vladimir Putin")

    moved = split_person(settings, putin, ["Alexander Lukashenko"])
    assert moved.id != putin
    assert _person_of(settings, "Alexander Lukashenko") == moved.id
    assert _person_of(settings, "Vladimir Putin") == putin
    with open_settings(settings) as archive:
        assert [o.action for o in archive.overrides()] == ["merge", "split"]
    state = _rows(settings, "SELECT speaker, person_id FROM speeches ORDER BY id")

    # The same pages again: nothing moves back.
    assert ingest([pages], settings).unchanged == 5
    assert _rows(settings, "SELECT speaker, person_id FROM speeches ORDER BY id") == state
    fresh = _replayed(settings, pages, tmp_path / "fresh-split", new_database())
    assert _person_of(fresh, "Alexander Lukashenko") != _person_of(fresh, "Vladimir Putin")
    # The split's record carries the new person's id: the replay lands on that same id.
    assert _person_of(fresh, "Alexander Lukashenko") == moved.id
    roles = "SELECT role, count FROM memberships WHERE person_id = '{}' ORDER BY position"
    assert _rows(fresh, roles.format(moved.id)) == _rows(settings, roles.format(moved.id))
    assert _rows(settings, roles.format(moved.id))  # his roles moved with his name


def test_open_archive_catches_up_a_lagging_index(pages: Path, settings: Settings) -> None:
    ingest([pages], settings)
    index = settings.archive / "index"
    shutil.rmtree(index)
    with open_archive(settings) as archive:
        assert read_seq(index) == archive.max_seq() > 0
        assert search(index, "Lukashenko").total > 0
    with pytest.raises(StoreError, match="no archive"):
        open_archive(Settings(archive=settings.archive.parent / "nowhere"))


def test_reindex_rebuilds_from_the_database(pages: Path, settings: Settings) -> None:
    ingest([pages], settings)
    speeches = int(str(_rows(settings, "SELECT count(*) FROM speeches")[0][0]))
    rows = reindex(settings)
    assert rows == speeches + 5  # one row per speech and one per event
    assert search(settings.archive / "index", "Lukashenko").total > 0
