"""``/healthz``, ``/readyz`` and ``/metrics`` on a real archive, on both backends."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from stenogram.ingest import open_settings
from stenogram.parse import parse_bytes
from stenogram.settings import Settings
from stenogram.web import create_app
from webutil import SEED_NAME, build

TOKEN = "health-token"


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, shared_dir: Path, module_database: str | None
) -> tuple[Settings, TestClient]:
    folder = tmp_path_factory.mktemp("health")
    return build(folder, shared_dir, admin_token=TOKEN, database=module_database)


def samples(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of ``/metrics``: (name, sorted labels) -> value."""
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def requests_of(found: dict[tuple[str, tuple[tuple[str, str], ...]], float], route: str) -> float:
    return sum(
        value
        for (name, labels), value in found.items()
        if name == "stenogram_http_requests_total" and ("route", route) in labels
    )


def test_healthz_answers_and_is_never_cached(served: tuple[Settings, TestClient]) -> None:
    client = served[1]
    for _ in range(2):
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}
        assert "etag" not in response.headers


def test_readyz_reports_the_database_and_the_index_lag(
    served: tuple[Settings, TestClient],
) -> None:
    response = served[1].get("/readyz")
    assert response.status_code == 200, response.text
    found = response.json()
    assert found["ready"] is True
    assert found["database"] == "ok"
    assert found["index_lag"] == 0 and found["index_lag_seconds"] == 0.0
    assert found["problems"] == []


def test_readyz_fails_while_the_index_lags_past_the_bound(
    tmp_path: Path, shared_dir: Path, database: str | None
) -> None:
    settings, client = build(tmp_path, shared_dir, database=database)
    seed = shared_dir / "seed" / SEED_NAME
    doc = parse_bytes(seed.read_bytes(), origin="other.txt")
    with open_settings(settings) as archive:  # a write that no index sees
        archive.store(dataclasses.replace(doc, source_id="lagging-1", title="Another one"))
    found = client.get("/readyz").json()
    assert found["index_lag"] == 1 and 0 <= found["index_lag_seconds"] < 600
    assert found["ready"] is True  # under the default bound
    strict = dataclasses.replace(settings, ready_max_index_lag=0)
    client.app.state.settings = strict  # type: ignore[attr-defined]
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["problems"] == ["the search index is 1 changes behind (bound: 0)"]
    assert samples(client)[("stenogram_index_lag", ())] == 1
    # A node started now catches its index up first: ready even with a bound of 0.
    with TestClient(create_app(strict)) as fresh:
        assert fresh.get("/readyz").status_code == 200


def test_metrics_count_requests_per_route_template_cached_ones_too(
    served: tuple[Settings, TestClient],
) -> None:
    client = served[1]
    before = samples(client)
    events = client.get("/api/events").json()["events"]
    first, second = events[0]["event_id"], events[1]["event_id"]
    for url in (f"/events/{first}", f"/events/{first}", f"/events/{second}.json"):
        assert client.get(url).status_code == 200
    assert client.get("/no/such/page").status_code == 404
    after = samples(client)
    # One template for every event, its JSON twin and the answer the cache gave.
    assert requests_of(after, "/events/{ref}") - requests_of(before, "/events/{ref}") == 3
    assert requests_of(after, "unrouted") - requests_of(before, "unrouted") == 1
    count = ("stenogram_http_request_seconds_count", (("route", "/events/{ref}"),))
    assert after[count] - before.get(count, 0) == 3
    assert ("stenogram_index_lag", ()) in after
    assert not any(name.startswith("stenogram_replica") for name, _ in after)


def test_metrics_count_an_admin_ingest(
    served: tuple[Settings, TestClient], shared_dir: Path
) -> None:
    client = served[1]
    key = ("stenogram_ingested_documents_total", (("outcome", "unchanged"),))
    before = samples(client).get(key, 0)
    body = (shared_dir / "seed" / SEED_NAME).read_bytes()
    response = client.post(
        "/api/admin/ingest",
        params={"name": SEED_NAME},
        content=body,
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["unchanged"] == 1
    assert samples(client)[key] - before == 1
