"""Parse throughput on the 5,829-page en.kremlin.ru archive, against the HTML library's floor.

A pages-per-second figure alone says little: it moves with the machine. So the same run also
times merely building the HTML tree of each page with the same library the parser uses
(``selectolax.lexbor.LexborHTMLParser``); no parser can beat that floor, and the ratio between
the two is what the parser's own work costs, comparable across machines.

The archive is streamed (decompressed once, page by page, never wholly in memory, so peak RSS
is the parser's and not the corpus's); each page is timed separately for the floor and for the
parse, so xz decompression is outside both rates. The end-to-end rate, decompression included,
is printed too. This script prints; it never asserts a time.

    .venv/bin/python bench/parse.py [--corpus ../shared/corpus] [--limit N]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from stenogram.errors import StenogramError
from stenogram.parse import parse_bytes

ROOT = Path(__file__).resolve().parent.parent
ARCHIVE = "kremlin-en-2000-2020.tar.xz"
TARGET_RATE = 1500.0
TARGET_RATIO = 0.30
TARGET_RSS_MB = 300.0


def pages(archive: Path, limit: int | None) -> Iterator[tuple[str, bytes]]:
    with tarfile.open(archive, mode="r|xz") as tar:
        count = 0
        for member in tar:
            handle = tar.extractfile(member) if member.isfile() else None
            if handle is None or not member.name.endswith(".html"):
                continue
            yield member.name, handle.read()
            count += 1
            if limit is not None and count >= limit:
                return


def pin_to_one_core() -> str:
    """Run on one core so that the figure is per core whatever the machine has."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity here)"
    core = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    return f"pinned to core {core} of {os.cpu_count()}"


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")
    args = parser.parse_args(argv)
    archive = args.corpus / ARCHIVE
    if not archive.is_file():
        print(f"{archive}: not found (pass --corpus)", file=sys.stderr)
        return 2
    where = pin_to_one_core()
    count = failed = size = 0
    floor_s = parse_s = floor_cpu = parse_cpu = 0.0
    started = time.perf_counter()
    for name, data in pages(archive, args.limit):
        c0, t0 = time.thread_time(), time.perf_counter()
        LexborHTMLParser(data)
        c1, t1 = time.thread_time(), time.perf_counter()
        try:
            parse_bytes(data, origin=name)
        except StenogramError:
            failed += 1
        c2, t2 = time.thread_time(), time.perf_counter()
        floor_s += t1 - t0
        parse_s += t2 - t1
        floor_cpu += c1 - c0
        parse_cpu += c2 - c1
        count += 1
        size += len(data)
    wall = time.perf_counter() - started
    if not count:
        print("no pages read", file=sys.stderr)
        return 2
    # CPU time of this thread is what "on one core" means; wall time is printed too, because on a
    # shared machine it also counts the time the core spent on other processes.
    parse_rate, floor_rate = count / parse_cpu, count / floor_cpu
    ratio, rss = parse_rate / floor_rate, peak_rss_mb()

    def verdict(ok: bool) -> str:
        return "ok" if ok else "BELOW TARGET"

    print(
        f"stenogram parse benchmark, {platform.python_implementation()} {platform.python_version()}"
    )
    print(f"{count} pages, {size / 1e6:.1f} MB of HTML, {where}; {failed} pages failed to parse")
    print(f"{'figure':<38}{'value':>10}  target")
    rows = [
        (
            "parse, pages/s (CPU time)",
            f"{parse_rate:,.0f}",
            f">= {TARGET_RATE:,.0f}  {verdict(parse_rate >= TARGET_RATE)}",
        ),
        ("floor: HTML tree only, pages/s (CPU)", f"{floor_rate:,.0f}", ""),
        ("parse, pages/s (wall time)", f"{count / parse_s:,.0f}", ""),
        ("floor, pages/s (wall time)", f"{count / floor_s:,.0f}", ""),
        (
            "ratio parse / floor",
            f"{ratio:.2f}",
            f">= {TARGET_RATIO:.2f}  {verdict(ratio >= TARGET_RATIO)}",
        ),
        ("end to end incl. xz, pages/s", f"{count / wall:,.0f}", ""),
        ("peak RSS, MB", f"{rss:,.0f}", f"< {TARGET_RSS_MB:,.0f}  {verdict(rss < TARGET_RSS_MB)}"),
    ]
    for label, value, target in rows:
        print(f"{label:<38}{value:>10}  {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
