"""The archive store: schema, idempotent storing, reads, index rows, people, durability; on
both backends (the ``database`` fixture)."""

from __future__ import annotations

import dataclasses
import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from stenogram.archive import Archive
from stenogram.archive.identity import identified
from stenogram.archive.migrate import script_head
from stenogram.archive.schema import metadata
from stenogram.errors import NotFound, StoreError
from stenogram.model import Document, DocumentPeople, Membership, NameForm, Person
from stenogram.parse import parse_bytes

PAGES = ("51437.html", "55352.html", "9269.html")


@pytest.fixture(scope="module")
def seed(shared_dir: Path) -> Document:
    path = shared_dir / "seed" / "000_46537543d1896dfd.txt"
    return parse_bytes(path.read_bytes(), origin=path.name)


@pytest.fixture(scope="module")
def pages(fixtures_dir: Path) -> list[Document]:
    return [
        parse_bytes((fixtures_dir / "archive" / name).read_bytes(), origin=name) for name in PAGES
    ]


@pytest.fixture
def archive(tmp_path: Path, database: str | None) -> Iterator[Archive]:
    with Archive.open(tmp_path / "archive", database=database) as opened:
        yield opened


def _sql(archive: Archive, sql: str) -> list[tuple[Any, ...]]:
    """Rows of plain SQL (portable SQL only) read from the archive's database."""
    with archive.reading() as conn:
        return [tuple(row) for row in conn.execute(text(sql))]


def test_open_creates_a_database_matching_the_migrations(archive: Archive) -> None:
    assert _sql(archive, "SELECT version_num FROM alembic_version") == [(script_head(),)]
    with archive.reading() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    if archive.backend.name == "sqlite":
        with sqlite3.connect(archive.path / "stenogram.db") as db:
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_store_is_idempotent_and_round_trips(archive: Archive, seed: Document) -> None:
    first = archive.store(seed)
    assert (first.status, first.revision) == ("new", 1)
    seq = archive.max_seq()
    again = archive.store(dataclasses.replace(seed, origin="elsewhere/copy.txt"))
    assert (again.status, again.event_id, again.revision) == ("unchanged", first.event_id, 1)
    assert archive.max_seq() == seq
    stored = archive.event(first.event_id)
    # The seed has no publisher id: it is stored under its content id.
    assert seed.source_id is None and stored.document == identified(seed)
    assert stored.revisions == 1
    assert len(stored.speech_ids) == len(seed.speeches) == 2
    rows = _sql(archive, "SELECT speaker, role, words FROM speeches ORDER BY position")
    tags = _sql(
        archive,
        "SELECT t.kind, t.name FROM event_tags e JOIN tags t ON t.id = e.tag_id "
        "ORDER BY e.position",
    )
    photo = _sql(archive, "SELECT number, total, credit FROM photos")[0]
    assert rows[0][:2] == ("Alexander Lukashenko", "President of the Republic of Belarus")
    assert rows[1][0] == "Vladimir Putin"
    assert rows[0][2] == len(seed.speeches[0].text.split())
    assert tags == [
        ("geography", "Belarus"),
        ("topics", "CSTO"),
        ("topics", "Foreign policy"),
        ("persons", "Lukashenko Alexander"),
    ]
    assert photo == (5, 21, "Sergey Guneev, RIA Novosti")


def test_event_lookup_by_id_source_id_and_errors(archive: Archive, pages: list[Document]) -> None:
    results = [archive.store(doc) for doc in pages]
    assert [r.status for r in results] == ["new"] * 3
    stored = archive.event("51437")
    assert stored.event_id == results[0].event_id
    assert stored.document.title == pages[0].title
    assert stored.permalink == "/events/51437"
    assert archive.event(str(results[1].event_id)).document.source_id == "55352"
    assert archive.event("en.kremlin.ru:9269").event_id == results[2].event_id
    with pytest.raises(NotFound):
        archive.event("999999")
    # kremlin.ru shares en.kremlin.ru's ids: the bare id stays the English record's, so a
    # permalink issued before the Russian one arrived still points where it did.
    twin = archive.store(dataclasses.replace(pages[0], source="kremlin.ru"))
    assert archive.event("51437").event_id == results[0].event_id
    russian = archive.event("kremlin.ru:51437")
    assert russian.event_id == twin.event_id and russian.document.source == "kremlin.ru"
    assert russian.permalink == "/events/kremlin.ru:51437"
    assert archive.event(russian.permalink.removeprefix("/events/")).event_id == twin.event_id
    # Two other publishers with the same number and no bare-id record: the bare id is ambiguous.
    archive.store(dataclasses.replace(pages[1], source="kremlin.ru", source_id="424242"))
    archive.store(dataclasses.replace(pages[1], source="example.org", source_id="424242"))
    with pytest.raises(NotFound, match="ambiguous"):
        archive.event("424242")


def test_info_counts_and_size(archive: Archive, pages: list[Document], seed: Document) -> None:
    for doc in [*pages, seed]:
        archive.store(doc)
    info = archive.info()
    assert info.events == 4
    assert info.speeches == sum(len(d.speeches) for d in [*pages, seed])
    assert (info.revisions, info.sources, info.people) == (4, 1, 0)
    assert info.bytes > 0
    if archive.backend.name == "sqlite":
        assert info.bytes >= (archive.path / "stenogram.db").stat().st_size


def test_index_rows_follow_seq(archive: Archive, pages: list[Document]) -> None:
    for doc in pages:
        archive.store(doc)
    rows = list(archive.index_rows())
    speeches = [r for r in rows if r.kind == "speech"]
    assert len(speeches) == sum(len(d.speeches) for d in pages)
    assert sum(r.kind == "event" for r in rows) == 3
    assert [r.seq for r in rows] == sorted(r.seq for r in rows)
    first = speeches[0]
    assert first.text == pages[0].speeches[0].text
    assert first.url == "/events/51437#s1"
    assert first.topics == tuple(pages[0].tags.names("topics"))
    mark = archive.max_seq()
    assert list(archive.index_rows(mark)) == []
    changed = dataclasses.replace(pages[1], title=pages[1].title + " (updated)")
    archive.store(changed)
    later = list(archive.index_rows(mark))
    assert {r.source_id for r in later} == {"55352"}
    assert len(later) == len(pages[1].speeches) + 1
    assert all(r.title.endswith("(updated)") for r in later)


def test_new_events_carry_the_index_rows_the_archive_would_give_back(
    archive: Archive, pages: list[Document], seed: Document
) -> None:
    # These pages have narrative, omissions, tags of every kind and sections: all reach the rows.
    results = archive.store_many([(doc, None) for doc in [*pages, seed]])
    carried = [row for result in results for row in result.index_rows or ()]
    assert [r.status for r in results] == ["new"] * 4
    assert carried == list(archive.index_rows())
    changed = dataclasses.replace(pages[0], title=pages[0].title + " (updated)")
    assert archive.store(changed).index_rows is None  # a revision is read back instead


def test_a_current_schema_opens_without_alembic(archive: Archive, database: str | None) -> None:
    from alembic.script import ScriptDirectory

    from stenogram.archive import migrate

    scripts = ScriptDirectory.from_config(migrate._config())
    assert migrate.script_head() == scripts.get_current_head()
    code = textwrap.dedent(f"""
        import sys
        from stenogram.archive import Archive
        Archive.open({str(archive.path)!r}, create=False, database={database!r}).close()
        assert "alembic" not in sys.modules, "alembic was imported"
        """)
    subprocess.run([sys.executable, "-c", code], check=True)


def test_people_are_saved_and_attached(archive: Archive, seed: Document) -> None:
    putin = Person(
        "vladimir-putin",
        "Vladimir Putin",
        (NameForm("Vladimir Putin", "label", "en"), NameForm("В.Путин", "initials", "ru")),
        (Membership("President of Russia", seed.date, seed.date, 3),),
        ("en.kremlin.ru:1",),
    )
    luka = Person("alexander-lukashenko", "Alexander Lukashenko")
    people = DocumentPeople(
        ("alexander-lukashenko", "vladimir-putin"), ("alexander-lukashenko",) + (None,) * 10
    )
    result = archive.store(seed, people=people, persons=[putin, luka])
    assert sorted(archive.persons(), key=lambda p: p.id) == [luka, putin]
    stored = archive.event(result.event_id)
    assert stored.speech_people == people.speeches
    assert stored.participant_people == people.participants
    seq = archive.max_seq()
    # Re-resolving people changes no content, but the index must learn the new ids.
    swapped = DocumentPeople((None, "vladimir-putin"), people.participants)
    assert archive.store(seed, people=swapped).status == "unchanged"
    assert archive.max_seq() == seq + 1
    assert archive.event(result.event_id).speech_people == (None, "vladimir-putin")
    with pytest.raises(StoreError, match="line up"):
        archive.store(seed, people=DocumentPeople(("x",), ()))


def test_unusable_databases_are_store_errors(tmp_path: Path, database: str | None) -> None:
    with pytest.raises(StoreError, match="no archive"):
        Archive.open(tmp_path / "missing", create=False)
    if database is not None:
        gone = database.rsplit("/", 1)[0] + "/no_such_database"
        with pytest.raises(StoreError, match="no_such_database"):
            Archive.open(tmp_path / "elsewhere", database=gone)
        return
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "stenogram.db").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError) as info:
        Archive.open(broken)
    assert str(broken) in str(info.value)


def test_failed_document_leaves_previous_revision_intact(
    archive: Archive, pages: list[Document], monkeypatch: pytest.MonkeyPatch
) -> None:
    archive.store(pages[0])
    before = archive.event("51437")
    from sqlalchemy.exc import OperationalError

    from stenogram.archive import records

    real = records.event_tag_rows

    def fail(*args: object) -> object:
        real(*args)  # type: ignore[arg-type]
        raise OperationalError("INSERT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(records, "event_tag_rows", fail)
    with pytest.raises(StoreError, match="disk I/O error"):
        archive.store(dataclasses.replace(pages[0], title="Changed"))
    after = archive.event("51437")
    assert after == before
    assert _sql(archive, "SELECT count(*) FROM speeches") == [(len(pages[0].speeches),)]


WRITER = """
import dataclasses, os, sys
from pathlib import Path
from stenogram.archive import Archive
from stenogram.parse import parse_bytes
pages = [parse_bytes(Path(p).read_bytes(), origin=p) for p in sys.argv[2:]]
archive = Archive.open(Path(sys.argv[1]), database=os.environ.get("STENOGRAM_DATABASE"))
for i in range(200):
    doc = pages[i % len(pages)]
    archive.store(dataclasses.replace(doc, source_id=f"{doc.source_id}-{i}"))
    print(i, flush=True)
"""


def _complete(archive: Archive) -> int:
    """Check every stored event has all its rows; return how many events there are."""
    if archive.backend.name == "sqlite":
        with sqlite3.connect(archive.path / "stenogram.db") as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    events = _sql(archive, "SELECT id, speech_count, revision FROM events")
    stored = dict(_sql(archive, "SELECT event_id, count(*) FROM speeches GROUP BY event_id"))
    for event_id, count, _revision in events:
        assert stored.get(event_id, 0) == count
    for event_id, count, _revision in events:
        assert len(archive.event(event_id).document.speeches) == count
    return len(events)


def test_sigkill_mid_ingest_loses_nothing_committed(
    tmp_path: Path, fixtures_dir: Path, pages: list[Document], database: str | None
) -> None:
    folder = tmp_path / "archive"
    script = tmp_path / "writer.py"
    script.write_text(textwrap.dedent(WRITER), encoding="utf-8")
    files = [str(fixtures_dir / "archive" / name) for name in PAGES]
    proc = subprocess.Popen(
        [sys.executable, str(script), str(folder), *files],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ,
    )
    assert proc.stdout is not None
    committed = -1
    for line in proc.stdout:
        committed = int(line)
        if committed >= 40:
            break
    proc.kill()
    proc.wait()
    assert 40 <= committed < 199, "the writer must be killed mid-way"
    archive = Archive.open(folder, database=database)
    assert _complete(archive) >= committed + 1
    # Storing everything again only adds what was missing.
    statuses = []
    for i in range(200):
        doc = pages[i % len(pages)]
        statuses.append(
            archive.store(dataclasses.replace(doc, source_id=f"{doc.source_id}-{i}")).status
        )
    assert set(statuses[: committed + 1]) == {"unchanged"}
    assert _complete(archive) == 200
    archive.close()


def test_reader_never_sees_half_an_event(
    tmp_path: Path, pages: list[Document], database: str | None
) -> None:
    folder = tmp_path / "archive"
    writer = Archive.open(folder, database=database)
    base = pages[0]
    short = dataclasses.replace(base, speeches=base.speeches[:2], title="short")
    writer.store(base)
    errors: list[str] = []
    done = threading.Event()

    def read() -> None:
        reader = Archive.open(folder, create=False, database=database)
        seen = 0
        while not done.is_set() or seen < 50:
            stored = reader.event(base.source_id or "")
            speeches = stored.document.speeches
            if len(stored.speech_ids) != len(speeches):
                errors.append(f"{len(stored.speech_ids)} ids for {len(speeches)} speeches")
            expected = 2 if stored.document.title == "short" else len(base.speeches)
            if len(speeches) != expected:
                errors.append(f"title {stored.document.title!r} with {len(speeches)} speeches")
            rows = list(reader.index_rows())
            if sum(r.kind == "speech" for r in rows) != len(rows) - 1:
                errors.append("index rows without their event row")
            seen += 1
        reader.close()

    thread = threading.Thread(target=read)
    thread.start()
    for i in range(60):
        writer.store(short if i % 2 == 0 else base)
    done.set()
    thread.join(timeout=60)
    writer.close()
    assert not thread.is_alive()
    assert errors == []
