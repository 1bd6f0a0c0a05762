"""Search latency of stenogram's tantivy index against Datasette + SQLite FTS5 on the same rows.

Datasette is what a newsroom would otherwise reach for: load the rows with ``sqlite-utils``,
``enable_fts``, serve. So the same rows go both ways in one pass and the same fixed queries are
timed through each, in-process on both sides (``search()`` against ``Datasette.client``, no
network): top 10 by relevance with snippets plus facet counts over all matches. On the Datasette
side that is one canned SQL request for bm25 + snippet and one for the speaker facet (with the
total), as measured in notes/search-engines.md. Each timing is a p50/p95 over ``--runs`` runs
after a warm-up; the script prints and never asserts a time.

Two data sets: the real corpus (every parsed page's rows, as the archive would hand them over)
and N synthetic speeches from ``bench/synth.py`` (streamed: 1,000,000 fit in a few GB).

    .venv/bin/python bench/search.py [--speeches 1000000] [--seed 1] [--runs 30] [--no-real]
    .venv/bin/python bench/search.py --reuse DIR      # time again the stores a --keep run left
    .venv/bin/python bench/search.py --reuse DIR --reindex --speeches N --seed S
                                    # rebuild only the tantivy index there (after a schema change)
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import os
import platform
import resource
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlencode

import sqlite_utils
from datasette.app import Datasette  # type: ignore[import-untyped]

from stenogram.archive.rows import IndexRow
from stenogram.model import Document
from stenogram.search import Indexer, search
from synth import CORPUS, MODEL_PATH, Generator, corpus_items, load_model, rows_of

TARGET_P95_MS: Final = 20.0
TARGET_RATIO: Final = 10.0
WARMUP: Final = 3
BATCH_ROWS: Final = 20_000
TABLE: Final = "rows"


@dataclass(frozen=True, slots=True)
class Query:
    """One query in our language and the same question for FTS5 (text column only; filters in
    SQL, with ``+`` so that SQLite never runs the match once per row of an index scan)."""

    text: str
    match: str
    where: str = ""
    params: tuple[tuple[str, str], ...] = ()


QUERIES: Final = (
    Query("Rosatom", "{text}: Rosatom"),
    Query("Russia", "{text}: Russia"),
    Query("economy", "{text}: economy"),
    Query('"national projects"', '{text}: "national projects"'),
    Query("gas AND Ukraine NOT Europe", "{text}: (gas AND Ukraine NOT Europe)"),
    Query("Russia speaker:Putin", "{text}: Russia AND {speaker}: Putin"),
    Query(
        "Russia from:2016-01-01 to:2018-12-31",
        "{text}: Russia",
        "and +r.date between :start and :end",
        (("start", "2016-01-01"), ("end", "2018-12-31")),
    ),
    Query("sanction*", "{text}: sanction*"),
)

TOP_SQL: Final = f"""
select r.rowid as id, r.event_id, r.speaker, r.date, r.title, r.url,
  snippet({TABLE}_fts, 0, '<b>', '</b>', '…', 30) as snippet
from {TABLE}_fts join {TABLE} r on r.rowid = {TABLE}_fts.rowid
where {TABLE}_fts match :q {{where}}
order by {TABLE}_fts.rank limit 10
"""

FACET_SQL: Final = f"""
select r.speaker, count(*) as n, sum(count(*)) over () as total
from {TABLE}_fts join {TABLE} r on r.rowid = {TABLE}_fts.rowid
where {TABLE}_fts match :q {{where}}
group by r.speaker order by n desc limit 20
"""


@dataclass
class Built:
    """What building both stores cost, timed apart although they are fed in one pass."""

    rows: int = 0
    speeches: int = 0
    searchable: int = 0
    events: int = 0
    source_s: float = 0.0
    tantivy_s: float = 0.0
    sqlite_s: float = 0.0
    fts_s: float = 0.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def dir_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def real_rows(corpus: Path) -> Iterator[IndexRow]:
    """The archive's rows for every page the parser reads (refused pages are skipped)."""
    speech_id = 0
    event_id = 0
    for item in corpus_items(corpus):
        if isinstance(item, Document):
            event_id += 1
            yield from rows_of(item, event_id, event_id, speech_id + 1)
            speech_id += len(item.speeches)


def event_batches(rows: Iterable[IndexRow], size: int) -> Iterator[list[list[IndexRow]]]:
    """Lists of whole events: the indexer replaces an event it sees twice, so never split one."""
    batch: list[list[IndexRow]] = []
    count = 0
    for _, group in itertools.groupby(rows, key=attrgetter("event_id")):
        event = list(group)
        batch.append(event)
        count += len(event)
        if count >= size:
            yield batch
            batch, count = [], 0
    if batch:
        yield batch


def searchable(event: list[IndexRow]) -> list[IndexRow]:
    """What a speech search can return: the speeches, or the event itself when it has none."""
    speeches = [r for r in event if r.kind == "speech"]
    return speeches or event


def sql_row(row: IndexRow) -> dict[str, Any]:
    return {
        "kind": row.kind,
        "event_id": row.event_id,
        "speech_id": row.speech_id,
        "title": row.title,
        "date": row.date.isoformat() if row.date else None,
        "place": row.place,
        "speaker": row.speaker,
        "role": row.role,
        "text": row.text,
        "topics": "; ".join(row.topics),
        "geography": "; ".join(row.geography),
        "url": row.url,
    }


def build(rows: Iterable[IndexRow], work: Path) -> Built:
    """Feed the tantivy index and the SQLite table from one stream of rows, in whole events."""
    built = Built()
    db_path = work / "bench.db"
    conn = sqlite3.connect(db_path)
    conn.execute("pragma journal_mode = off")
    conn.execute("pragma synchronous = off")
    db = sqlite_utils.Database(conn)
    table = db.table(TABLE)
    stream = iter(event_batches(rows, BATCH_ROWS))
    with Indexer(work / "index", bulk=True) as indexer:  # as `stenogram reindex` builds it
        while True:
            t0 = time.perf_counter()
            batch = next(stream, None)
            t1 = time.perf_counter()
            built.source_s += t1 - t0
            if batch is None:
                break
            flat = [row for event in batch for row in event]
            indexer.add(flat)
            t2 = time.perf_counter()
            found = [sql_row(row) for event in batch for row in searchable(event)]
            table.insert_all(found, batch_size=2000)
            built.tantivy_s += t2 - t1
            built.sqlite_s += time.perf_counter() - t2
            built.rows += len(flat)
            built.events += len(batch)
            built.speeches += sum(r.kind == "speech" for r in flat)
            built.searchable += len(found)
        t0 = time.perf_counter()
    built.tantivy_s += time.perf_counter() - t0  # final commit and merges
    t0 = time.perf_counter()
    table.enable_fts(["text", "speaker"], tokenize="porter", create_triggers=False)
    conn.execute("vacuum")
    conn.close()
    built.fts_s = time.perf_counter() - t0
    return built


def reindex(rows: Iterable[IndexRow], path: Path) -> float:
    """Rebuild only the tantivy index from ``rows``; return the seconds it took."""
    shutil.rmtree(path, ignore_errors=True)
    t0 = time.perf_counter()
    with Indexer(path, bulk=True) as indexer:  # as `stenogram reindex` builds it
        for batch in event_batches(rows, BATCH_ROWS):
            indexer.add(row for event in batch for row in event)
    return time.perf_counter() - t0


def fts_mb(db_path: Path) -> float:
    """The FTS5 shadow tables' share of the SQLite file (NaN when SQLite lacks ``dbstat``)."""
    with sqlite3.connect(db_path) as conn:
        try:
            (size,) = conn.execute(
                "select sum(pgsize) from dbstat where name like ?", (f"{TABLE}_fts%",)
            ).fetchone()
        except sqlite3.OperationalError:
            return float("nan")
    return float(size or 0) / 1e6


@dataclass(frozen=True, slots=True)
class Timing:
    hits: int
    p50: float
    p95: float


def percentiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[max(0, round(len(ordered) * 0.95) - 1)]


def time_stenogram(index: Path, query: Query, runs: int) -> Timing:
    times = []
    for i in range(WARMUP + runs):
        t0 = time.perf_counter()
        result = search(index, query.text, limit=10, facets=True)
        if i >= WARMUP:
            times.append((time.perf_counter() - t0) * 1000)
    return Timing(result.total, *percentiles(times))


async def time_datasette(db_path: Path, queries: Iterable[Query], runs: int) -> list[Timing]:
    """Each query as a Datasette user would run it: two canned-SQL JSON requests."""
    ds = Datasette(
        immutables=[str(db_path)],
        settings={"sql_time_limit_ms": 600_000, "num_sql_threads": 2},
    )
    await ds.invoke_startup()
    name = db_path.stem
    timings = []
    for query in queries:
        common = {"q": query.match, "_shape": "array", **dict(query.params)}
        top = f"/{name}.json?" + urlencode({"sql": TOP_SQL.format(where=query.where), **common})
        facet = f"/{name}.json?" + urlencode({"sql": FACET_SQL.format(where=query.where), **common})
        times = []
        total = 0
        for i in range(WARMUP + runs):
            t0 = time.perf_counter()
            got = await ds.client.get(top)
            counted = await ds.client.get(facet)
            elapsed = (time.perf_counter() - t0) * 1000
            if got.status_code != 200 or counted.status_code != 200:
                raise SystemExit(f"Datasette refused {query.text!r}: {got.text[:300]}")
            if i >= WARMUP:
                times.append(elapsed)
            facets = counted.json()
            total = facets[0]["total"] if facets else 0
        timings.append(Timing(total, *percentiles(times)))
    return timings


def sizes(work: Path) -> str:
    db_path = work / "bench.db"
    return (
        f"Size on disk: tantivy {dir_mb(work / 'index'):.0f} MB; SQLite file "
        f"{db_path.stat().st_size / 1e6:.0f} MB (FTS5 tables {fts_mb(db_path):.0f} MB)."
    )


def describe(built: Built, work: Path) -> list[str]:
    return [
        f"{built.events:,} events, {built.speeches:,} speeches, {built.rows:,} index rows "
        f"({built.searchable:,} searchable at speech level, the rows loaded into SQLite).",
        f"Build: rows made in {built.source_s:.1f} s; tantivy {built.tantivy_s:.1f} s; "
        f"SQLite insert {built.sqlite_s:.1f} s + FTS5 {built.fts_s:.1f} s.",
        sizes(work),
        f"Peak RSS after the build: {peak_rss_mb():.0f} MB.",
    ]


def timings(runs: int, work: Path, at_scale: bool) -> list[str]:
    ours = [time_stenogram(work / "index", q, runs) for q in QUERIES]
    theirs = asyncio.run(time_datasette(work / "bench.db", QUERIES, runs))
    lines = [
        f"{runs} runs per query after {WARMUP} warm-up.",
        "",
        "| query | hits (stenogram / FTS5) | stenogram p50 / p95 ms | Datasette p50 / p95 ms "
        "| ratio p50 / p95 |",
        "|---|---|---|---|---|",
    ]
    for query, a, b in zip(QUERIES, ours, theirs, strict=True):
        lines.append(
            f"| `{query.text}` | {a.hits:,} / {b.hits:,} | {a.p50:.1f} / {a.p95:.1f} "
            f"| {b.p50:.1f} / {b.p95:.1f} | {b.p50 / a.p50:.0f}× / {b.p95 / a.p95:.0f}× |"
        )
    worst = max(t.p95 for t in ours)
    least = min(b.p95 / a.p95 for a, b in zip(ours, theirs, strict=True))
    lines += ["", f"Worst stenogram p95: {worst:.1f} ms; smallest p95 ratio: {least:.1f}×."]
    if at_scale:
        fast = "met" if worst <= TARGET_P95_MS else "MISSED"
        ahead = "met" if least >= TARGET_RATIO else "MISSED"
        lines.append(
            f"Targets at 1M: p95 ≤ {TARGET_P95_MS:.0f} ms — {fast}; "
            f"ratio ≥ {TARGET_RATIO:.0f}× — {ahead}."
        )
    else:
        lines.append(
            f"(targets apply at 1M: p95 ≤ {TARGET_P95_MS:.0f} ms, ratio ≥ {TARGET_RATIO:.0f}×)"
        )
    return lines


def run(label: str, rows: Iterable[IndexRow], args: argparse.Namespace, at_scale: bool) -> None:
    work = Path(tempfile.mkdtemp(prefix="stenogram-bench-", dir=args.work))
    try:
        built = build(rows, work)
        print(f"### {label}", "", *describe(built, work), sep="\n", flush=True)
        print(*timings(args.runs, work, at_scale), "", sep="\n", flush=True)
    finally:
        if args.keep:
            print(f"(kept {work})")
        else:
            shutil.rmtree(work)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--speeches", type=int, default=1_000_000, help="synthetic speeches (0: none)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--no-real", action="store_true", help="skip the real corpus")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--model", type=Path, default=MODEL_PATH)
    ap.add_argument("--work", type=Path, default=None, help="where the temporary stores go")
    ap.add_argument("--keep", action="store_true", help="keep the stores for inspection")
    ap.add_argument("--reuse", type=Path, help="only time the stores a --keep run left here")
    ap.add_argument(
        "--reindex",
        action="store_true",
        help="with --reuse: first rebuild the tantivy index there from the same synthetic rows "
        "(--speeches, --seed), e.g. after a schema change; the SQLite side is kept",
    )
    args = ap.parse_args()
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    if args.reindex and not args.reuse:
        ap.error("--reindex goes with --reuse")
    if args.reuse:
        if args.reindex:
            gen = Generator(load_model(args.model, args.corpus), args.seed)
            seconds = reindex(gen.rows(args.speeches), args.reuse / "index")
            print(f"Rebuilt the tantivy index from {args.speeches:,} speeches in {seconds:.0f} s.")
        print(f"### Stores in {args.reuse}", "", sizes(args.reuse), sep="\n")
        print(*timings(args.runs, args.reuse, at_scale=False), sep="\n")
        return
    print(
        f"{dt.date.today()} · {platform.python_version()} · {os.cpu_count()} vCPU · "
        f"{platform.machine()} · SQLite {sqlite3.sqlite_version}\n",
        flush=True,
    )
    if not args.no_real:
        run(f"Real corpus ({args.corpus.name})", real_rows(args.corpus), args, at_scale=False)
    if args.speeches > 0:
        gen = Generator(load_model(args.model, args.corpus), args.seed)
        label = f"{args.speeches:,} synthetic speeches (seed {args.seed})"
        run(label, gen.rows(args.speeches), args, at_scale=args.speeches >= 1_000_000)
    print(f"Peak RSS of the whole run: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
