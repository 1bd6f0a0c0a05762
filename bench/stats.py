"""Statistics latency (issue 14, section 3): a term's trend, six terms' trend, a speaker's
distinctive terms and a person's co-attendance network, on the real corpus and on N synthetic
speeches (``bench/synth.py``).

Each figure is p50/p95 in ms over ``--runs`` calls after a warm-up, each call as a request
makes it (a fresh ``Scope``: searcher and the archive's persons). On the real corpus the
archive is opened once (``--archive DIR``, else the corpus is ingested into a temporary folder
first); the synthetic speeches are indexed as ``stenogram reindex`` would (one bulk writer), and
the build time is printed. The script prints and never asserts a time.

    .venv/bin/python bench/stats.py [--archive DIR] [--speeches 200000] [--seed 1] [--runs 30]
    .venv/bin/python bench/stats.py --no-real --speeches 1000000 --keep /tmp/stats-1m
    .venv/bin/python bench/stats.py --no-real --reuse /tmp/stats-1m   # time a kept index again
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from stenogram.ingest import ingest, open_archive
from stenogram.model import Person
from stenogram.search import Indexer
from stenogram.search.engine import open_searcher
from stenogram.search.people import People
from stenogram.settings import load_settings
from stenogram.stats import distinctive, network, speakers, trend
from stenogram.stats.distinctive import compute as distinctive_of
from stenogram.stats.network import compute as network_of
from stenogram.stats.scope import Scope
from stenogram.stats.speakers import MAX_SPEAKERS, compute_speakers
from stenogram.stats.trend import compute as trend_of
from synth import CORPUS, Generator, load_model

CORPUS_FILES: Final = (
    "kremlin-en-2000-2020.tar.xz",
    "kremlin-ru-2025.csv",
    "pm-transcripts-au.tar.xz",
)
ONE: Final = "Russia"
SIX: Final = ("Russia", "economy", "national projects", "sanctions", "Ukraine", "development")
WARMUP: Final = 2
#: Targets of issue 14 (ms): one term p95 real / 1M, six terms vs one, distinctive at 1M,
#: network of a person.
TARGETS: Final = {
    "trend_real": 50,
    "trend_1m": 300,
    "six_ratio": 3,
    "distinctive_1m": 2000,
    "network": 200,
}


def timed(call: Callable[[], Any], runs: int) -> dict[str, float]:
    for _ in range(WARMUP):
        call()
    took = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        took.append((time.perf_counter() - start) * 1000)
    took.sort()
    p95 = took[min(len(took) - 1, round(0.95 * (len(took) - 1)))]
    return {"p50": round(statistics.median(took), 1), "p95": round(p95, 1)}


def measure(scope: Callable[[], Scope], speaker: str, person: str, runs: int) -> dict[str, Any]:
    figures = {
        "trend_one": timed(lambda: trend_of(scope(), [ONE]), runs),
        "trend_six": timed(lambda: trend_of(scope(), SIX), runs),
        "trend_one_month": timed(lambda: trend_of(scope(), [ONE], by="month"), runs),
        "trend_one_per_speaker": timed(lambda: trend_of(scope(), [ONE], per="speaker"), runs),
        "distinctive": timed(
            lambda: distinctive_of(scope(), query=f"speaker:{speaker}"), max(3, runs // 5)
        ),
        "network": timed(lambda: network_of(scope(), person_id=person), runs),
    }
    figures["six_ratio_p95"] = round(figures["trend_six"]["p95"] / figures["trend_one"]["p95"], 2)
    return figures


@contextmanager
def real_archive(given: Path | None) -> Iterator[Path]:
    if given is not None:
        yield given
        return
    with tempfile.TemporaryDirectory(prefix="stats-real-") as work:
        folder = Path(work) / "archive"
        start = time.perf_counter()
        ingest([CORPUS / name for name in CORPUS_FILES], load_settings({"archive": folder}))
        print(json.dumps({"real_ingest_s": round(time.perf_counter() - start, 1)}), flush=True)
        yield folder


def real(given: Path | None, runs: int) -> dict[str, Any]:
    with real_archive(given) as folder, open_archive(load_settings({"archive": folder})) as arch:
        top = speakers(arch, limit=1).speakers[0]
        person = top.person_id
        # The public functions once, as the CLI and the web call them.
        trend(arch, [ONE])
        distinctive(arch, query=f"speaker:{person}")
        network(arch, person_id=person)
        figures = measure(lambda: Scope.of(arch), person, person, runs)
        figures |= {"speeches": sum(p.speeches for p in speakers(arch).periods), "person": person}
        return figures


def synthetic(speeches: int, seed: int, folder: Path, reuse: bool, runs: int) -> dict[str, Any]:
    path = folder / "index"
    built: dict[str, Any] = {}
    if not reuse:
        gen = Generator(load_model(), seed)
        start = time.perf_counter()
        with Indexer(path, bulk=True) as indexer:  # as `stenogram reindex` builds it
            rows = indexer.add(gen.rows(speeches), new=True)
        built = {"rows": rows, "build_s": round(time.perf_counter() - start, 1)}
        print(json.dumps(built), flush=True)
    # The synthetic speakers' person ids are their names (``synth.rows_of``): persons of those
    # ids let ``speaker:NAME`` mean a person, as the archive's persons do.
    nobody = Scope(*open_searcher(path), People(()))
    people = People(Person(pid, pid) for pid in speakers_of(nobody, MAX_SPEAKERS))

    def scope() -> Scope:
        return Scope(*open_searcher(path), people)

    ranked = speakers_of(scope(), 5)
    speaker = ranked[0]
    figures = measure(scope, f'"{speaker}"', speaker, runs)
    size = sum(f.stat().st_size for f in path.iterdir() if f.is_file())
    return figures | built | {"speaker": speaker, "index_mb": round(size / 1e6)}


def speakers_of(scope: Scope, limit: int) -> list[str]:
    found = compute_speakers(scope, by="year", query="", limit=limit)
    return [s.person_id for s in found.speakers]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--archive", type=Path, help="an ingested archive of the real corpus")
    ap.add_argument("--speeches", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--no-real", action="store_true")
    ap.add_argument("--no-synthetic", action="store_true")
    ap.add_argument("--keep", type=Path, help="build the synthetic index here and keep it")
    ap.add_argument("--reuse", type=Path, help="time the synthetic index a --keep run left")
    args = ap.parse_args()
    print(json.dumps({"targets_ms": TARGETS}), flush=True)
    if not args.no_real:
        print(json.dumps({"real": real(args.archive, args.runs)}), flush=True)
    if not args.no_synthetic:
        if args.reuse:
            found = synthetic(args.speeches, args.seed, args.reuse, True, args.runs)
        elif args.keep:
            found = synthetic(args.speeches, args.seed, args.keep, False, args.runs)
        else:
            with tempfile.TemporaryDirectory(prefix="stats-synth-") as work:
                found = synthetic(args.speeches, args.seed, Path(work), False, args.runs)
        print(json.dumps({"synthetic": found, "speeches": args.speeches}), flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps({"peak_rss_mb": peak}))


if __name__ == "__main__":
    main()
