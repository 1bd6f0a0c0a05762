"""Load on ``stenogram serve``, and the same search through Datasette serving the same data.

What a deployment meets: one uvicorn process (``stenogram serve``) on 127.0.0.1 serving an
archive of the whole kremlin corpus, and 32 clients that never pause (httpx, keep-alive), each
target for a fixed time: an event page, the HTML search page, and ``/api/search``. For each:
requests/s, p50 and p99 latency, errors; and the server's RSS (current and peak) at the end.

Then the comparison a newsroom would make: the same archive rows loaded into SQLite with
``sqlite-utils`` (FTS5, porter stemming), served by ``datasette serve -i`` on 127.0.0.1, and the
same searches as one canned-SQL JSON request each (top 10 by ``bm25`` with ``snippet``, plus the
speaker facet with its counts), under the same load from the same client. The ratio is
stenogram's ``/api/search`` throughput over Datasette's. stenogram's answer carries more (four
facets, not one), so the comparison leans Datasette's way.

Bounded: each run stops after ``--seconds`` or ``--max-requests``, whichever comes first; the
servers only listen on loopback and are stopped at the end. The client shares the machine with
the server (two cores here), so the figures are a floor. The script prints; it never asserts.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/serve.py                       # ingests ../shared/corpus first
    .venv/bin/python bench/serve.py --archive DIR --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import os
import platform
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from urllib.parse import urlencode

import httpx
import sqlite_utils

from search import TABLE, event_batches, searchable, sql_row
from stenogram.archive import Archive
from stenogram.ingest import ingest
from stenogram.settings import Settings

CLIENTS: Final = 32
TARGET_P99_MS: Final = 100.0
TARGET_RSS_MB: Final = 300.0
WARMUP_SECONDS: Final = 2.0
#: (stenogram query, the same question in FTS5 syntax on the text column)
QUERIES: Final = (
    ("Russia", "{text}: Russia"),
    ("economy", "{text}: economy"),
    ('"national projects"', '{text}: "national projects"'),
    ("gas AND Ukraine", "{text}: (gas AND Ukraine)"),
)
#: One request per search, as on stenogram's side: the hits, then the speaker facet rows.
SEARCH_SQL: Final = f"""
select * from (
  select 'hit' as kind, r.rowid as id, r.event_id, r.speaker, r.title, r.date, r.url,
    snippet({TABLE}_fts, 0, '<b>', '</b>', '…', 30) as snippet, bm25({TABLE}_fts) as score,
    null as total
  from {TABLE}_fts join {TABLE} r on r.rowid = {TABLE}_fts.rowid
  where {TABLE}_fts match :q order by score limit 10)
union all
select * from (
  select 'facet', null, null, r.speaker, null, null, null, null, count(*), sum(count(*)) over ()
  from {TABLE}_fts join {TABLE} r on r.rowid = {TABLE}_fts.rowid
  where {TABLE}_fts match :q group by r.speaker order by count(*) desc limit 20)
"""


@dataclass(frozen=True, slots=True)
class Load:
    name: str
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def row(self) -> str:
        return (
            f"| {self.name} | {self.rate:,.0f} | {self.p50_ms:.1f} | {self.p99_ms:.1f} | "
            f"{self.requests:,} | {self.errors} |"
        )


def percentile(ordered: Sequence[float], share: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(len(ordered) * share) - 1))]


async def _load(
    name: str, url: Callable[[int], str], seconds: float, max_requests: int, clients: int
) -> Load:
    """``clients`` workers sending back to back until the time or the request budget is spent."""
    latencies: list[float] = []
    errors = 0
    counter = itertools.count()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal errors
            while (i := next(counter)) < max_requests and time.perf_counter() < deadline:
                t0 = time.perf_counter()
                try:
                    ok = (await client.get(url(i))).status_code == 200
                except httpx.HTTPError:
                    ok = False
                if ok:
                    latencies.append((time.perf_counter() - t0) * 1000)
                else:
                    errors += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - start
    ordered = sorted(latencies)
    return Load(
        name, len(ordered), errors, elapsed, percentile(ordered, 0.5), percentile(ordered, 0.99)
    )


def run_load(
    name: str, url: Callable[[int], str], args: argparse.Namespace, clients: int = CLIENTS
) -> Load:
    asyncio.run(_load(name, url, WARMUP_SECONDS, args.max_requests, clients))  # warm caches
    result = asyncio.run(_load(name, url, args.seconds, args.max_requests, clients))
    print(result.row(), flush=True)
    return result


def rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident set of a process, from /proc (Linux)."""
    fields: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields.get("VmRSS", float("nan")), fields.get("VmHWM", float("nan"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serving(command: list[str], port: int, ready: str) -> Iterator[subprocess.Popen[bytes]]:
    """A server process on loopback, stopped however the block ends."""
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}{ready}", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server did not start: {' '.join(command)}")
            time.sleep(0.2)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def ingest_corpus(corpus: Path, archive: Path) -> None:
    paths = [corpus / "kremlin-en-2000-2020.tar.xz", corpus / "kremlin-ru-2025.csv"]
    paths = [p for p in paths if p.exists()]
    if not paths:
        raise SystemExit(f"no kremlin corpus under {corpus}")
    summary = ingest(paths, Settings(archive=archive))
    print(
        f"Ingested {', '.join(p.name for p in paths)}: {summary.new:,} new, "
        f"{summary.failed} failed, {summary.seconds:.0f} s",
        flush=True,
    )


def build_sqlite(archive: Path, db_path: Path) -> int:
    """The archive's index rows (what stenogram searches) as a table with FTS5 on its text."""
    conn = sqlite3.connect(db_path)
    conn.execute("pragma journal_mode = off")
    db = sqlite_utils.Database(conn)
    table = db.table(TABLE)
    count = 0
    with Archive.open(archive) as store:
        for batch in event_batches(store.index_rows(0), 5000):
            found = [sql_row(row) for event in batch for row in searchable(event)]
            table.insert_all(found, batch_size=2000)
            count += len(found)
    table.enable_fts(["text", "speaker"], tokenize="porter", create_triggers=False)
    conn.execute("vacuum")
    conn.close()
    return count


def event_urls(base: str) -> list[str]:
    """The newest 100 events' pages, so that the load is not one page served from caches."""
    found = httpx.get(f"{base}/api/events", params={"per_page": 100}, timeout=30).json()
    return [f"{base}{e['permalink']}" for e in found["events"]]


def our_totals(base: str) -> list[int]:
    """Hit counts, to show that both sides answer the same question."""
    return [
        httpx.get(f"{base}/api/search", params={"q": q}, timeout=30).json()["total"]
        for q, _ in QUERIES
    ]


def their_totals(db_url: str) -> list[int]:
    found = []
    for _, match in QUERIES:
        rows = httpx.get(db_url + _sql_params(match), timeout=30).json()
        found.append(next((r["total"] for r in rows if r["kind"] == "facet"), 0))
    return found


def _sql_params(match: str) -> str:
    return "?" + urlencode({"sql": SEARCH_SQL, "q": match, "_shape": "array"})


def _search_url(endpoint: str) -> Callable[[int], str]:
    urls = [f"{endpoint}?{urlencode({'q': q})}" for q, _ in QUERIES]
    return lambda i: urls[i % len(urls)]


def bench(args: argparse.Namespace, archive: Path, work: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    stenogram = [sys.executable, "-m", "stenogram", "serve", "--archive", str(archive)]
    header = "| target | req/s | p50 ms | p99 ms | requests | errors |\n|---|---|---|---|---|---|"
    print(f"\n{CLIENTS} clients, {args.seconds:.0f} s a target\n\n{header}", flush=True)
    with serving([*stenogram, "--port", str(port)], port, "/api/events") as server:
        events = event_urls(base)
        runs = [
            run_load("stenogram event page", lambda i: events[i % len(events)], args),
            run_load("stenogram /search (HTML)", _search_url(f"{base}/search"), args),
            run_load("stenogram /api/search", _search_url(f"{base}/api/search"), args),
        ]
        rss, peak = rss_mb(server.pid)
        ours_found = our_totals(base)

    db_path = work / "kremlin.db"
    t0 = time.perf_counter()
    rows = build_sqlite(archive, db_path)
    built = time.perf_counter() - t0
    port = free_port()
    db_url = f"http://127.0.0.1:{port}/{db_path.stem}.json"
    datasette = [str(Path(sys.executable).with_name("datasette")), "serve", "-i", str(db_path)]
    datasette += ["-h", "127.0.0.1", "-p", str(port), "--setting", "sql_time_limit_ms", "10000"]
    with serving(datasette, port, "/-/versions.json") as server:
        urls = [db_url + _sql_params(match) for _, match in QUERIES]
        theirs = run_load("Datasette search (canned SQL)", lambda i: urls[i % len(urls)], args)
        their_rss, their_peak = rss_mb(server.pid)
        theirs_found = their_totals(db_url)

    ratio = runs[2].rate / theirs.rate if theirs.rate else float("nan")
    worst = max(r.p99_ms for r in runs)
    print(
        f"\nstenogram server RSS {rss:.0f} MB (peak {peak:.0f} MB); "
        f"Datasette RSS {their_rss:.0f} MB (peak {their_peak:.0f} MB)"
    )
    print(f"SQLite table: {rows:,} rows, built with FTS5 in {built:.0f} s")
    print(
        "Hit totals (stenogram / Datasette): "
        + "; ".join(
            f"{q} {a:,} / {b:,}"
            for (q, _), a, b in zip(QUERIES, ours_found, theirs_found, strict=True)
        )
    )
    print(f"Search throughput, stenogram /api/search over Datasette: {ratio:.2f}x")
    print(f"Load average at the end: {os.getloadavg()[0]:.1f}")
    print(
        f"Targets: search >= Datasette {'met' if ratio >= 1 else 'MISSED'}; "
        f"p99 < {TARGET_P99_MS:.0f} ms {'met' if worst < TARGET_P99_MS else 'MISSED'} "
        f"(worst {worst:.1f} ms); RSS < {TARGET_RSS_MB:.0f} MB "
        f"{'met' if peak < TARGET_RSS_MB else 'MISSED'} (peak {peak:.0f} MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    parser.add_argument("--archive", type=Path, help="serve this archive instead of ingesting")
    parser.add_argument("--seconds", type=float, default=20.0, help="duration of each run")
    parser.add_argument("--max-requests", type=int, default=200_000, help="cap of each run")
    args = parser.parse_args()
    print(
        f"# bench/serve.py, {dt.date.today().isoformat()} · {os.cpu_count()} CPUs · "
        f"{platform.python_implementation()} {platform.python_version()} · "
        f"{platform.machine()} · SQLite {sqlite3.sqlite_version} · "
        f"load average {os.getloadavg()[0]:.1f} (other work on the machine skews every figure)",
        flush=True,
    )
    work = Path(tempfile.mkdtemp(prefix="stenogram-serve-bench-"))
    try:
        archive = args.archive
        if archive is None:
            archive = work / "archive"
            ingest_corpus(args.corpus, archive)
        bench(args, archive, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
