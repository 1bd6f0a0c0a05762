"""Faults: a real ``stenogram ingest`` killed with SIGKILL, and readers during an ingest.

Both run on the 5,829-page en.kremlin.ru archive (skipped without ../shared/corpus), because only
a run that lasts several seconds can be killed half-way and read while it writes.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from processes import children, running
from stenogram.archive import Archive
from stenogram.errors import StenogramError
from stenogram.ingest import ingest, open_archive
from stenogram.search import read_seq, search
from stenogram.settings import Settings

ARCHIVE = "kremlin-en-2000-2020.tar.xz"
PAGES = 5829


@pytest.fixture(scope="module")
def corpus(corpus_dir: Path) -> Path:
    path = corpus_dir / ARCHIVE
    if not path.is_file():
        pytest.skip(f"{ARCHIVE} is not in the corpus")
    return path


def _events(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=30) as conn:
            return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])
    except sqlite3.OperationalError:  # not created yet
        return 0


def _check_complete(archive: Archive) -> int:
    """Integrity, and every stored event whole: its speeches are all there."""
    with sqlite3.connect(archive.db_path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        broken = db.execute(
            "SELECT e.id FROM events e LEFT JOIN speeches s ON s.event_id = e.id "
            "GROUP BY e.id HAVING count(s.id) != max(e.speech_count)"
        ).fetchall()
        assert broken == []
        unrevised = db.execute(
            "SELECT count(*) FROM events e WHERE NOT EXISTS "
            "(SELECT 1 FROM revisions r WHERE r.event_id = e.id AND r.number = e.revision)"
        ).fetchone()[0]
        assert unrevised == 0
        return int(db.execute("SELECT count(*) FROM events").fetchone()[0])


def test_sigkill_mid_ingest_loses_nothing_committed(tmp_path: Path, corpus: Path) -> None:
    folder = tmp_path / "archive"
    env = {**os.environ, "STENOGRAM_ARCHIVE": str(folder)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "stenogram", "ingest", str(corpus)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while _events(folder / "stenogram.db") < 300:
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
    with Archive.open(folder, create=False) as archive:
        stored = _check_complete(archive)
    assert 300 <= stored < PAGES

    summary = ingest([corpus], Settings(archive=folder))
    assert summary.failed == 0
    assert summary.unchanged == stored
    assert summary.new == PAGES - stored
    with open_archive(Settings(archive=folder)) as archive:
        assert _check_complete(archive) == PAGES
        assert read_seq(archive.index_path) == archive.max_seq()
    with sqlite3.connect(folder / "stenogram.db") as db:
        keys = db.execute("SELECT count(DISTINCT source || key), count(*) FROM events").fetchone()
        title, source_id = db.execute(
            "SELECT title, source_id FROM events ORDER BY seq DESC LIMIT 1"
        ).fetchone()
    assert keys == (PAGES, PAGES)
    hits = search(folder / "index", f'"{title}"', events=True, limit=50)
    assert source_id in {hit.source_id for hit in hits.hits}


def test_readers_see_consistent_data_while_ingest_writes(tmp_path: Path, corpus: Path) -> None:
    settings = Settings(archive=tmp_path / "archive")
    Archive.open(settings.archive).close()
    problems: list[str] = []
    reads = 0
    done = threading.Event()

    def reader() -> None:
        nonlocal reads
        with Archive.open(settings.archive, create=False) as archive:
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
    with Archive.open(settings.archive) as archive:
        assert _check_complete(archive) == PAGES
