"""Passage vectors for the quote check: build rate, size on disk, query latency. Prints; never
asserts.

1. Build: the speeches of ``--events`` events drawn (seeded) from an archive of the
   development corpus are embedded through the normal writer (:mod:`stenogram.check.vectors`)
   into a fresh store: speeches/s, passages/s, CPU seconds, bytes on disk per passage. The
   whole archive's passages are counted (cheap: no model) and its build time extrapolated.
2. Query: ``nearest()`` on that store for quotes cut from its own passages (p50/p95, ms), and
   the model's query embedding alone.
3. Scale: an HNSW index of as many vectors as ``--scale`` speeches would give at the corpus's
   passages per speech, made from the sample's real vectors plus noise (embedding a million
   speeches takes a day on this machine: see docs/benchmarks.md), with the same settings as
   the store: add rate, size on disk, search p50/p95 and recall@10 against an exact search.

    .venv/bin/python bench/embed.py --archive /tmp/dev-archive [--events 150] [--scale 1000000]

Build the development corpus's archive first (as for bench/export.py):

    stenogram --archive /tmp/dev-archive ingest ../shared/corpus/kremlin-en-2000-2020.tar.xz \\
        ../shared/corpus/pm-transcripts-au.tar.xz ../shared/corpus/kremlin-ru-2025.csv
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from usearch.index import Index

from stenogram.archive import Archive
from stenogram.check import semantic, vectors
from stenogram.check.passages import passage_text, passages


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _corpus_passages(archive: Archive) -> tuple[int, int, int]:
    """Speeches, passages and characters embedded in the whole archive."""
    speeches = count = chars = 0
    for row in archive.index_rows(0):
        if row.kind == "speech":
            speeches += 1
            spans = passages(row.text)
            count += len(spans)
            chars += sum(len(passage_text(row.text, a, b)) for a, b in spans)
    return speeches, count, chars


def build(archive: Archive, events: int, seed: int) -> tuple[int, int, float, float, int]:
    """Embed the speeches of ``events`` random events into the node's (temporary) store."""
    ids = sorted({row.event_id for row in archive.index_rows(0) if row.kind == "speech"})
    chosen = sorted(random.Random(seed).sample(ids, min(events, len(ids))))
    rows = [row for row in archive.index_rows_of(chosen) if row.kind == "speech"]
    path = vectors.vectors_path(archive.index_path)
    vectors.create(path)
    wall, cpu = time.perf_counter(), time.process_time()
    with vectors.VectorWriter(path) as writer:
        added = writer.replace(rows)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return len(rows), added, wall, cpu, _du(path)


def queries(
    archive: Archive, runs: int, seed: int
) -> tuple[list[float], list[float], list[float], int]:
    """Latency of nearest() for quotes cut from stored passages (a word in four dropped), and
    how often the passage came back first."""
    path = vectors.vectors_path(archive.index_path)
    state = vectors.read_state(path)
    assert state is not None
    rng = random.Random(seed)
    located = list(vectors.locate(path, list(range(1, state.next_key))).values())
    texts = {}
    for row in archive.index_rows_of(sorted({p.event_id for p in located})):
        if row.speech_id is not None:
            texts[row.speech_id] = row.text
    semantic.nearest(archive, "warm up", k=10)
    total, embed_only, embed_cpu, first = [], [], [], 0
    for _ in range(runs):
        passage = rng.choice(located)
        words = passage_text(texts[passage.speech_id], passage.start, passage.end).split()
        quote = " ".join(w for w in words if rng.random() > 0.25)
        started = time.perf_counter()
        hits = semantic.nearest(archive, quote, k=10)
        total.append((time.perf_counter() - started) * 1000)
        started, cpu = time.perf_counter(), time.process_time()
        vectors.embed_query(quote)
        embed_only.append((time.perf_counter() - started) * 1000)
        embed_cpu.append((time.process_time() - cpu) * 1000)
        first += bool(hits) and hits[0].speech_id == passage.speech_id
    return total, embed_only, embed_cpu, first


def scale(archive: Archive, count: int, runs: int, seed: int, folder: Path) -> None:
    """An HNSW index of ``count`` vectors shaped like the sample's (module docstring, 3)."""
    path = vectors.vectors_path(archive.index_path)
    sample = vectors.load_index(path)
    keys = np.asarray(list(sample.keys), dtype=np.uint64)
    base = np.asarray(sample.get(keys), dtype=np.float32)
    rng = np.random.default_rng(seed)
    index = Index(ndim=vectors.DIM, metric="cos", dtype=vectors.DTYPE)
    step = 50_000
    started = time.perf_counter()
    for start in range(0, count, step):
        n = min(step, count - start)
        mix = rng.random((n, 1))
        chunk = (
            mix * base[rng.integers(0, len(base), n)]
            + (1 - mix) * base[rng.integers(0, len(base), n)]
        )
        chunk += rng.normal(0, 0.03, (n, vectors.DIM))
        chunk /= np.linalg.norm(chunk, axis=1, keepdims=True)
        index.add(np.arange(start, start + n, dtype=np.uint64), chunk.astype(np.float32))
    added = time.perf_counter() - started
    file = folder / "scale.usearch"
    index.save(str(file))
    print(
        f"  {count:,} vectors added in {added:.0f} s ({count / added:,.0f}/s); "
        f"{file.stat().st_size / 2**20:,.0f} MB on disk"
    )
    del index
    view = Index.restore(str(file), view=True)
    assert view is not None
    times, recall = [], []
    for _ in range(runs):
        query = base[rng.integers(0, len(base))] + rng.normal(0, 0.05, vectors.DIM)
        query = (query / np.linalg.norm(query)).astype(np.float32)
        started = time.perf_counter()
        found = view.search(query, 10)
        times.append((time.perf_counter() - started) * 1000)
        if len(recall) < 10:
            exact = view.search(query, 10, exact=True)
            recall.append(len(set(found.keys.tolist()) & set(exact.keys.tolist())) / 10)
    print(
        f"  search top-10: p50 {_pct(times, 0.5):.2f} ms, p95 {_pct(times, 0.95):.2f} ms; "
        f"recall@10 vs exact {statistics.mean(recall):.2f} ({len(recall)} queries)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--archive", type=Path, required=True)
    parser.add_argument("--database", default=None)
    parser.add_argument("--events", type=int, default=150)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--scale", type=int, default=1_000_000, help="speeches (0: skip)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with Archive.open(
            args.archive, create=False, database=args.database, index=folder / "index"
        ) as archive:
            speeches, total, chars = _corpus_passages(archive)
            print(
                f"archive: {speeches:,} speeches, {total:,} passages, "
                f"{chars / 2**20:,.1f} MB of passage text"
            )
            n, added, wall, cpu, size = build(archive, args.events, args.seed)
            print(
                f"build: {n:,} speeches, {added:,} passages in {wall:.1f} s "
                f"({n / wall:.1f} speeches/s, {added / wall:.1f} passages/s; "
                f"CPU {cpu:.1f} s = {added / cpu:.1f} passages per CPU second); "
                f"{size / added:,.0f} bytes per passage on disk"
            )
            hours = total / (added / wall) / 3600
            print(
                f"  whole archive at this rate: {hours:.1f} h, "
                f"{total * size / added / 2**20:,.0f} MB"
            )
            per_speech = total / speeches
            print(
                f"  {args.scale:,} speeches at {per_speech:.2f} passages each: "
                f"{args.scale * per_speech / (added / wall) / 3600:.0f} h of embedding"
            )
            total_ms, embed_ms, cpu_ms, first = queries(archive, args.runs, args.seed)
            print(
                f"query (nearest, k=10, {args.runs} quotes): p50 {_pct(total_ms, 0.5):.0f} ms, "
                f"p95 {_pct(total_ms, 0.95):.0f} ms; embedding alone p50 "
                f"{_pct(embed_ms, 0.5):.0f} ms (CPU p50 {_pct(cpu_ms, 0.5):.0f} ms, p95 "
                f"{_pct(cpu_ms, 0.95):.0f} ms); own passage's speech first: {first}/{args.runs}"
            )
            if args.scale:
                count = int(args.scale * per_speech)
                print(f"scale: {args.scale:,} speeches = {count:,} vectors")
                scale(archive, count, args.runs, args.seed, folder)


if __name__ == "__main__":
    main()
