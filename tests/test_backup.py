"""Backup and restore (issue 12): everything the archive holds comes back the same, on either
backend, and a damaged backup is refused by name with nothing restored."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from dbutil import full_archive
from stenogram.archive import Archive
from stenogram.archive.backup import MANIFEST, restore_backup, write_backup
from stenogram.archive.copy import copy_between, table_summaries
from stenogram.archive.schema import events
from stenogram.cli import app
from stenogram.errors import StoreError
from stenogram.queries import search_archive
from stenogram.settings import Settings


@pytest.fixture
def full(tmp_path: Path, fixtures_dir: Path) -> Path:
    return full_archive(tmp_path, fixtures_dir)


def _cli(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def _sample_refs(archive: Archive, every: int = 97) -> tuple[str, ...]:
    """Archive ids of a spread of events (ids are kept by a restore, so they name the same)."""
    with archive.reading() as conn:
        ids = conn.scalars(select(events.c.id).order_by(events.c.id)).all()
    return tuple(str(i) for i in ids[::every])


def _same_archive(
    a: Archive, b: Archive, refs: tuple[str, ...] = ("51307", "51437", "55352")
) -> None:
    where = {"path", "database", "bytes"}  # the folder, the database and its size on disk
    assert {k: v for k, v in a.info().to_dict().items() if k not in where} == {
        k: v for k, v in b.info().to_dict().items() if k not in where
    }
    assert [(t.name, t.rows, t.digest) for t in table_summaries(a)] == [
        (t.name, t.rows, t.digest) for t in table_summaries(b)
    ]
    for ref in refs:
        assert a.event(ref).to_dict() == b.event(ref).to_dict()  # same speech ids, permalinks
    assert a.persons() == b.persons()


def test_a_backup_restores_everything_on_either_backend(
    full: Path,
    tmp_path: Path,
    database: str | None,
    new_database: Callable[[], str | None],
) -> None:
    # The archive backed up lives on the test's backend.
    source = full
    if database is not None:
        copy_between(str(full), database, tmp_path / "node")
    backup = tmp_path / "backup"
    node = tmp_path / "node" if database else full
    code, _, err = _cli("export", "--format", "archive", "--out", backup, "--archive", node)
    assert code == 0, err
    manifest = json.loads((backup / MANIFEST).read_text())
    assert manifest["raw_bodies"] == 1 and not (backup / "index").exists()
    # ... and is restored, by the CLI, into a new archive of the same backend.
    target = new_database()
    args = ["import", backup, "--archive", tmp_path / "restored", "--json"]
    code, out, err = _cli(*args, *(["--database", target] if target else []))
    assert code == 0, err
    assert json.loads(out)["tables"] == manifest["tables"]
    with (
        Archive.open(source, create=False) as original,
        Archive.open(tmp_path / "restored", database=target, create=False) as restored,
    ):
        _same_archive(original, restored)
    # The restored node built its own search index.
    settings = Settings(archive=tmp_path / "restored", database=target)
    assert search_archive(settings, "Golikova").hits
    assert (tmp_path / "restored" / "raw").is_dir()


@pytest.fixture
def backup(full: Path, tmp_path: Path) -> Path:
    with Archive.open(full, create=False) as archive:
        return write_backup(archive, tmp_path / "backup").path


def _refused(backup: Path, tmp_path: Path, message: str, names: Path) -> None:
    with Archive.open(tmp_path / "target") as target:
        with pytest.raises(StoreError, match=message) as caught:
            restore_backup(backup, target)
        assert caught.value.document == str(names)
        assert target.info().events == 0 and target.persons() == []  # nothing restored


def test_a_raw_body_that_no_longer_matches_its_hash_is_refused(
    backup: Path, tmp_path: Path
) -> None:
    body = next(p for p in (backup / "raw").rglob("*") if p.is_file())
    body.write_bytes(body.read_bytes()[:-1] + b"!")
    _refused(backup, tmp_path, "does not match its hash", body)


def test_a_missing_raw_body_or_manifest_is_refused(backup: Path, tmp_path: Path) -> None:
    next(p for p in (backup / "raw").rglob("*") if p.is_file()).unlink()
    _refused(backup, tmp_path, "holds 0 raw bodies, its manifest says 1", backup / "raw")
    (backup / MANIFEST).unlink()
    _refused(backup, tmp_path, "not a stenogram backup", backup)


def test_a_truncated_database_is_refused(backup: Path, tmp_path: Path) -> None:
    database = backup / "stenogram.db"
    database.write_bytes(database.read_bytes()[: database.stat().st_size // 3])
    _refused(backup, tmp_path, "cannot be read|was changed or is damaged", database)


def test_a_changed_table_is_refused(backup: Path, tmp_path: Path) -> None:
    with sqlite3.connect(backup / "stenogram.db") as conn:
        conn.execute("UPDATE events SET title = 'Edited' WHERE id = (SELECT min(id) FROM events)")
    _refused(backup, tmp_path, "table events .* the manifest says", backup / "stenogram.db")


def test_an_interrupted_backup_leaves_no_backup_and_a_full_folder_is_refused(
    full: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "backup"

    def failing(*_: object) -> object:
        raise StoreError("the disk is full")

    monkeypatch.setattr("stenogram.archive.backup.copy_archive", failing)
    with Archive.open(full, create=False) as archive, pytest.raises(StoreError, match="full"):
        write_backup(archive, out)
    assert not out.exists() and not list(tmp_path.glob(".backup*"))
    monkeypatch.undo()
    out.mkdir()
    (out / "x").write_text("")
    with Archive.open(full, create=False) as archive, pytest.raises(StoreError, match="not empty"):
        write_backup(archive, out)
    args = ("export", "--format", "archive", "--query", "gas", "--out", tmp_path / "q")
    code, _, err = _cli(*args, "--archive", full)
    assert code != 0 and "whole archive" in err


@pytest.mark.corpus
def test_a_backup_of_the_whole_development_corpus_restores_the_same(
    corpus_archive: Path, tmp_path: Path
) -> None:
    with Archive.open(corpus_archive, create=False) as archive:
        write_backup(archive, tmp_path / "backup")
    code, _, err = _cli("import", tmp_path / "backup", "--archive", tmp_path / "restored")
    assert code == 0, err
    with (
        Archive.open(corpus_archive, create=False) as original,
        Archive.open(tmp_path / "restored", create=False) as restored,
    ):
        assert original.info().events > 10_000
        _same_archive(original, restored, refs=_sample_refs(original))
