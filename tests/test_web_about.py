"""/about says what the archive holds, per source, so that a sample is not taken for the whole."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from stenogram.parse import parse_bytes
from webutil import SEED_NAME, build, expected_events, fixture_pages


def test_about_lists_each_source_with_its_events_and_dates(
    tmp_path: Path, shared_dir: Path, database: str | None
) -> None:
    client: TestClient = build(tmp_path, shared_dir, database=database)[1]
    data = client.get("/about.json").json()
    assert client.get("/about", headers={"Accept": "application/json"}).json() == data
    docs = [parse_bytes(p.read_bytes()) for p in fixture_pages()]
    docs.append(parse_bytes((shared_dir / "seed" / SEED_NAME).read_bytes()))
    by_source = {s["source"]: s for s in data["sources"]}
    assert sum(s["events"] for s in data["sources"]) == data["counts"]["events"]
    assert data["counts"]["events"] == expected_events()
    for source in {d.source for d in docs}:
        dates = sorted(d.date.isoformat() for d in docs if d.source == source and d.date)
        assert (by_source[source]["first"], by_source[source]["last"]) == (dates[0], dates[-1])
    page = client.get("/about")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for source, span in by_source.items():
        assert f'<tr data-source="{source}"><td>{source}</td><td>{span["events"]}</td>' in page.text
    assert '<a href="/about">About</a>' in client.get("/").text
