"""How closely a second node's search index follows the primary's commits. Prints; never asserts.

1. Latency: a ``stenogram serve`` node with its own ``--index`` folder runs on the archive's
   database; this process commits one small event at a time through another index (the
   primary) and polls the serving node's ``/api/search`` for the event's unique word. Prints
   p50/p95/max seconds from the commit until the node's search finds it (target: p95 <= 2 s).
2. Catch-up: with the node stopped, N changes (new events, in batches of 500) are committed;
   then the node's index is caught up as a starting node does, and the rate is printed
   (changes/s and rows/s).

    .venv/bin/python bench/follow.py [--database postgresql://…] [--commits 40] [--changes 20000]

Without ``--database`` the archive is SQLite in a temporary folder.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from stenogram.archive import Archive
from stenogram.follow import catch_up_index, index_lag
from stenogram.model import Document, Speech
from stenogram.search import read_seq

WORDS = ("state", "economy", "region", "budget", "energy", "treaty", "school", "growth", "court")
BATCH = 500


def document(number: int, rng: random.Random) -> Document:
    """A small event of three turns, with a word nothing else holds (``mark<number>``)."""
    said = [" ".join(rng.choice(WORDS) for _ in range(60)) for _ in range(3)]
    said[0] += f" mark{number}"
    return Document(
        source="bench.example",
        title=f"Meeting number {number}",
        language="en",
        format="bench",
        source_id=str(number),
        url=f"https://bench.example/{number}",
        date=dt.date(2020, 1, 1) + dt.timedelta(days=number % 1500),
        speeches=tuple(
            Speech(name, name, None, (text,))
            for name, text in zip(
                ("Vladimir Putin", "Question", "Vladimir Putin"), said, strict=True
            )
        ),
    )


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(folder: Path, database: str | None, index: Path) -> Iterator[int]:
    port = free_port()
    env = dict(os.environ)
    if database:
        env["STENOGRAM_DATABASE"] = database
    command = [sys.executable, "-m", "stenogram", "serve", "--archive", str(folder)]
    command += ["--index", str(index), "--port", str(port), "--workers", "2"]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/api/events", timeout=5)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the node did not start") from None
                time.sleep(0.1)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def found(port: int, number: int) -> bool:
    url = f"http://127.0.0.1:{port}/api/search"
    answer = httpx.get(url, params={"q": f"mark{number}"}, timeout=10)
    return bool(answer.json()["total"])


def latency(primary: Archive, port: int, commits: int, rng: random.Random) -> list[float]:
    seconds = []
    for number in range(commits):
        assert not found(port, number)  # also puts the "not found" answer in the node's cache
        primary.store(document(number, rng))
        start = time.perf_counter()
        while not found(port, number):
            if time.perf_counter() - start > 60:
                raise SystemExit(f"event {number} not found on the node after 60 s")
            time.sleep(0.005)
        seconds.append(time.perf_counter() - start)
        catch_up_index(primary)
    return seconds


def catch_up_rate(primary: Archive, node: Archive, changes: int, rng: random.Random) -> str:
    first = 1_000_000
    started = time.perf_counter()
    for start in range(0, changes, BATCH):
        count = min(BATCH, changes - start)
        docs = [document(first + start + n, rng) for n in range(count)]
        primary.store_many([(doc, None) for doc in docs])
    stored = time.perf_counter() - started
    behind, _ = index_lag(node, node.index_path)
    started = time.perf_counter()
    rows = catch_up_index(node)
    took = time.perf_counter() - started
    assert read_seq(node.index_path) == node.max_seq()
    return (
        f"catch-up: {behind:,} changes behind ({changes:,} events stored in {stored:.1f} s); "
        f"applied in {took:.1f} s = {behind / took:,.0f} changes/s, {rows / took:,.0f} rows/s"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="an empty PostgreSQL database (default: SQLite)")
    parser.add_argument("--commits", type=int, default=40)
    parser.add_argument("--changes", type=int, default=20_000)
    args = parser.parse_args(argv)
    rng = random.Random(1)
    with tempfile.TemporaryDirectory(prefix="stenogram-follow-") as tmp:
        folder = Path(tmp) / "archive"
        node_index = Path(tmp) / "node" / "index"
        with Archive.open(folder, database=args.database) as primary:
            catch_up_index(primary)
            with Archive.open(folder, database=args.database, index=node_index) as node:
                catch_up_index(node)
                with serving(folder, args.database, node_index) as port:
                    seconds = latency(primary, port, args.commits, rng)
                q = statistics.quantiles(seconds, n=20)
                backend = primary.backend.name
                print(
                    f"{backend} follow: {len(seconds)} commits, seconds from commit to found on "
                    f"the second node: p50 {statistics.median(seconds):.3f}, p95 {q[18]:.3f}, "
                    f"max {max(seconds):.3f} (target p95 <= 2 s)"
                )
                print(f"{backend} " + catch_up_rate(primary, node, args.changes, rng))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
