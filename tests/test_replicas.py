"""Read replicas: a real hot standby (``pg_basebackup -R``) of the test cluster.

The archive reads from the replica and writes to the primary; a replica that is stopped, or
whose replay is paused until it lags past the bound, is skipped with a warning and used again
when it is back. Replicas are PostgreSQL's: on SQLite they are refused with a clear message.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

from pgcluster import Cluster
from pgreplica import Replica
from serveutil import eventually
from stenogram.archive import Archive
from stenogram.archive.replicas import ReplicaPolicy
from stenogram.errors import ConfigError
from stenogram.parse import parse_bytes
from webutil import SEED_NAME

#: Small, so that the tests see the checks act within a second or two.
CHECK = 0.2


def replica_url(replica: Replica, primary_url: str) -> str:
    return replica.url(primary_url.rsplit("/", 1)[1])


def on_standby(archive: Archive, **options: bool) -> bool:
    """Whether a read of ``archive`` runs on a standby."""
    with archive.reading(**options) as conn:
        return bool(conn.scalar(text("SELECT pg_is_in_recovery()")))


@pytest.fixture
def replicated(
    tmp_path: Path, postgres: Cluster, replica: Replica
) -> Iterator[tuple[Archive, str]]:
    """An archive on a fresh PostgreSQL database, reading from the replica; and its URL."""
    database = postgres.fresh()
    url = replica_url(replica, database)
    replica.has(url.rsplit("/", 1)[1], "SELECT to_regclass('events') IS NOT NULL")
    policy = ReplicaPolicy((url,), max_lag=1.0, check_seconds=CHECK)
    archive = Archive.open(tmp_path / "archive", database=database, replicas=policy)
    try:
        yield archive, url
    finally:
        archive.close()


def seed_document(shared_dir: Path, source_id: str) -> object:
    doc = parse_bytes((shared_dir / "seed" / SEED_NAME).read_bytes(), origin=f"{source_id}.txt")
    return dataclasses.replace(doc, source_id=source_id)


def test_reads_go_to_the_replica_and_writes_to_the_primary(
    replicated: tuple[Archive, str], shared_dir: Path
) -> None:
    archive, _url = replicated
    assert on_standby(archive)
    assert not on_standby(archive, primary=True)
    stored = archive.store(seed_document(shared_dir, "replicated-1"))  # type: ignore[arg-type]
    # Read back on the primary at once; on the replica once it has replayed the write.
    assert archive.max_seq(primary=True) == 1
    eventually(lambda: archive.max_seq() == 1)
    assert on_standby(archive)
    assert archive.event("replicated-1").event_id == stored.event_id


def test_a_stopped_replica_is_skipped_with_a_warning_and_used_again_when_back(
    replicated: tuple[Archive, str], replica: Replica, caplog: pytest.LogCaptureFixture
) -> None:
    archive, _url = replicated
    assert archive.replicas is not None
    assert on_standby(archive)
    caplog.set_level(logging.WARNING, logger="stenogram.replicas")
    replica.pause()
    try:
        # The very next read finds the replica gone, and is answered by the primary.
        assert not on_standby(archive)
        assert archive.replicas.states()[0].state == "down"
        assert archive.counts()["events"] == 0
    finally:
        replica.resume()
    eventually(lambda: archive.replicas is not None and archive.replicas.states()[0].state == "ok")
    assert on_standby(archive)
    messages = [r.getMessage() for r in caplog.records]
    assert sum(" is down " in m for m in messages) == 1, messages
    assert sum(" is back" in m for m in messages) == 1, messages


def test_a_lagging_replica_is_skipped_until_it_catches_up(
    replicated: tuple[Archive, str], replica: Replica, shared_dir: Path
) -> None:
    archive, url = replicated
    assert archive.replicas is not None
    with psycopg.connect(url, autocommit=True) as standby:
        standby.execute("SELECT pg_wal_replay_pause()")
        try:
            stored = archive.store(seed_document(shared_dir, "lagging-1"))  # type: ignore[arg-type]
            # Past the bound (1 s), the replica is skipped: the new event is read.
            eventually(lambda: archive.replicas.states()[0].state == "lagging")  # type: ignore[union-attr]
            assert archive.replicas.states()[0].lag > 1.0  # type: ignore[operator]
            assert not on_standby(archive)
            assert archive.event("lagging-1").event_id == stored.event_id
        finally:
            standby.execute("SELECT pg_wal_replay_resume()")
    eventually(lambda: archive.replicas.states()[0].state == "ok")  # type: ignore[union-attr]
    assert on_standby(archive)
    assert archive.event("lagging-1").event_id == stored.event_id


def test_an_idle_primary_does_not_make_a_replica_lag(replicated: tuple[Archive, str]) -> None:
    """Lag is time since the primary was at a position the replica lacks, not since the last
    transaction: nothing written for longer than the bound is no lag at all."""
    archive, _url = replicated
    assert archive.replicas is not None
    time.sleep(1.5)  # longer than the bound, with nothing written
    state = archive.replicas.states()[0]
    assert state.state == "ok" and state.lag is not None and state.lag < 1.0


def test_replicas_of_a_sqlite_archive_are_refused(tmp_path: Path) -> None:
    policy = ReplicaPolicy(("postgresql://postgres@127.0.0.1:1/none",))
    with pytest.raises(ConfigError, match="read replicas need a PostgreSQL database"):
        Archive.open(tmp_path / "archive", replicas=policy)
