"""Server mode's foundation on both backends: schema migrations, ids, concurrent writers, the
``--database`` option and ``stenogram copy`` (the other archive tests run on both backends
through the ``database`` fixture)."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine
from typer.testing import CliRunner

from dbutil import full_archive, sql_rows
from pgcluster import empty_database
from stenogram.archive import Archive, migrate
from stenogram.archive import copy as copy_module
from stenogram.archive.copy import CopyReport, copy_between
from stenogram.archive.dialects.postgresql import engine_url
from stenogram.archive.schema import speeches
from stenogram.cli import app
from stenogram.errors import StoreError
from stenogram.model import Document
from stenogram.parse import parse_bytes
from stenogram.settings import Settings

PAGES = ("51437.html", "55352.html", "9269.html")


@pytest.fixture(scope="module")
def pages(fixtures_dir: Path) -> list[Document]:
    return [
        parse_bytes((fixtures_dir / "archive" / name).read_bytes(), origin=name) for name in PAGES
    ]


def _cli(*args: str | Path, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args], env=env)
    return result.exit_code, result.stdout, result.stderr


def _at_schema(folder: Path, database: str | None, revision: str) -> str | None:
    """An archive whose schema stopped at ``revision``, as an older stenogram left it."""
    if database is not None:
        database = empty_database(database, f"old_{os.getpid()}_{folder.name}")
        url = engine_url(database)
    else:
        folder.mkdir()
        url = f"sqlite:///{folder / 'stenogram.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        config = migrate._config()
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
    engine.dispose()
    return database


def test_an_older_schema_is_refused_until_migrated(tmp_path: Path, database: str | None) -> None:
    folder = tmp_path / "old"
    url = _at_schema(folder, database, "0003")
    with pytest.raises(StoreError, match=r"at schema 0003; run `stenogram migrate`"):
        Archive.open(folder, database=url)
    options = ["--archive", folder] + (["--database", url] if url else [])
    code, _, err = _cli("info", *options)
    assert code != 0 and "run `stenogram migrate`" in err and "Traceback" not in err
    code, _, err = _cli("migrate", *options)
    assert (code, err.strip()) == (0, f"schema 0003 -> {migrate.script_head()}")
    with Archive.open(folder, database=url, create=False) as archive:
        assert archive.info().events == 0
    assert (
        _cli("migrate", *options)[2].strip() == f"schema {migrate.script_head()}: already current"
    )


def test_ids_never_collide_between_new_events_and_revisions(
    tmp_path: Path, database: str | None, pages: list[Document]
) -> None:
    """New events take their speech ids in blocks, a revision's new turns one at a time: on
    PostgreSQL both come from the same sequence, so an id is never handed out twice."""
    with Archive.open(tmp_path / "a", database=database) as archive:
        first = archive.store(pages[0])
        grown = dataclasses.replace(
            pages[0],
            speeches=(
                *pages[0].speeches,
                dataclasses.replace(pages[0].speeches[-1], paragraphs=("A turn added later.",)),
            ),
        )
        assert archive.store(grown).status == "updated"
        later = archive.store_many([(doc, None) for doc in pages[1:]])
        ids = [i for r in [first, *later] for i in archive.event(r.event_id).speech_ids]
        assert len(ids) == len(set(ids)) == sum(len(d.speeches) for d in pages) + 1
        revised = archive.event(first.event_id).speech_ids
        assert revised[-1] > max(revised[:-1])
        assert min(archive.event(later[0].event_id).speech_ids) > revised[-1]


WRITER = """
import dataclasses, os, sys
from pathlib import Path
from stenogram.archive import Archive
from stenogram.parse import parse_bytes
pages = [parse_bytes(Path(p).read_bytes(), origin=p) for p in sys.argv[3:]]
with Archive.open(Path(sys.argv[1]), database=os.environ.get("STENOGRAM_DATABASE")) as archive:
    for start in range(0, 30, 3):
        batch = [pages[i % len(pages)] for i in range(start, start + 3)]
        archive.store_many([
            (dataclasses.replace(doc, source_id=f"{sys.argv[2]}-{start + n}"), None)
            for n, doc in enumerate(batch)
        ])
"""


def test_two_writers_at_once_keep_every_event_whole(
    tmp_path: Path, database: str | None, fixtures_dir: Path, pages: list[Document]
) -> None:
    folder = tmp_path / "a"
    Archive.open(folder, database=database).close()
    script = tmp_path / "writer.py"
    script.write_text(textwrap.dedent(WRITER), encoding="utf-8")
    files = [str(fixtures_dir / "archive" / name) for name in PAGES]
    writers = [
        subprocess.Popen([sys.executable, str(script), str(folder), name, *files], env=os.environ)
        for name in ("left", "right")
    ]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    settings = Settings(archive=folder, database=database)
    events = sql_rows(settings, "SELECT id, speech_count, seq FROM events")
    assert len(events) == 60
    assert len({seq for _, _, seq in events}) == 60  # every write got its own seq
    said = dict(sql_rows(settings, "SELECT event_id, count(*) FROM speeches GROUP BY event_id"))
    assert all(said[event_id] == count for event_id, count, _ in events)


def test_info_json_has_the_same_keys_on_both_backends(
    tmp_path: Path, database: str | None, pages: list[Document]
) -> None:
    folder = tmp_path / "a"
    with Archive.open(folder, database=database) as archive:
        archive.store_many([(doc, None) for doc in pages])
    options = ["--archive", folder] + (["--database", database] if database else [])
    code, out, _ = _cli("info", "--json", *options, env={"STENOGRAM_DATABASE": ""})
    assert code == 0
    facts = json.loads(out)
    assert {k: facts[k] for k in ("events", "revisions", "sources", "people")} == {
        "events": 3,
        "revisions": 3,
        "sources": 1,
        "people": 0,
    }
    assert facts["speeches"] == sum(len(d.speeches) for d in pages)
    assert facts["database"] == (database or str(folder / "stenogram.db"))


@pytest.fixture
def full(tmp_path: Path, fixtures_dir: Path) -> Path:
    return full_archive(tmp_path, fixtures_dir)


def _digests(report: CopyReport) -> dict[str, tuple[int, str]]:
    return {t.name: (t.rows, t.digest) for t in report.tables}


def test_copy_moves_everything_there_and_back(
    full: Path, tmp_path: Path, database: str | None
) -> None:
    middle = database or str(tmp_path / "middle")
    there = copy_between(str(full), middle, tmp_path / "middle")
    assert there.raw_bodies == 1
    counts = dict((name, rows) for name, (rows, _) in _digests(there).items())
    for name in ("events", "revisions", "speeches", "people", "person_overrides",
                 "event_translations", "speech_translations", "raw_responses"):  # fmt: skip
        assert counts[name] > 0, name
    back = copy_between(middle, str(tmp_path / "back"), tmp_path / "middle")
    assert _digests(back) == _digests(there)
    with Archive.open(full, create=False) as a, Archive.open(tmp_path / "back") as b:
        assert a.event("51307").to_dict() == b.event("51307").to_dict()
        assert b.person("tatyana-golikova") == a.person("tatyana-golikova")
        # Ids the source handed out are never handed out again.
        used = a.backend.ids_used
        with a.reading() as conn:
            high = used(conn, speeches)
        event = b.store(dataclasses.replace(b.event("51437").document, source_id="new-1"))
        assert min(b.event(event.event_id).speech_ids) > high
    assert (tmp_path / "back" / "raw").is_dir()


def test_a_failed_copy_keeps_nothing_and_a_full_destination_is_refused(
    full: Path, tmp_path: Path, database: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = database or str(tmp_path / "target")
    real = copy_module._chunks

    def failing(conn: Any, table: Any) -> Any:
        if table.name == "revisions":
            raise StoreError("the disk is full")
        return real(conn, table)

    monkeypatch.setattr(copy_module, "_chunks", failing)
    with pytest.raises(StoreError, match="the disk is full"):
        copy_between(str(full), target, tmp_path / "target")
    monkeypatch.undo()
    with Archive.open(tmp_path / "target", database=database, create=False) as left:
        assert left.info().events == 0 and left.persons() == []
    code, out, err = _cli("copy", "--from", full, "--to", target, "--json",
                          "--archive", tmp_path / "target")  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["tables"]["events"]["rows"] > 0
    code, _, err = _cli("copy", "--from", full, "--to", target, "--archive", tmp_path / "target")
    assert code != 0 and "already holds data" in err


def test_index_option_puts_this_nodes_index_where_it_says(
    tmp_path: Path, database: str | None, fixtures_dir: Path
) -> None:
    folder, index = tmp_path / "a", tmp_path / "node-index"
    options = ["--archive", folder, "--index", index]
    code, _, err = _cli("ingest", *options, fixtures_dir / "archive")
    assert code == 0, err
    assert index.is_dir() and not (folder / "index").exists()
    code, out, _ = _cli("search", "bank", "--json", *options)
    assert code == 0 and json.loads(out.splitlines()[0])["kind"] == "speech"
    # Another node's index, built from the same database by a reindex of its own.
    code, _, err = _cli("reindex", "--archive", folder, "--index", tmp_path / "other-node")
    assert code == 0 and (tmp_path / "other-node").is_dir(), err
