"""Memory of reading the real en.kremlin.ru archive as a stream: does it grow with the archive?

Reads all of ``kremlin-en-2000-2020.tar.xz`` through ``stenogram.sources.iter_documents``,
keeping nothing, and prints the peak traced memory (tracemalloc) of the first 100 pages — where
the xz dictionary and buffers are allocated — and of the rest, the biggest page, the bytes read
and the process's peak RSS. The test (tests/test_sources.py) checks the shape on synthetic
archives with a margin that cannot flake; this prints the absolute figures, which move with the
Python build and the allocator.

    .venv/bin/python bench/memory.py [--corpus ../shared/corpus]
"""

from __future__ import annotations

import argparse
import resource
import tracemalloc
from pathlib import Path

from stenogram.sources import RawDocument, iter_documents

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    args = parser.parse_args()
    archive = args.corpus / "kremlin-en-2000-2020.tar.xz"
    pages = total = biggest = early_peak = 0
    tracemalloc.start()
    for item in iter_documents([archive], max_bytes=20 * MB):
        if not isinstance(item, RawDocument):
            continue
        pages += 1
        total += len(item.data)
        biggest = max(biggest, len(item.data))
        if pages == 100:
            early_peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.reset_peak()
    late_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{archive.name}: {pages:,} pages, {total / MB:.1f} MB of HTML read")
    print(f"biggest page: {biggest / MB:.2f} MB")
    print(f"peak traced memory, first 100 pages: {early_peak / MB:.1f} MB")
    print(f"peak traced memory, the other {pages - 100:,}: {late_peak / MB:.1f} MB")
    print(f"growth after the first 100 pages: {(late_peak - early_peak) / MB:+.1f} MB")
    print(f"peak RSS of the process: {rss:.0f} MB")


if __name__ == "__main__":
    main()
