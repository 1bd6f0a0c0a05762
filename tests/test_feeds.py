"""Atom feeds: latest events, a person, a tag, a saved search; valid Atom with real entries."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from fastapi.testclient import TestClient

from stenogram.web import create_app
from webutil import build

A = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def client(
    tmp_path_factory: pytest.TempPathFactory, shared_dir: Path, module_database: str | None
) -> TestClient:
    return build(tmp_path_factory.mktemp("feeds"), shared_dir, database=module_database)[1]


def feed(client: TestClient, url: str) -> list[ET.Element]:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{A}feed"
    for name in ("id", "title", "updated"):
        assert (root.findtext(f"{A}{name}") or "").strip(), name
    entries = root.findall(f"{A}entry")
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert (entry.findtext(f"{A}{name}") or "").strip(), name
        assert entry.find(f"{A}link").get("href", "").startswith("http://testserver/")  # type: ignore[union-attr]
    return entries


def test_latest_events(client: TestClient) -> None:
    entries = feed(client, "/feeds/latest.atom")
    events = client.get("/api/events?per_page=30").json()["events"]
    assert [e.findtext(f"{A}title") for e in entries] == [e["title"] for e in events]
    assert entries[0].findtext(f"{A}updated", "") >= entries[-1].findtext(f"{A}updated", "")


def test_person_and_tag_feeds(client: TestClient) -> None:
    person = client.get("/api/persons").json()["persons"][0]
    entries = feed(client, f"/feeds/persons/{person['person_id']}.atom")
    assert len(entries) == min(30, person["speeches"])
    assert all(e.findtext(f"{A}title", "").startswith(person["name"]) for e in entries)
    tags = client.get("/api/tags/topics").json()["tags"]
    assert len(feed(client, f"/feeds/tags/topics/{tags[0]['name']}.atom")) == tags[0]["events"]


def test_saved_search_is_a_feed(client: TestClient) -> None:
    hits = client.get("/api/search", params={"q": "security", "limit": 30}).json()
    entries = feed(client, "/feeds/search.atom?q=security")
    assert len(entries) == len(hits["results"])
    summary = entries[0].findtext(f"{A}summary", "")
    assert summary and "<b>" not in summary
    assert client.get("/feeds/search.atom?q=speaker:").status_code == 400


def test_feed_links_use_the_configured_public_url_not_the_host_header(
    tmp_path_factory: pytest.TempPathFactory, shared_dir: Path
) -> None:
    settings, _ = build(tmp_path_factory.mktemp("feeds-public"), shared_dir)
    public = dataclasses.replace(settings, public_url="https://archive.example.org")
    client = TestClient(create_app(public), raise_server_exceptions=False)
    response = client.get("/feeds/latest.atom", headers={"Host": "evil.example"})
    root = ET.fromstring(response.content)
    hrefs = [link.get("href", "") for link in root.iter(f"{A}link")]
    assert hrefs and all(h.startswith("https://archive.example.org/") for h in hrefs)
    assert "evil.example" not in response.text
