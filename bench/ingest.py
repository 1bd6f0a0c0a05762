"""End-to-end ingest of the development corpus into a temporary archive, then a re-ingest.

Prints pages/s (sources -> parse -> resolve -> store -> index), where the time went, peak RSS of
this process and of the parse workers, the archive's size, and the re-ingest rate (every page
unchanged). CPU seconds are printed beside wall time because a shared machine's load moves the
wall figures; the CPU split is what says which stage to work on. Prints; never asserts a time.

The stages of the ingesting process are timed by wrapping their entry points here (wall, and
CPU of the calling thread: tantivy's indexing threads show in the process total only); "wait"
is the time spent waiting for the parse workers.

    .venv/bin/python bench/ingest.py [--corpus ../shared/corpus] [--database postgresql://…]

With ``--database`` (an empty PostgreSQL database), the same run is made there too, after the
SQLite one, and the rate of each backend is printed side by side (target: PostgreSQL at least
0.7 of SQLite's pages/s).
"""

from __future__ import annotations

import argparse
import functools
import os
import resource
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from stenogram import ingest as pipeline
from stenogram.archive import Archive
from stenogram.ingest import IngestSummary, ingest, reindex
from stenogram.parse import FORMATS
from stenogram.resolve import PeopleDirectory
from stenogram.search import Indexer
from stenogram.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
CORPORA = (("kremlin-en-2000-2020.tar.xz", None), ("pm-transcripts-au.tar.xz", "pm-au"))
TARGET_RATE = 500.0
TARGET_RSS_MB = 500.0
TARGET_PG_RATIO = 0.7


def _rss_mb(who: int) -> float:
    peak = resource.getrusage(who).ru_maxrss
    return peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024


def _line(label: str, summary: IngestSummary, cpu: os.times_result, before: os.times_result) -> str:
    pages = summary.new + summary.updated + summary.unchanged + summary.failed
    main = cpu.user + cpu.system - before.user - before.system
    worker = cpu.children_user + cpu.children_system - before.children_user - before.children_system
    rate = pages / summary.seconds
    return (
        f"{label}: {pages} pages in {summary.seconds:.1f} s = {rate:.0f} pages/s "
        f"(target >= {TARGET_RATE:.0f}); new {summary.new}, updated {summary.updated}, "
        f"unchanged {summary.unchanged}, failed {summary.failed}; "
        f"CPU: main {main:.1f} s (resolve, store, index), parse workers {worker:.1f} s "
        f"(read, parse)"
    )


#: Stage name -> [wall seconds, CPU seconds of the calling thread].
STAGES: defaultdict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])


def _timed(stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            STAGES[stage][0] += time.perf_counter() - wall
            STAGES[stage][1] += time.thread_time() - cpu

    return wrapper


def _timed_iter(stage: str, items: Iterator[Any]) -> Iterator[Any]:
    while True:
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            item = next(items)
        except StopIteration:
            return
        finally:
            STAGES[stage][0] += time.perf_counter() - wall
            STAGES[stage][1] += time.thread_time() - cpu
        yield item


@contextmanager
def _stages() -> Iterator[None]:
    """Time the ingester's stages for as long as the block runs."""
    saved: list[tuple[Any, str, Any]] = []

    def patch(owner: Any, name: str, new: Any) -> None:
        saved.append((owner, name, getattr(owner, name)))
        setattr(owner, name, new)

    parsing = pipeline._parsing

    @contextmanager
    def timed_parsing(*args: Any) -> Iterator[Iterator[Any]]:
        with parsing(*args) as parsed:
            yield _timed_iter("wait for parse", parsed)

    patch(pipeline, "_parsing", timed_parsing)
    for owner, name, stage in (
        (Archive, "unchanged", "check unchanged"),
        (PeopleDirectory, "resolve", "resolve"),
        (Archive, "store_many", "store"),
        (Indexer, "add", "index add"),
        (Indexer, "commit", "index commit"),
    ):
        patch(owner, name, _timed(stage, getattr(owner, name)))
    STAGES.clear()
    try:
        yield
    finally:
        for owner, name, old in reversed(saved):
            setattr(owner, name, old)


def _stage_lines() -> str:
    return "\n".join(
        f"  {stage:<16} wall {wall:6.1f} s  CPU {cpu:6.1f} s"
        for stage, (wall, cpu) in STAGES.items()
    )


def _run(backend: str, paths: list[Path], database: str | None) -> float:
    """Ingest, re-ingest and reindex on one backend; the first ingest's pages/s."""
    print(f"--- {backend}")
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(archive=Path(tmp) / "archive", database=database)
        before = os.times()
        with _stages():
            first = ingest(paths, settings)
        print(_line("ingest", first, os.times(), before))
        print(_stage_lines())
        for name, reason in first.failures[:5]:
            print(f"  failed: {name}: {reason}")
        with pipeline.open_settings(settings) as archive:
            size = archive.info().bytes
        print(f"archive size: {size / 1e6:.0f} MB")
        before = os.times()
        with _stages():
            again = ingest(paths, settings)
        print(_line("re-ingest", again, os.times(), before))
        print(_stage_lines())
        started = time.perf_counter()
        rows = reindex(settings)
        print(f"reindex: {rows} rows in {time.perf_counter() - started:.1f} s")
    pages = first.new + first.updated + first.unchanged + first.failed
    return pages / first.seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument(
        "--database", help="an empty PostgreSQL database to run the same ingest on (URL)"
    )
    args = parser.parse_args(argv)
    paths = [
        args.corpus / name
        for name, needs in CORPORA
        if (needs is None or needs in FORMATS) and (args.corpus / name).is_file()
    ]
    if not paths:
        print(f"{args.corpus}: no corpus found (pass --corpus)", file=sys.stderr)
        return 2
    print(f"corpus: {', '.join(p.name for p in paths)}; {os.cpu_count()} cores")
    rates = {"sqlite": _run("sqlite", paths, None)}
    if args.database:
        rates["postgresql"] = _run("postgresql", paths, args.database)
        ratio = rates["postgresql"] / rates["sqlite"]
        print(
            f"PostgreSQL/SQLite ingest rate: {ratio:.2f} (target >= {TARGET_PG_RATIO}); "
            f"{rates['postgresql']:.0f} vs {rates['sqlite']:.0f} pages/s"
        )
    print(
        f"peak RSS: main {_rss_mb(resource.RUSAGE_SELF):.0f} MB, "
        f"largest parse worker {_rss_mb(resource.RUSAGE_CHILDREN):.0f} MB "
        f"(target < {TARGET_RSS_MB:.0f})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
