"""Synthetic speeches ingested into an archive, a second node's index following the change log.

What a large PostgreSQL deployment meets: ``bench/synth.py``'s seeded documents go through the
normal ingest path (``ingest.ingest_documents``: resolve, store in batches, the primary's own
index written as it goes) while a second ``stenogram serve`` node with its own ``--index``
folder follows the change log, as a serving node does; its index is therefore made of the
follower's many small commits, not of one reindexed segment. Prints the ingest time, the
database's size (``pg_database_size``, or the SQLite file), both indexes' size on disk, how
long the node took to be current after the last commit, then p50/p95 of the eight queries of
``bench/search.py`` (top 10 with facets, in-process ``search()``) on the node's index. Prints;
never asserts.

    .venv/bin/python bench/with_pg.py .venv/bin/python bench/synth_ingest.py \
        --database @DB@ --speeches 1000000
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from follow import serving
from search import QUERIES, dir_mb, time_stenogram
from stenogram.archive import Archive
from stenogram.ingest import ingest_documents
from stenogram.search import read_seq
from stenogram.settings import Settings
from synth import Generator, load_model

TARGET_P95_MS = 30.0


def database_mb(archive: Archive, folder: Path) -> float:
    if archive.backend.name == "sqlite":
        return sum(p.stat().st_size for p in folder.glob("*.db*")) / 1e6
    with archive.backend.engine.connect() as conn:
        size = conn.exec_driver_sql("select pg_database_size(current_database())").scalar()
    return int(size or 0) / 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="an empty PostgreSQL database (default: SQLite)")
    parser.add_argument("--speeches", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=30, help="timed runs of each query")
    parser.add_argument("--work", type=Path, help="folder for the archive (default: temporary)")
    args = parser.parse_args(argv)
    print(f"load average at the start: {os.getloadavg()[0]:.1f}", flush=True)
    with tempfile.TemporaryDirectory(prefix="stenogram-synth-", dir=args.work) as tmp:
        folder = Path(tmp) / "archive"
        node_index = Path(tmp) / "node" / "index"
        settings = Settings(archive=folder, database=args.database)
        with Archive.open(folder, database=args.database, index=node_index) as node:
            pass  # the schema exists before the node starts
        with serving(folder, args.database, node_index):
            summary = ingest_documents(
                Generator(load_model(), args.seed).documents(args.speeches), settings
            )
            stored = time.perf_counter()
            with Archive.open(folder, database=args.database, index=node_index) as node:
                last = node.max_seq()
                while read_seq(node_index) < last:
                    time.sleep(0.1)
                behind = time.perf_counter() - stored
                size = database_mb(node, folder)
        print(
            f"{node.backend.name}: {args.speeches:,} speeches, {summary.new:,} documents new, "
            f"{summary.failed} failed, ingested in {summary.seconds:.0f} s "
            f"({args.speeches / summary.seconds:,.0f} speeches/s); the following node was "
            f"current {behind:.1f} s after the ingest ended"
        )
        print(
            f"sizes: database {size:,.0f} MB, primary index {dir_mb(folder / 'index'):,.0f} MB, "
            f"node index {dir_mb(node_index):,.0f} MB "
            f"({sum(1 for _ in node_index.glob('*.idx'))} segments)"
        )
        print(f"load average before the searches: {os.getloadavg()[0]:.1f}")
        print("| query | hits | p50 ms | p95 ms |\n|---|---|---|---|")
        worst = 0.0
        for query in QUERIES:
            timing = time_stenogram(node_index, query, args.runs)
            worst = max(worst, timing.p95)
            print(f"| `{query.text}` | {timing.hits:,} | {timing.p50:.1f} | {timing.p95:.1f} |")
        met = "met" if worst <= TARGET_P95_MS else "MISSED"
        print(f"worst p95 {worst:.1f} ms with facets on the following node: target <= 30 ms {met}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
