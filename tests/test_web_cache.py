"""The response cache: revalidation with ETag, one entry per representation, and never stale."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from stenogram.ingest import open_settings
from stenogram.settings import Settings
from webutil import SEED_NAME, build, hostile


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, shared_dir: Path, module_database: str | None
) -> tuple[Settings, TestClient]:
    return build(tmp_path_factory.mktemp("cache"), shared_dir, database=module_database)


def test_etag_revalidates_to_an_empty_304(served: tuple[Settings, TestClient]) -> None:
    client = served[1]
    first = client.get("/events/hostile-1")
    etag = first.headers["etag"]
    assert first.status_code == 200 and client.get("/events/hostile-1").headers["etag"] == etag
    again = client.get("/events/hostile-1", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    assert "default-src 'self'" in again.headers["content-security-policy"]
    other = client.get("/events/hostile-1", headers={"If-None-Match": '"stale"'})
    assert other.status_code == 200 and other.content == first.content


def test_a_page_and_its_json_are_kept_apart(served: tuple[Settings, TestClient]) -> None:
    client = served[1]
    page = client.get("/search?q=summit")
    as_json = client.get("/search?q=summit", headers={"Accept": "application/json"})
    assert page.headers["content-type"].startswith("text/html")
    assert as_json.headers["content-type"] == "application/json"
    assert as_json.json()["total"] > 0 and page.headers["etag"] != as_json.headers["etag"]
    assert client.get("/search?q=summit").content == page.content


def test_a_commit_elsewhere_is_seen_at_once(
    served: tuple[Settings, TestClient], shared_dir: Path
) -> None:
    settings, client = served
    before = client.get("/api/events/hostile-1").json()["event"]
    page = client.get("/events/hostile-1")
    changed = dataclasses.replace(hostile(shared_dir / "seed" / SEED_NAME), title="Renamed summit")
    with open_settings(settings) as archive:  # another connection, as an ingest would be
        archive.store(changed)
    after = client.get("/api/events/hostile-1").json()["event"]
    assert after["title"] == "Renamed summit" and after["revision"] == before["revision"] + 1
    fresh = client.get("/events/hostile-1", headers={"If-None-Match": page.headers["etag"]})
    assert fresh.status_code == 200 and "Renamed summit" in fresh.text
