"""Server mode's foundation on both backends: schema migrations, ids, concurrent writers, and the
``--database`` option (the other archive tests run on both backends through ``database``)."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine
from typer.testing import CliRunner

from dbutil import sql_rows
from pgcluster import empty_database
from stenogram.archive import Archive, migrate
from stenogram.archive.dialects.postgresql import engine_url
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
    assert (code, err.strip()) == (0, "schema 0003 -> 0004")
    with Archive.open(folder, database=url, create=False) as archive:
        assert archive.info().events == 0
    assert _cli("migrate", *options)[2].strip() == "schema 0004: already current"


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
