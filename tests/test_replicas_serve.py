"""``stenogram serve --read-replica`` and a database outage, with real processes: the server,
``stenogram ingest`` on the primary, a hot standby, and PostgreSQL stopped under the server."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import psycopg
import pytest

from pgcluster import Cluster
from pgreplica import Replica, outage
from serveutil import eventually, served
from stenogram.parse import parse_bytes
from webutil import SEED_NAME

INGEST = (sys.executable, "-m", "stenogram", "ingest")
SERVE = (sys.executable, "-m", "stenogram", "serve", "--port", "1")


def ingest(archive: Path, database: str, *paths: Path) -> None:
    command = [*INGEST, "--archive", str(archive), "--database", database, *map(str, paths)]
    subprocess.run(command, check=True, capture_output=True)


def status(url: str) -> int:
    return httpx.get(url, timeout=10).status_code


@pytest.fixture
def primary(postgres: Cluster, tmp_path: Path, shared_dir: Path) -> tuple[Path, str]:
    """An archive on a fresh database of the primary, holding the seed."""
    database = postgres.fresh()
    ingest(tmp_path / "archive", database, shared_dir / "seed" / SEED_NAME)
    return tmp_path / "archive", database


def test_a_node_reads_from_the_replica_and_goes_on_without_it(
    primary: tuple[Path, str],
    postgres: Cluster,
    replica: Replica,
    fixtures_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    archive, database = primary
    name = database.rsplit("/", 1)[1]
    standby = replica.url(name)
    replica.has(name, "SELECT count(*) = 1 FROM events")
    monkeypatch.setenv("STENOGRAM_REPLICA_CHECK_SECONDS", "0.2")
    monkeypatch.setenv("STENOGRAM_REPLICA_MAX_LAG", "3")
    log = tmp_path / "server.log"
    pages = sorted((fixtures_dir / "kremlin-html").glob("*.html"))[:2]
    first, second = (parse_bytes(p.read_bytes(), origin=p.name).source_id for p in pages)
    options = ("--archive", str(archive), "--database", database, "--read-replica", standby)
    with served(*options, log=log) as base:
        assert httpx.get(f"{base}/readyz").json()["replicas"][0]["state"] == "ok"
        # Ingested on the primary: served once the replica has it.
        ingest(archive, database, pages[0])
        eventually(lambda: status(f"{base}/api/events/{first}") == 200)

        # The replica stops replaying: the next document is not there yet (a 404 from the
        # replica), until the replica lags past 3 s and the primary answers instead.
        with psycopg.connect(standby, autocommit=True) as conn:
            conn.execute("SELECT pg_wal_replay_pause()")
            try:
                ingest(archive, database, pages[1])
                assert status(f"{base}/api/events/{second}") == 404
                eventually(lambda: status(f"{base}/api/events/{second}") == 200)
                replicas = httpx.get(f"{base}/readyz").json()["replicas"]
                assert replicas[0]["state"] == "lagging"
            finally:
                conn.execute("SELECT pg_wal_replay_resume()")
        eventually(lambda: httpx.get(f"{base}/readyz").json()["replicas"][0]["state"] == "ok")

        # The replica stopped mid-run: every request is still answered, by the primary.
        replica.pause()
        try:
            for per_page in range(1, 11):  # distinct pages: none comes from the response cache
                assert status(f"{base}/api/events?per_page={per_page}") == 200
            ready = httpx.get(f"{base}/readyz")
            assert ready.status_code == 200
            assert ready.json()["replicas"][0]["state"] == "down"
        finally:
            replica.resume()
        eventually(lambda: httpx.get(f"{base}/readyz").json()["replicas"][0]["state"] == "ok")
        # The primary restarts: the replica answers the reads meanwhile, and the node is ready.
        with outage(postgres):
            for per_page in range(11, 15):
                assert status(f"{base}/api/events?per_page={per_page}") == 200
            ready = httpx.get(f"{base}/readyz", timeout=10)
            assert ready.status_code == 200
            assert ready.json()["database"] == "the database cannot be reached now"
        eventually(lambda: httpx.get(f"{base}/readyz").json()["database"] == "ok")
    said = log.read_text()
    assert f"read replica {standby} is lagging" in said
    assert f"read replica {standby} is down" in said
    assert said.count(f"read replica {standby} is back") == 2


def test_a_database_outage_is_a_503_with_a_message_and_service_resumes_by_itself(
    primary: tuple[Path, str], postgres: Cluster, tmp_path: Path
) -> None:
    archive, database = primary
    log = tmp_path / "server.log"
    with served("--archive", str(archive), "--database", database, log=log) as base:
        assert status(f"{base}/api/events") == 200
        with outage(postgres):
            for per_page in (1, 2, 3):
                answer = httpx.get(f"{base}/api/events?per_page={per_page}", timeout=10)
                assert answer.status_code == 503
                assert answer.headers["retry-after"] == "5"
                error = answer.json()["error"]
                assert error == {
                    "code": "unavailable",
                    "message": "the database cannot be reached now",
                }
            page = httpx.get(f"{base}/events", headers={"accept": "text/html"}, timeout=10)
            assert page.status_code == 503
            assert "the database cannot be reached now" in page.text
            assert status(f"{base}/healthz") == 200
            ready = httpx.get(f"{base}/readyz", timeout=10)
            assert ready.status_code == 503
            assert ready.json()["problems"][0].startswith("database: ")
        # Back without a restart of the server; the first request after already succeeds.
        assert status(f"{base}/api/events?per_page=4") == 200
        assert status(f"{base}/events") == 200
        assert status(f"{base}/readyz") == 200
    assert "Traceback" not in log.read_text()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_replicas_of_a_sqlite_archive_stop_serve_with_one_line(
    tmp_path: Path, shared_dir: Path, workers: str
) -> None:
    archive = tmp_path / "archive"
    ingest(archive, str(archive), shared_dir / "seed" / SEED_NAME)
    standby = "postgresql://postgres@127.0.0.1:1/none"
    command = [*SERVE, "--archive", str(archive), "--read-replica", standby, "--workers", workers]
    done = subprocess.run(command, capture_output=True, timeout=60, text=True)
    assert done.returncode == 78  # EX_CONFIG
    assert done.stderr.strip().splitlines() == [
        "error: read replicas need a PostgreSQL database (--database postgresql://…)"
    ]
