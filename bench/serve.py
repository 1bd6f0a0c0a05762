"""Load on ``stenogram serve``, and the same search through Datasette serving the same data.

What a deployment meets: ``stenogram serve --workers N`` on 127.0.0.1 serving an archive of the
whole kremlin corpus, and 32 clients that never pause (keep-alive), each target for a fixed time:
an event page, the HTML search page, and ``/api/search``. Every target runs twice: with *varied*
URLs (every event of the archive in turn and 2,000 different title words as queries, plus a
counter, so no URL repeats and the server's response cache never helps) and with *fixed* URLs
(the newest 100 events, four queries: what the cache is for). For each: requests/s, p50 and p99
latency, errors. Before the load, the server CPU one request costs with a single client (from
``/proc``, so other work on the machine does not count); after it, the memory of the server's
processes (RSS each, and PSS together, which counts the pages forked workers share once).

The load client is a minimal HTTP/1.1 client on asyncio streams: httpx's async client costs the
shared cores more per request than a cached page costs the server.

Then the comparison a newsroom would make: the same archive rows loaded into SQLite with
``sqlite-utils`` (FTS5, porter stemming), served by ``datasette serve -i`` on 127.0.0.1, and the
same searches as one canned-SQL JSON request each (top 10 by ``bm25`` with ``snippet``, plus the
speaker facet with its counts), under the same load from the same client, varied words then the
four fixed queries. The ratio is stenogram's ``/api/search`` throughput over Datasette's.
stenogram's answer carries more (four facets, not one), so the comparison leans Datasette's way.

Bounded: each run stops after ``--seconds`` or ``--max-requests``, whichever comes first; the
servers only listen on loopback and are stopped at the end. The client shares the machine with
the server (two cores here), so the figures are a floor. The script prints; it never asserts.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/serve.py                       # ingests ../shared/corpus first
    .venv/bin/python bench/serve.py --archive DIR --seconds 10 --workers 2
    .venv/bin/python bench/with_pg.py .venv/bin/python bench/serve.py --database @DB@ \
        --read-replica @REPLICA@ --seconds 15 --no-datasette    # SQLite, PG primary, PG replica
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import os
import platform
import random
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlencode, urlsplit

import httpx
import sqlite_utils

from search import TABLE, event_batches, searchable, sql_row
from stenogram.archive import Archive
from stenogram.ingest import ingest
from stenogram.settings import Settings

CLIENTS: Final = 32
TARGET_P99_MS: Final = 100.0
TARGET_RSS_MB: Final = 300.0
#: PostgreSQL's search throughput over SQLite's (issue 11).
TARGET_PG_RATIO: Final = 0.8
WARMUP_SECONDS: Final = 2.0
SEED: Final = 1
MODES: Final = ("varied", "fixed")
WORD: Final = re.compile(r"[^\W\d_]{4,}")
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


class Connection:
    """One keep-alive HTTP/1.1 connection, as little client as a GET needs.

    With httpx's async client, a run of cached pages reached ~90 requests/s on this machine
    while the server spent 0.3 ms of CPU on each: the figures measured the client.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def get(self, target: str) -> int:
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        writer.write(f"GET {target} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
        if headers.get("transfer-encoding") == "chunked":
            while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
                await reader.readexactly(size + 2)
            await reader.readuntil(b"\r\n")
        else:
            await reader.readexactly(int(headers.get("content-length", 0)))
        if headers.get("connection") == "close":
            self.close()
        return status

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


async def _load(
    name: str, url: Callable[[int], str], seconds: float, max_requests: int, clients: int
) -> Load:
    """``clients`` workers sending back to back until the time or the request budget is spent."""
    latencies: list[float] = []
    errors = 0
    counter = itertools.count()
    deadline = time.perf_counter() + seconds
    where = urlsplit(url(0))
    host, port = where.hostname or "127.0.0.1", where.port or 80

    async def worker() -> None:
        nonlocal errors
        conn = Connection(host, port)
        while (i := next(counter)) < max_requests and time.perf_counter() < deadline:
            target = urlsplit(url(i))
            t0 = time.perf_counter()
            try:
                ok = await conn.get(f"{target.path}?{target.query}".rstrip("?")) == 200
            except (OSError, asyncio.IncompleteReadError, ValueError):
                conn.close()
                ok = False
            if ok:
                latencies.append((time.perf_counter() - t0) * 1000)
            else:
                errors += 1
        conn.close()

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


def ingest_corpus(corpus: Path, archive: Path, database: str | None = None) -> None:
    paths = [corpus / "kremlin-en-2000-2020.tar.xz", corpus / "kremlin-ru-2025.csv"]
    paths = [p for p in paths if p.exists()]
    if not paths:
        raise SystemExit(f"no kremlin corpus under {corpus}")
    summary = ingest(paths, Settings(archive=archive, database=database))
    print(
        f"{'PostgreSQL' if database else 'SQLite'}: ingested {', '.join(p.name for p in paths)}: "
        f"{summary.new:,} new, "
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


def _get_json(url: str, **params: Any) -> Any:
    return httpx.get(url, params=params, timeout=60).json()


def all_events(base: str) -> list[dict[str, Any]]:
    """Every event of the archive (id, permalink, title), newest first."""
    found: list[dict[str, Any]] = []
    page, more = 1, True
    while more:
        batch = _get_json(f"{base}/api/events", per_page=100, page=page)["events"]
        found += batch
        page, more = page + 1, len(batch) == 100
    return found


def vocabulary(events: Sequence[dict[str, Any]], size: int) -> list[str]:
    """Distinct words of the event titles, shuffled: searches no cache has seen."""
    words = sorted({w.lower() for e in events for w in WORD.findall(e["title"])})
    random.Random(SEED).shuffle(words)
    return words[:size]


@dataclass(frozen=True, slots=True)
class Targets:
    """URL makers per target: ``fixed`` repeats a few URLs (what a cache is for), ``varied``
    never asks the same URL twice (many events and words, plus a counter), so no cache helps."""

    fixed: dict[str, Callable[[int], str]]
    varied: dict[str, Callable[[int], str]]


def targets(base: str, events: Sequence[dict[str, Any]], words: Sequence[str]) -> Targets:
    newest = [f"{base}{e['permalink']}" for e in events[:100]]
    shuffled = [f"{base}{e['permalink']}" for e in events]
    random.Random(SEED).shuffle(shuffled)

    def fixed_search(endpoint: str) -> Callable[[int], str]:
        urls = [f"{base}{endpoint}?{urlencode({'q': q})}" for q, _ in QUERIES]
        return lambda i: urls[i % len(urls)]

    def varied_search(endpoint: str) -> Callable[[int], str]:
        return lambda i: f"{base}{endpoint}?{urlencode({'q': words[i % len(words)], 'n': i})}"

    return Targets(
        fixed={
            "event page": lambda i: newest[i % len(newest)],
            "/search (HTML)": fixed_search("/search"),
            "/api/search": fixed_search("/api/search"),
        },
        varied={
            "event page": lambda i: f"{shuffled[i % len(shuffled)]}?n={i}",
            "/search (HTML)": varied_search("/search"),
            "/api/search": varied_search("/api/search"),
        },
    )


def our_totals(base: str) -> list[int]:
    """Hit counts, to show that both sides answer the same question."""
    return [_get_json(f"{base}/api/search", q=q)["total"] for q, _ in QUERIES]


def their_totals(db_url: str) -> list[int]:
    found = []
    for _, match in QUERIES:
        rows = httpx.get(db_url + _sql_params(match), timeout=30).json()
        found.append(next((r["total"] for r in rows if r["kind"] == "facet"), 0))
    return found


def _sql_params(match: str) -> str:
    return "?" + urlencode({"sql": SEARCH_SQL, "q": match, "_shape": "array"})


def server_pids(server: subprocess.Popen[bytes]) -> list[int]:
    """The server and its worker processes (``--workers`` forks them)."""
    kids = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return [server.pid, *(int(k) for k in kids)]


def cpu_seconds(pids: Sequence[int]) -> float:
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def cost_alone(pids: Sequence[int], url: Callable[[int], str], requests: int, fixed: bool) -> float:
    """Server CPU per request (ms) with one client sending one request at a time: what a request
    costs, whatever else the machine runs (wall-clock latency would count the other work). Fixed
    URLs are asked once per worker first, as the load run's warm-up would."""
    warm = (
        [url(i) for i in range(requests)] * len(pids) if fixed else [url(-1 - i) for i in range(10)]
    )
    with httpx.Client(timeout=30) as client:
        for each in warm:
            client.get(each)
        before = cpu_seconds(pids)
        for i in range(requests):
            client.get(url(i))
        return (cpu_seconds(pids) - before) * 1000 / requests


def pss_mb(pids: Sequence[int]) -> float:
    """Memory of a group of processes without counting the pages they share twice (forked
    workers share the interpreter and libraries): the sum of their proportional set sizes."""
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1])
    return total / 1024


@dataclass(frozen=True, slots=True)
class Served:
    """What the load on one stenogram server found."""

    runs: dict[tuple[str, str], Load]
    words: list[str]
    rss: list[tuple[float, float]]
    pss: float
    found: list[int]


@dataclass(frozen=True, slots=True)
class Node:
    """One ``stenogram serve`` to load: its archive, database and read replica."""

    label: str
    archive: Path
    database: str | None = None
    replica: str | None = None

    def command(self, port: int, workers: int) -> list[str]:
        made = [sys.executable, "-m", "stenogram", "serve", "--archive", str(self.archive)]
        made += ["--port", str(port), "--workers", str(workers)]
        if self.database:
            made += ["--database", self.database]
        if self.replica:
            made += ["--read-replica", self.replica]
        return made


def load_stenogram(args: argparse.Namespace, nodes: Sequence[Node]) -> dict[str, Served]:
    """CPU per request with one client, then every target under ``CLIENTS`` clients.

    The nodes serve side by side and take the load in turn, target by target: on a machine
    whose load moves (other work, two cores), each target's figures of every node are then
    taken minutes, not a quarter of an hour, apart, so their ratio is what the comparison reads.
    """
    header = "| target | req/s | p50 ms | p99 ms | requests | errors |\n|---|---|---|---|---|---|"
    with ExitStack() as stack:
        bases: dict[str, str] = {}
        pids: dict[str, list[int]] = {}
        for node in nodes:
            port = free_port()
            server = stack.enter_context(
                serving(node.command(port, args.workers), port, "/api/events")
            )
            bases[node.label] = f"http://127.0.0.1:{port}"
            time.sleep(2)  # every worker up
            pids[node.label] = server_pids(server)
        events = all_events(bases[nodes[0].label])
        words = vocabulary(events, 2000)
        urls = {label: targets(base, events, words) for label, base in bases.items()}
        costs: dict[str, list[str]] = {node.label: [] for node in nodes}
        runs: dict[str, dict[tuple[str, str], Load]] = {node.label: {} for node in nodes}
        for mode in MODES:
            for name in getattr(urls[nodes[0].label], mode):
                for node in nodes:
                    url = getattr(urls[node.label], mode)[name]
                    cost = cost_alone(pids[node.label], url, args.alone, mode == "fixed")
                    costs[node.label].append(f"| {name} | {mode} | {cost:.2f} |")
        for node in nodes:
            print(
                f"\n{node.label}: server CPU per request, one client, {args.alone} requests "
                f"each ({args.workers} workers):\n\n| target | URLs | CPU ms |\n|---|---|---|\n"
                + "\n".join(costs[node.label]),
                flush=True,
            )
        for mode in MODES:
            for name in getattr(urls[nodes[0].label], mode):
                for node in nodes:
                    url = getattr(urls[node.label], mode)[name]
                    load = run_load(f"{node.label}: stenogram {name}, {mode} URLs", url, args)
                    runs[node.label][mode, name] = load
        served = {}
        for node in nodes:
            print(
                f"\n{node.label}: {CLIENTS} clients, {args.seconds:.0f} s a target, the nodes "
                f"in turn, load average {os.getloadavg()[0]:.1f} at the end\n\n{header}"
            )
            for load in runs[node.label].values():
                print(load.row())
            mine = pids[node.label]
            rss = [rss_mb(pid) for pid in mine]
            totals = our_totals(bases[node.label])
            served[node.label] = Served(runs[node.label], words, rss, pss_mb(mine), totals)
        return served


def compare_backends(sqlite: Served, postgresql: Served, how: str) -> None:
    """PostgreSQL's figures over SQLite's, target by target (issue 11: search >= 0.8x)."""
    print(f"\nPostgreSQL ({how}) beside SQLite:")
    print("\n| target | URLs | req/s PG / SQLite | p99 ms PG / SQLite |\n|---|---|---|---|")
    for (mode, name), ours in sqlite.runs.items():
        theirs = postgresql.runs[mode, name]
        print(
            f"| {name} | {mode} | {theirs.rate / ours.rate:.2f}x ({theirs.rate:,.0f} / "
            f"{ours.rate:,.0f}) | {theirs.p99_ms:.1f} / {ours.p99_ms:.1f} |"
        )
    key = ("varied", "/api/search")
    search = postgresql.runs[key].rate / sqlite.runs[key].rate
    worst = max(r.p99_ms for r in postgresql.runs.values())
    print(
        f"Hit totals agree: {postgresql.found == sqlite.found}. Targets (PostgreSQL, {how}): "
        f"search >= 0.8x SQLite {'met' if search >= TARGET_PG_RATIO else 'MISSED'} "
        f"({search:.2f}x, varied words); p99 < {TARGET_P99_MS:.0f} ms "
        f"{'met' if worst < TARGET_P99_MS else 'MISSED'} (worst {worst:.1f} ms)"
    )


def bench(args: argparse.Namespace, archive: Path, work: Path) -> None:
    nodes = [Node("SQLite", archive)]
    if args.database:
        pg_archive = work / "pg-archive"
        ingest_corpus(args.corpus, pg_archive, args.database)
        nodes.append(Node("PostgreSQL, primary", pg_archive, args.database))
        if args.read_replica:
            nodes.append(Node("PostgreSQL, replica", pg_archive, args.database, args.read_replica))
    found = load_stenogram(args, nodes)
    served = found["SQLite"]
    if args.database:
        compare_backends(served, found["PostgreSQL, primary"], "reading from the primary")
        if args.read_replica:
            how = "reading through a hot standby"
            compare_backends(served, found["PostgreSQL, replica"], how)
        if not args.datasette:
            return
    runs, words, rss, pss, ours_found = (
        served.runs, served.words, served.rss, served.pss, served.found
    )  # fmt: skip
    db_path = work / "kremlin.db"
    t0 = time.perf_counter()
    rows = build_sqlite(archive, db_path)
    built = time.perf_counter() - t0
    port = free_port()
    db_url = f"http://127.0.0.1:{port}/{db_path.stem}.json"
    datasette = [str(Path(sys.executable).with_name("datasette")), "serve", "-i", str(db_path)]
    datasette += ["-h", "127.0.0.1", "-p", str(port), "--setting", "sql_time_limit_ms", "10000"]
    with serving(datasette, port, "/-/versions.json") as server:
        fixed = [db_url + _sql_params(match) for _, match in QUERIES]
        theirs_varied = run_load(
            "Datasette search (canned SQL), varied words",
            lambda i: db_url + _sql_params(f"{{text}}: {words[i % len(words)]}"),
            args,
        )
        theirs = run_load(
            "Datasette search (canned SQL), fixed URLs", lambda i: fixed[i % len(fixed)], args
        )
        their_rss, their_peak = rss_mb(server.pid)
        theirs_found = their_totals(db_url)

    ratio = runs["varied", "/api/search"].rate / theirs_varied.rate
    fixed_ratio = runs["fixed", "/api/search"].rate / theirs.rate
    worst = {mode: max(r.p99_ms for (m, _), r in runs.items() if m == mode) for mode in MODES}
    print(
        f"\nstenogram server: {len(rss)} processes, RSS "
        + ", ".join(f"{r:.0f} MB (peak {p:.0f})" for r, p in rss)
        + f"; together (PSS) {pss:.0f} MB. Datasette RSS {their_rss:.0f} MB "
        f"(peak {their_peak:.0f} MB)"
    )
    print(f"SQLite table: {rows:,} rows, built with FTS5 in {built:.0f} s")
    print(
        "Hit totals (stenogram / Datasette): "
        + "; ".join(
            f"{q} {a:,} / {b:,}"
            for (q, _), a, b in zip(QUERIES, ours_found, theirs_found, strict=True)
        )
    )
    print(
        f"Search throughput, stenogram /api/search over Datasette: {ratio:.2f}x with varied "
        f"words, {fixed_ratio:.2f}x with the four fixed queries"
    )
    print(f"Load average at the end: {os.getloadavg()[0]:.1f}")
    print(
        f"Targets: search >= Datasette {'met' if ratio >= 1 else 'MISSED'} (varied); "
        + "; ".join(
            f"p99 < {TARGET_P99_MS:.0f} ms {mode} {'met' if w < TARGET_P99_MS else 'MISSED'} "
            f"(worst {w:.1f} ms)"
            for mode, w in worst.items()
        )
        + f"; memory < {TARGET_RSS_MB:.0f} MB {'met' if pss < TARGET_RSS_MB else 'MISSED'} "
        f"({pss:.0f} MB PSS, all processes)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    parser.add_argument("--archive", type=Path, help="serve this archive instead of ingesting")
    parser.add_argument("--seconds", type=float, default=20.0, help="duration of each run")
    parser.add_argument("--max-requests", type=int, default=200_000, help="cap of each run")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="server workers")
    parser.add_argument("--alone", type=int, default=200, help="requests of each CPU-cost run")
    parser.add_argument(
        "--database", help="also serve the corpus from this empty PostgreSQL database (URL)"
    )
    parser.add_argument(
        "--read-replica", help="then serve it again reading through this hot standby (URL)"
    )
    parser.add_argument(
        "--no-datasette", dest="datasette", action="store_false",
        help="skip the Datasette comparison",
    )  # fmt: skip
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
