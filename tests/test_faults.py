"""Faults: a real ``stenogram ingest`` killed with SIGKILL, readers during an ingest, and a full
disk under the search index.

The first two run on the 5,829-page en.kremlin.ru archive (skipped without ../shared/corpus),
because only a run that lasts several seconds can be killed half-way and read while it writes.
The full disk is a real one (a small tmpfs, where the test may mount one) or, elsewhere, a
tantivy writer whose commit fails as it does on a full disk. The first two run on both
backends (on PostgreSQL the killed ingest is a client: what it committed must be all there).
"""

from __future__ import annotations

import logging
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any

import httpx
import pytest
import tantivy
from sqlalchemy import text

import stenogram.demo
from dbutil import sql_rows
from processes import children, running
from stenogram.archive import Archive
from stenogram.errors import IndexBusy, StenogramError, StoreError
from stenogram.ingest import ingest, open_archive, open_settings
from stenogram.queries import search_archive
from stenogram.search import read_seq, search
from stenogram.search.index import index_error
from stenogram.settings import Settings
from webutil import free_port

ARCHIVE = "kremlin-en-2000-2020.tar.xz"
PAGES = 5829


@pytest.fixture(scope="module")
def corpus(corpus_dir: Path) -> Path:
    path = corpus_dir / ARCHIVE
    if not path.is_file():
        pytest.skip(f"{ARCHIVE} is not in the corpus")
    return path


def _events(settings: Settings) -> int:
    try:
        return int(sql_rows(settings, "SELECT count(*) FROM events")[0][0])
    except StoreError:  # not created yet
        return 0


def _check_complete(archive: Archive) -> int:
    """Integrity, and every stored event whole: its speeches are all there."""
    if archive.backend.name == "sqlite":
        with sqlite3.connect(archive.path / "stenogram.db") as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with archive.reading() as conn:
        broken = conn.execute(
            text(
                "SELECT e.id FROM events e LEFT JOIN speeches s ON s.event_id = e.id "
                "GROUP BY e.id HAVING count(s.id) != max(e.speech_count)"
            )
        ).all()
        assert broken == []
        unrevised = conn.scalar(
            text(
                "SELECT count(*) FROM events e WHERE NOT EXISTS "
                "(SELECT 1 FROM revisions r WHERE r.event_id = e.id AND r.number = e.revision)"
            )
        )
        assert unrevised == 0
        return int(conn.scalar(text("SELECT count(*) FROM events")) or 0)


def test_sigkill_mid_ingest_loses_nothing_committed(
    tmp_path: Path, corpus: Path, database: str | None
) -> None:
    folder = tmp_path / "archive"
    settings = Settings(archive=folder, database=database)
    env = {**os.environ, "STENOGRAM_ARCHIVE": str(folder)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "stenogram", "ingest", str(corpus)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while _events(settings) < 300:
            assert proc.poll() is None, "ingest ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        kids = children(proc.pid)
        assert len(kids) == 3  # the reader and two parse workers
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    # They go with it rather than wait forever on their queues.
    deadline = time.monotonic() + 10
    while any(running(kid) for kid in kids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(running(kid) for kid in kids)
    with open_settings(settings) as archive:
        stored = _check_complete(archive)
    assert 300 <= stored < PAGES

    summary = ingest([corpus], settings)
    assert summary.failed == 0
    assert summary.unchanged == stored
    assert summary.new == PAGES - stored
    with open_archive(settings) as archive:
        assert _check_complete(archive) == PAGES
        assert read_seq(archive.index_path) == archive.max_seq()
    (keys,) = sql_rows(settings, "SELECT count(DISTINCT source || key), count(*) FROM events")
    ((title, source_id),) = sql_rows(
        settings, "SELECT title, source_id FROM events ORDER BY seq DESC LIMIT 1"
    )
    assert keys == (PAGES, PAGES)
    hits = search(folder / "index", f'"{title}"', events=True, limit=50)
    assert source_id in {hit.source_id for hit in hits.hits}


def test_readers_see_consistent_data_while_ingest_writes(
    tmp_path: Path, corpus: Path, database: str | None
) -> None:
    settings = Settings(archive=tmp_path / "archive", database=database)
    open_settings(settings, create=True).close()
    problems: list[str] = []
    reads = 0
    done = threading.Event()

    def reader() -> None:
        nonlocal reads
        with open_settings(settings) as archive:
            while not done.is_set():
                try:
                    # Each call is one snapshot: counts agree with each other, events are whole.
                    info = archive.info()
                    rows = list(archive.index_rows(max(0, archive.max_seq() - 20)))
                    by_event: dict[int, int] = {}
                    for row in rows:
                        if row.kind == "speech":
                            by_event[row.event_id] = by_event.get(row.event_id, 0) + 1
                    for event_id, count in by_event.items():
                        stored = archive.event(event_id)
                        if len(stored.document.speeches) < count:
                            problems.append(f"event {event_id} lost speeches")
                    if info.revisions < info.events:
                        problems.append(f"{info.events} events but {info.revisions} revisions")
                    reads += 1
                except StenogramError as exc:
                    problems.append(str(exc))

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        summary = ingest([corpus], settings)
    finally:
        done.set()
        thread.join()
    assert summary.new == PAGES
    assert problems == []
    assert reads > 10
    with open_settings(settings) as archive:
        assert _check_complete(archive) == PAGES


# --- a full disk under the search index -------------------------------------------------------

DEMO = Path(stenogram.demo.__file__).parent / "data"
SEED = DEMO / "000_46537543d1896dfd.txt"
SAMPLE = DEMO / "kremlin-en-sample.tar.xz"
NO_SPACE = "cannot write the search index: no space left on device"


@pytest.fixture
def index_disk(tmp_path: Path) -> Iterator[Path]:
    """The archive's index folder on a 16 MB tmpfs of its own (the database stays outside)."""
    folder = tmp_path / "archive" / "index"
    folder.mkdir(parents=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (the injected-error test covers this case)")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "--lazy", str(folder)], check=True)


def _fill(folder: Path) -> Path:
    """Write a file until the file system under ``folder`` refuses one more byte."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as out:
        for size in (1 << 16, 1 << 10, 1):
            with suppress(OSError):
                while out.write(b"\0" * size):
                    pass
    assert os.statvfs(folder).f_bavail == 0
    return filler


def _stenogram(archive: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stenogram", *args, "--archive", str(archive)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _titles(archive: Path) -> list[tuple[int, str]]:
    """(event id, title) of the stored events, in the order they were stored."""
    with sqlite3.connect(archive / "stenogram.db") as db:
        rows = db.execute("SELECT id, title FROM events ORDER BY seq").fetchall()
    return [(int(key), str(title)) for key, title in rows]


def _found(archive: Path, event: tuple[int, str]) -> bool:
    key, title = event
    hits = search(archive / "index", f'"{title}"', events=True, limit=50).hits
    return key in {hit.event_id for hit in hits}


def test_a_full_index_disk_stops_ingest_in_one_line_and_readers_start(index_disk: Path) -> None:
    archive = index_disk.parent
    assert _stenogram(archive, "ingest", str(SEED)).returncode == 0
    applied = read_seq(index_disk)
    filler = _fill(index_disk)

    done = _stenogram(archive, "ingest", str(SAMPLE))
    assert done.returncode == StoreError.exit_code
    assert done.stderr.splitlines() == [f"error: {index_disk}: {NO_SPACE}"]
    # The database kept every page: only the index lags.
    seed, *sample = _titles(archive)
    assert len(sample) == 28
    assert read_seq(index_disk) == applied
    with sqlite3.connect(archive / "stenogram.db") as db:
        logged = db.execute("SELECT count(*) FROM changes WHERE seq > ?", (applied,)).fetchone()
    assert logged[0] >= len(sample)  # the new events, and the persons they brought

    lag = f"the search index is {logged[0]} changes behind the archive: {index_disk}: {NO_SPACE}"
    info = _stenogram(archive, "info")
    # info reads and shows the lag rather than trying to catch the index up.
    assert info.returncode == 0, info.stderr
    assert re.search(rf"^index lag\s+{logged[0]} changes, ", info.stdout, re.M)
    assert re.search(r"^events\s+29$", info.stdout, re.M)
    found = _stenogram(archive, "search", f'"{seed[1]}"', "--events", "--json")
    assert found.returncode == 0 and lag in found.stderr
    assert f'"event_id":{seed[0]},' in found.stdout
    assert not _found(archive, sample[0])
    port = free_port()
    serve = ("serve", "--archive", str(archive), "--port", str(port), "--workers", "1")
    with subprocess.Popen(
        [sys.executable, "-m", "stenogram", *serve],
        stderr=subprocess.PIPE,
        text=True,
    ) as server:
        try:
            answer = _first_answer(f"http://127.0.0.1:{port}/api/search", seed[1], server)
        finally:
            server.terminate()
            _out, errors = server.communicate(timeout=30)
    assert f'"event_id":{seed[0]},' in answer and lag in errors

    # Space freed: the same ingest again completes, the index included.
    filler.unlink()
    again = _stenogram(archive, "ingest", str(SAMPLE))
    assert again.returncode == 0, again.stderr
    assert "unchanged 28" in again.stderr
    with open_archive(Settings(archive=archive)) as opened:
        assert read_seq(index_disk) == opened.max_seq()
    assert all(_found(archive, item) for item in (seed, *sample))


def _first_answer(url: str, title: str, server: subprocess.Popen[str]) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "serve ended instead of starting"
        try:
            return httpx.get(url, params={"q": f'"{title}"', "events": "true"}, timeout=5).text
        except httpx.TransportError:
            time.sleep(0.1)
    pytest.fail("serve did not answer within 60 s")


def _no_space() -> None:
    raise ValueError("An IO error occurred: 'No space left on device (os error 28)'")


class _FullDiskWriter:
    """A tantivy writer on a full disk, where no tmpfs can be mounted: documents are taken into
    memory and the commit fails as tantivy's does (ValueError with the OS error inside)."""

    # Not a method: its frame, kept by the traceback, would hold the writer and its index lock
    # (tantivy's own methods leave no Python frame behind).
    commit = staticmethod(_no_space)

    def __init__(self, writer: Any) -> None:
        self._writer = writer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._writer, name)


def test_an_injected_full_disk_is_one_store_error_and_the_archive_still_opens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(archive=tmp_path / "archive")
    index = settings.archive / "index"
    ingest([SEED], settings)
    applied = read_seq(index)
    real_writer = tantivy.Index.writer
    monkeypatch.setattr(
        tantivy.Index, "writer", lambda self, *a: _FullDiskWriter(real_writer(self, *a))
    )
    with pytest.raises(StoreError) as failed:
        ingest([SAMPLE], settings)
    assert failed.value.message == f"{index}: {NO_SPACE}"
    seed, *sample = _titles(settings.archive)
    assert len(sample) == 28 and read_seq(index) == applied
    with sqlite3.connect(settings.archive / "stenogram.db") as db:
        logged = db.execute("SELECT count(*) FROM changes WHERE seq > ?", (applied,)).fetchone()

    with caplog.at_level(logging.WARNING, logger="stenogram"):
        result = search_archive(settings, f'"{seed[1]}"', events=True)
    assert [hit.event_id for hit in result.hits] == [seed[0]]
    assert caplog.messages == [
        f"the search index is {logged[0]} changes behind the archive: {index}: {NO_SPACE}; "
        "searches answer from what it holds until it is caught up"
    ]

    monkeypatch.undo()
    assert ingest([SAMPLE], settings).unchanged == 28
    assert all(_found(settings.archive, item) for item in (seed, *sample))


def test_index_errors_name_the_folder_and_the_os_reason(tmp_path: Path) -> None:
    def said(message: str) -> str:
        return index_error(ValueError(message), tmp_path).message

    full = "An IO error occurred: 'No space left on device (os error 28)'"
    assert said(full) == f"{tmp_path}: {NO_SPACE}"
    busy = 'Failed to acquire Lockfile: LockBusy. Some("Failed to acquire index lock.")'
    assert said(busy).endswith(
        "cannot write the search index: another process (an ingest or a follower) is writing it"
    )
    assert isinstance(index_error(ValueError(busy), tmp_path), IndexBusy)
    # A dying writer thread does not say why; with room left on the disk, its words are kept.
    killed = "An error occurred in a thread: 'An index writer was killed.'"
    assert said(killed) == f"{tmp_path}: cannot write the search index: {killed.lower()}"
    assert index_error(PermissionError(13, "denied"), tmp_path, "open").message == (
        f"{tmp_path}: cannot open the search index: permission denied"
    )
