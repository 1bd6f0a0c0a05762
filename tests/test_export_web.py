"""Citations in reference-manager formats and export downloads over HTTP, from a real archive."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from stenogram.export import run
from stenogram.export.cite import Citation, bibtex, csl_json
from webutil import build

CSL = "application/vnd.citationstyles.csl+json"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path) -> TestClient:
    return build(tmp_path_factory.mktemp("web-export"), shared_dir)[1]


def seed_permalink(client: TestClient) -> str:
    found = client.get("/api/events?per_page=100").json()["events"]
    link: str = next(e["permalink"] for e in found if e["title"] == "CSTO summit")
    return link


def test_event_citation_in_each_format_agrees_with_the_page(client: TestClient) -> None:
    path = seed_permalink(client)
    page = client.get(f"/api{path}").json()["citation"]
    url = f"/api{path}/citation"
    text = client.get(url, params={"format": "text"})
    assert text.headers["content-type"].startswith("text/plain")
    assert text.text == page["text"]
    by_accept = client.get(url, headers={"Accept": CSL})
    assert by_accept.headers["content-type"] == CSL
    item = by_accept.json()
    assert item["title"] == "CSTO summit" and item["URL"] == page["permalink"]
    assert item["issued"] == {"date-parts": [[2023, 11, 23]]}
    entry = client.get(url, params={"format": "bibtex"}).text
    assert entry.startswith("@misc{events-c7b7elv43ti47,")
    assert "title = {{CSTO summit}}" in entry and f"url = {{{page['permalink']}}}" in entry
    assert client.get(url).json() == page
    assert client.get(url, params={"format": "rtf"}).status_code == 400


def test_speech_citation_names_the_speaker(client: TestClient) -> None:
    path = seed_permalink(client)
    speech = client.get(f"/api{path}").json()["event"]["speeches"][1]
    item = client.get(f"/api/speeches/{speech['id']}/citation?format=csl").json()
    assert item["author"] == [{"literal": speech["speaker"]}]
    assert item["genre"] == speech["role"] and item["URL"].endswith(f"{path}#s2")
    entry = client.get(f"/api/speeches/{speech['id']}/citation?format=bibtex").text
    assert f"author = {{{{{speech['speaker']}}}}}" in entry


def test_bibtex_escapes_what_latex_would_read() -> None:
    citation = Citation(
        permalink="https://a.example/events/1#s2",
        source_url="https://pub.example/x_1?a=1&b=2",
        speaker="A {Brace} & Co",
        role="50% chair",
        event="Tax $ and #hash",
        date="2020-01-02",
        place=None,
        publisher="pub",
        accessed="2026-01-01",
        text="",
    )
    entry = bibtex(citation)
    assert r"A \{Brace\} \& Co" in entry and r"Tax \$ and \#hash" in entry
    assert r"50\% chair" in entry and r"x\_1?a=1\&b=2" in entry
    assert "url = {https://a.example/events/1#s2}" in entry
    assert entry.count("{") == entry.count("}") + entry.count(r"\{") - entry.count(r"\}")
    assert csl_json(citation)["id"] == "events-1-s2"


def test_event_page_links_its_exports_and_citation_formats(client: TestClient) -> None:
    path = seed_permalink(client)
    page = client.get(path).text
    links = set(re.findall(r'href="(/api/events/[^"]+)"', page))
    assert f"/api{path}/export?format=jsonl" in links
    assert f"/api{path}/citation?format=bibtex" in links
    got = client.get(f"/api{path}/export?format=jsonl")
    assert got.headers["content-disposition"].startswith("attachment;")
    (record,) = [json.loads(line) for line in got.text.splitlines()]
    assert record["permalink"].endswith(path) and record["title"] == "CSTO summit"
    popolo = client.get(f"/api{path}/export?format=popolo").json()
    assert [e["name"] for e in popolo["events"]] == ["CSTO summit"]
    assert client.get(f"/api{path}/export?format=dataset").status_code == 400


def test_search_results_download_as_csv_jsonl_and_parquet(client: TestClient) -> None:
    found = client.get("/api/search", params={"q": "Lukashenko", "limit": 100}).json()
    page = client.get("/search", params={"q": "Lukashenko"}).text
    assert "/api/export?q=Lukashenko&amp;format=speeches-csv" in page
    got = client.get("/api/export", params={"q": "Lukashenko", "format": "speeches-csv"})
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(got.text, newline="")))
    assert sorted(int(r["speech_id"]) for r in rows) == sorted(
        h["speech_id"] for h in found["results"]
    )
    parquet = client.get("/api/export", params={"q": "Lukashenko", "format": "speeches-parquet"})
    assert len(pd.read_parquet(io.BytesIO(parquet.content))) == len(rows)
    jsonl = client.get("/api/export", params={"q": "Lukashenko", "format": "jsonl"})
    said = [s for line in jsonl.text.splitlines() for s in json.loads(line)["speeches"]]
    assert len(said) == len(rows)


def test_a_search_export_past_the_cap_is_refused_with_a_reason(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(run, "MAX_QUERY_SPEECHES", 2)
    got = client.get("/api/export", params={"q": "Putin", "format": "jsonl"})
    assert got.status_code == 400
    message = got.json()["error"]["message"]
    assert "an export takes at most 2" in message and "narrow the query" in message
