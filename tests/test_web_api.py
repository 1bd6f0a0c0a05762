"""The JSON API: records, search with facets, pagination limits, and error bodies."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from stenogram.search import Hit
from webutil import build, expected_events


@pytest.fixture(scope="module")
def client(
    tmp_path_factory: pytest.TempPathFactory, shared_dir: Path, module_database: str | None
) -> TestClient:
    return build(tmp_path_factory.mktemp("api"), shared_dir, database=module_database)[1]


def error(client: TestClient, url: str, status: int, code: str) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.text[:200])
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code
    assert "Traceback" not in response.text
    message: str = body["error"]["message"]
    return message


def test_search_has_the_cli_hit_fields_results_and_facets(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "security", "limit": 3}).json()
    assert body["total"] >= len(body["results"]) == 3
    assert set(Hit.__dataclass_fields__) <= set(body["results"][0])
    assert set(body["facets"]) == {"speaker", "topic", "geography", "year"}
    assert all({"value", "count"} <= set(f) for f in body["facets"]["speaker"])
    second = client.get("/api/search", params={"q": "security", "limit": 3, "offset": 3}).json()
    ids = {h["speech_id"] for h in body["results"]}
    assert not ids & {h["speech_id"] for h in second["results"]}


def test_records_by_id(client: TestClient) -> None:
    events = client.get("/api/events", params={"per_page": 5}).json()
    assert len(events["events"]) == 5 and events["pagination"]["total"] == expected_events()
    event = client.get("/api/events/51437").json()["event"]
    assert event["speeches"] and all("id" in s for s in event["speeches"])
    speech = client.get(f"/api/speeches/{event['speeches'][0]['id']}").json()
    assert speech["speech"]["text"] == event["speeches"][0]["text"] and speech["before"] is None
    persons = client.get("/api/persons").json()["persons"]
    person = client.get(f"/api/persons/{persons[0]['person_id']}").json()
    assert person["person"]["id"] == persons[0]["person_id"]
    topics = client.get("/api/tags/topics").json()["tags"]
    tag = client.get(f"/api/tags/topics/{topics[0]['name']}").json()
    assert tag["pagination"]["total"] == topics[0]["events"]


def test_openapi_describes_the_api(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/search", "/api/events", "/api/events/{ref}", "/api/speeches/{speech_id}"} <= set(
        paths
    )
    assert "/api/admin/ingest" not in paths


def test_unknown_ids_are_404_bodies(client: TestClient) -> None:
    assert "no such event" in error(client, "/api/events/999999", 404, "not_found")
    error(client, "/api/speeches/999999", 404, "not_found")
    error(client, "/api/persons/nobody-at-all", 404, "not_found")
    error(client, "/api/tags/colour/red", 404, "not_found")
    error(client, "/api/nothing-here", 404, "not_found")
    error(client, "/events/999999.json", 404, "not_found")


@pytest.mark.parametrize("query", ["speaker:", "from:2020-13-45", "NOT", "(" * 40 + "gas"])
def test_malformed_search_is_a_400_with_a_message(client: TestClient, query: str) -> None:
    for url in ("/api/search", "/search.json", "/search"):
        response = client.get(url, params={"q": query}, headers={"Accept": "application/json"})
        assert response.status_code == 400, (url, query)
        assert response.json()["error"]["code"] == "query"
        assert response.json()["error"]["message"]


def test_limits_are_400s(client: TestClient) -> None:
    long = "x" * 1001
    error(client, f"/api/search?q={long}", 400, "query")
    error(client, "/api/search?q=gas&limit=101", 400, "query")
    error(client, "/api/search?q=gas&offset=9995&limit=10", 400, "query")
    error(client, "/api/events?per_page=101", 400, "query")
    error(client, "/api/events?page=1001", 400, "query")
    error(client, "/api/events?page=abc", 400, "query")
    error(client, "/api/search?q=gas&sort=sideways", 400, "query")
    page = client.get(f"/search?q={long}")
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
