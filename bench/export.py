"""Export speed and memory: the whole archive to each format, speeches/s and peak RSS.

Each format runs in a fresh process (so its peak RSS is its own) through the same library call
as ``stenogram export``, writing into a temporary folder that is removed afterwards. Targets
(issue 12): Parquet ≥ 20,000 speeches/s; every format under 300 MB of RSS.

    .venv/bin/python bench/export.py --archive ARCHIVE [--format parquet ...]

Build the development corpus's archive first (about 1-2 minutes):

    stenogram --archive /tmp/dev-archive ingest ../shared/corpus/kremlin-en-2000-2020.tar.xz \\
        ../shared/corpus/pm-transcripts-au.tar.xz ../shared/corpus/kremlin-ru-2025.csv
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from stenogram.export.formats import formats, get
from stenogram.export.records import Selection
from stenogram.export.run import export
from stenogram.settings import Settings


def one(archive: Path, name: str, out: Path) -> dict[str, float]:
    """Run one export in this process and measure it."""
    fmt = get(name)
    settings = Settings(archive=archive)
    started = time.perf_counter()
    if fmt.folder:
        written = export(settings, name, out / name, Selection())
    else:
        with (out / f"export{fmt.suffix}").open("wb") as fh:
            written = export(settings, name, fh, Selection())
    seconds = time.perf_counter() - started
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return {
        "events": written.events,
        "speeches": written.speeches,
        "seconds": seconds,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "out_mb": size / 1024 / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=Path, required=True)
    parser.add_argument("--format", action="append", dest="names")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        with tempfile.TemporaryDirectory() as tmp:
            print(json.dumps(one(args.archive, args.one, Path(tmp))))
        return
    names = args.names or sorted(formats())
    print(
        f"{'format':18} {'events':>7} {'speeches':>9} {'s':>7} {'speeches/s':>11} "
        f"{'RSS MB':>7} {'out MB':>7}"
    )
    for name in names:
        done = subprocess.run(
            [sys.executable, __file__, "--archive", str(args.archive), "--one", name],
            check=True,
            capture_output=True,
            text=True,
        )
        got = json.loads(done.stdout.strip().splitlines()[-1])
        rate = got["speeches"] / got["seconds"] if got["seconds"] else 0.0
        print(
            f"{name:18} {got['events']:>7,.0f} {got['speeches']:>9,.0f} {got['seconds']:>7.1f} "
            f"{rate:>11,.0f} {got['rss_mb']:>7.0f} {got['out_mb']:>7.1f}"
        )


if __name__ == "__main__":
    main()
