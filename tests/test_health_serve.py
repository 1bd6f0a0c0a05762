"""``/metrics`` of ``stenogram serve --workers 2``: whichever worker answers a scrape, it counts
the requests of both (prometheus_client's multiprocess mode), on both backends."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from serveutil import served
from webutil import build


def counted(base: str, route: str) -> float:
    text = httpx.get(f"{base}/metrics", timeout=10).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "stenogram_http_requests_total" and sample.labels["route"] == route
    )


def test_every_worker_reports_the_requests_of_all(
    tmp_path: Path, shared_dir: Path, database: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    archive = build(tmp_path, shared_dir, database=database)[0].archive
    with served("--archive", str(archive), log=tmp_path / "server.log", workers=2) as base:
        asked = 12
        for page in range(1, asked + 1):  # new connections: dealt to the workers in turn
            assert httpx.get(f"{base}/api/events?per_page={page}").status_code == 200
        # Four scrapes on new connections: both workers answer some, all with the same sum.
        assert {counted(base, "/api/events") for _ in range(4)} == {asked}
