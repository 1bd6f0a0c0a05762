"""Figures for the sizing in docs/deployment.md: sizes per 1,000 speeches, server CPU per request
and worker memory, on SQLite and on PostgreSQL with and without a read replica.

An archive of the corpus (``--archive``, else ingested into a temporary folder as
``bench/serve.py`` does) is copied into a PostgreSQL cluster that the script starts (the tests'
``pgcluster``: Debian's ``postgresql`` package, an unprivileged user under root) with a hot
standby made by ``pg_basebackup -R``. Each server is ``stenogram serve --workers 2`` on
127.0.0.1; one client asks each URL in turn and the CPU the server's processes spent is read
from ``/proc`` (so the rest of the machine's work does not count; the resolution is the 10 ms
clock tick over a few hundred requests). Everything it starts is stopped at the end. It prints;
it never asserts.

    .venv/bin/python bench/deployment.py --archive DIR
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from pgcluster import Cluster, binaries
from pgreplica import Replica
from serve import free_port, ingest_corpus, rss_mb, server_pids
from stenogram.archive import Archive

WORDS = ("Russia", "economy", "gas", "Ukraine", "sanctions", "energy", "budget", "oil", "China")


def cpu_seconds(pids: Sequence[int]) -> float:
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


@contextmanager
def serving(archive: Path, *options: str) -> Iterator[tuple[str, list[int]]]:
    port = free_port()
    command = [sys.executable, "-m", "stenogram", "serve", "--archive", str(archive), *options]
    proc = subprocess.Popen(
        [*command, "--port", str(port), "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while not _ready(base):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server did not start: {' '.join(command)}")
            time.sleep(0.2)
        time.sleep(2)  # both workers up
        yield base, server_pids(proc)
    finally:
        proc.terminate()
        proc.wait()


def _ready(base: str) -> bool:
    try:
        return httpx.get(f"{base}/readyz", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def costs(label: str, base: str, pids: Sequence[int]) -> None:
    with httpx.Client(timeout=30) as client:
        ids = [
            event["event_id"]
            for page in range(1, 8)
            for event in client.get(f"{base}/api/events?per_page=100&page={page}").json()["events"]
        ]
        for i in ids[:50]:
            client.get(f"{base}/events/{i}")
        searches = [f"{base}/api/search?q={w}&n={n}" for n in range(30) for w in WORDS]
        runs = (
            ("event page, varied", [f"{base}/events/{i}" for i in ids[100:600]]),
            ("event page, cached", [f"{base}/events/{i}" for i in ids[:50]] * 10),
            ("/api/search, varied", searches),
            ("/healthz", [f"{base}/healthz"] * 500),
            ("/readyz", [f"{base}/readyz"] * 200),
        )
        for name, urls in runs:
            before = cpu_seconds(pids)
            for url in urls:
                client.get(url).raise_for_status()
            spent = (cpu_seconds(pids) - before) * 1000 / len(urls)
            print(f"| {label} | {name} | {spent:.2f} | {len(urls)} |", flush=True)
    rss = ", ".join(f"{rss_mb(pid)[0]:.0f}" for pid in pids)
    print(f"| {label} | RSS MB of the processes | {rss} | |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    parser.add_argument("--archive", type=Path, help="an archive of the corpus (SQLite)")
    args = parser.parse_args()
    found = binaries()
    if found is None:
        raise SystemExit("PostgreSQL is not installed (apt-get install postgresql)")
    work = Path(tempfile.mkdtemp(prefix="stenogram-deployment-bench-"))
    cluster = Cluster(found)
    replica = Replica(cluster)
    try:
        archive = args.archive
        if archive is None:
            archive = work / "archive"
            ingest_corpus(args.corpus, archive)
        with Archive.open(archive, create=False) as opened:
            speeches = opened.info().speeches
        index = folder_bytes(archive / "index")
        database = (archive / "stenogram.db").stat().st_size
        cluster.start()
        url = cluster.url("corpus")
        with psycopg.connect(cluster.url("postgres"), autocommit=True) as conn:
            conn.execute("CREATE DATABASE corpus")
        pg_archive = work / "pg-archive"
        subprocess.run(
            [sys.executable, "-m", "stenogram", "copy", "--from", str(archive), "--to", url,
             "--archive", str(pg_archive)],
            check=True, capture_output=True,
        )  # fmt: skip
        shutil.copytree(archive / "index", pg_archive / "index")
        with psycopg.connect(url) as conn:
            row = conn.execute("SELECT pg_database_size('corpus')").fetchone()
            pg_bytes = int(row[0]) if row else 0
        per = 1000 / max(1, speeches)
        print(f"\n{speeches:,} speeches\n\n| store | MB | MB per 1,000 speeches |\n|---|---|---|")
        for name, size in (("index", index), ("SQLite", database), ("PostgreSQL", pg_bytes)):
            print(f"| {name} | {size / 1e6:.1f} | {size / 1e6 * per:.2f} |")
        replica.start()
        replica.has("corpus", "SELECT count(*) > 0 FROM events")
        print("\n| server | target | CPU ms per request | requests |\n|---|---|---|---|")
        with serving(archive) as (base, pids):
            costs("SQLite", base, pids)
        with serving(pg_archive, "--database", url) as (base, pids):
            costs("PostgreSQL", base, pids)
        standby = ("--read-replica", replica.url("corpus"))
        with serving(pg_archive, "--database", url, *standby) as (base, pids):
            costs("PostgreSQL + replica", base, pids)
    finally:
        replica.stop()
        if cluster.data.exists():
            cluster.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
