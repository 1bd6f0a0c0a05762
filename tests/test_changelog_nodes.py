"""Two web nodes on one database, for real: ``stenogram serve`` twice, each with its own
``--index`` folder. An ingest through one node's index must show on the other node's searches
without a restart, and the response cache of each must follow (both backends)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from test_serving import serving

STENOGRAM = (sys.executable, "-m", "stenogram")
#: Seconds a node may take to show what another committed (the target is 2; this is slack for
#: a loaded test machine, not the promise).
BOUND = 30.0


def _search(port: int, query: str) -> Any:
    answer = httpx.get(
        f"http://127.0.0.1:{port}/api/search", params={"q": query, "limit": 50}, timeout=10
    )
    assert answer.status_code == 200, answer.text
    found = answer.json()
    for hit in found["results"]:
        hit.pop("score", None)  # see test_changelog._answers
    found["results"].sort(key=lambda hit: hit["url"])
    return found


def _ingest(archive: Path, index: Path, folder: Path) -> None:
    done = subprocess.run(
        [*STENOGRAM, "ingest", str(folder), "--archive", str(archive), "--index", str(index)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr


def test_two_nodes_answer_alike_after_an_ingest_through_one(
    tmp_path: Path, fixtures_dir: Path, shared_dir: Path, database: str | None
) -> None:
    archive = tmp_path / "archive"
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    shutil.copy(shared_dir / "seed" / "000_46537543d1896dfd.txt", first / "seed.txt")
    for name in ("51437.html", "9269.html"):
        shutil.copy(fixtures_dir / "archive" / name, second / name)
    index_a, index_b = tmp_path / "node-a", tmp_path / "node-b"
    assert os.environ.get("STENOGRAM_DATABASE") == database  # the served nodes inherit it
    _ingest(archive, index_a, first)
    with (
        serving(archive, tmp_path / "a.log", "--index", str(index_a)) as (_, port_a),
        serving(archive, tmp_path / "b.log", "--index", str(index_b)) as (_, port_b),
    ):
        query = "Tver"  # only in 51437.html, which the second ingest brings
        before = _search(port_b, query)
        assert before["total"] == 0 and _search(port_a, query) == before
        _ingest(archive, index_a, second)
        expected = _search(port_a, query)
        assert expected["total"] > 0
        deadline = time.monotonic() + BOUND
        while (found := _search(port_b, query)) != expected:
            assert time.monotonic() < deadline, f"node B still answers {found}"
            time.sleep(0.1)
        for other in ("Putin", "gas", "region"):
            assert _search(port_b, other) == _search(port_a, other)
