"""/stats and /api/stats on a real archive (both backends): each page, its JSON twin, its
downloads and its API answer carry the figures :mod:`stenogram.stats` computes for the same
question; bad parameters are 400s that say why; the person and tag pages show their statistics."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from stenogram import stats
from stenogram.archive import Archive
from stenogram.ingest import open_settings
from stenogram.settings import Settings
from stenogram.stats import charts
from stenogram.web.statsdata import EGO_PEOPLE, PAGE_ROWS, QUESTIONS
from webutil import build

SVG = "{http://www.w3.org/2000/svg}"
#: Words and a phrase that the fixture pages say in speeches of several years and speakers.
TERMS = ["security", "foreign policy"]


@pytest.fixture(scope="module")
def built(
    tmp_path_factory: pytest.TempPathFactory, shared_dir: Path, module_database: str | None
) -> tuple[Settings, TestClient]:
    return build(tmp_path_factory.mktemp("stats"), shared_dir, database=module_database)


@pytest.fixture(scope="module")
def client(built: tuple[Settings, TestClient]) -> TestClient:
    return built[1]


@pytest.fixture(scope="module")
def archive(built: tuple[Settings, TestClient]) -> Iterator[Archive]:
    with open_settings(built[0]) as opened:
        yield opened


@pytest.fixture(scope="module")
def person(client: TestClient) -> str:
    """The person who said most in the archive."""
    persons = client.get("/api/persons").json()["persons"]
    top: str = max(persons, key=lambda p: p["words"])["person_id"]
    return top


Params = dict[str, Any]
Library = Callable[[Archive], Any]


def questions(person: str) -> list[tuple[str, Params, Library]]:
    """Each question with the parameters a reader sends and the library call they mean."""
    apart = f"speaker:{person}"
    return [
        ("trend", {"term": TERMS}, lambda a: stats.trend(a, TERMS)),
        (
            "trend",
            {"term": TERMS, "by": "month", "per": "speaker", "q": "from:2000"},
            lambda a: stats.trend(a, TERMS, by="month", per="speaker", query="from:2000"),
        ),
        ("speakers", {"limit": 5}, lambda a: stats.speakers(a, limit=5)),
        ("distinctive", {"q": apart}, lambda a: stats.distinctive(a, query=apart)),
        ("network", {"person": person}, lambda a: stats.network(a, person_id=person)),
        ("calendar", {"q": "security"}, lambda a: stats.calendar(a, query="security")),
        ("places", {"by": "month", "limit": 5}, lambda a: stats.places(a, by="month", limit=5)),
    ]


def twin(client: TestClient, path: str, params: Params) -> dict[str, Any]:
    suffixed = client.get(f"{path}.json", params=params)
    accepted = client.get(path, params=params, headers={"Accept": "application/json"})
    assert suffixed.status_code == accepted.status_code == 200, (path, suffixed.text[:300])
    assert suffixed.json() == accepted.json()
    found: dict[str, Any] = suffixed.json()
    return found


def plain(rows: list[list[Any]]) -> list[list[str]]:
    """Cells as a CSV reader gives them back."""
    return [[str(cell) for cell in row] for row in rows]


def test_every_question_answers_as_the_library_does(
    client: TestClient, archive: Archive, person: str
) -> None:
    for name, params, library in questions(person):
        want = library(archive)
        page = twin(client, f"/stats/{name}", params)
        header, rows = want.table()
        assert page["result"] == want.to_json(), name
        assert page["table"] == {"header": header, "rows": rows}, name
        assert page["caption"] == want.caption()
        api = client.get(f"/api/stats/{name}", params=params)
        assert api.status_code == 200 and api.json() == want.to_json(), name
        # The permalink asks the same question again, every parameter spelled out.
        again = client.get(page["permalink"], headers={"Accept": "application/json"}).json()
        assert again == page
        html = client.get(f"/stats/{name}", params=params).text
        assert page["caption"] in html.replace("&#39;", "'").replace("&#34;", '"')
        for kind, href in page["downloads"].items():
            assert f'href="{href.replace("&", "&amp;")}"' in html, kind


def test_trend_api_is_the_object_other_tools_rely_on(client: TestClient) -> None:
    body = client.get("/api/stats/trend", params={"term": TERMS, "by": "year"}).json()
    assert set(body) == {"series"}
    assert [s["term"] for s in body["series"]] == TERMS
    for series in body["series"]:
        assert series["points"]
        for point in series["points"]:
            assert set(point) == {"period", "speeches", "words", "per_million"}
            assert re.fullmatch(r"\d{4}", point["period"])
            exact = point["speeches"] * 1e6 / point["words"] if point["words"] else 0
            assert point["per_million"] == pytest.approx(exact, abs=0.0005)
    assert any(p["speeches"] for s in body["series"] for p in s["points"])


def test_openapi_lists_the_stats_endpoints(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    for name in QUESTIONS:
        operation = document["paths"][f"/api/stats/{name}"]["get"]
        ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert ok["$ref"].startswith("#/components/schemas/")
        assert "400" in operation["responses"]
    trend = document["components"]["schemas"]["TrendPoint"]["properties"]
    assert set(trend) == {"period", "speeches", "words", "per_million"}
    assert "/api/stats/trend" in {o["path"] for o in client.get("/api/").json()["operations"]}


def test_csv_download_is_the_data_table(client: TestClient, person: str) -> None:
    for name, params, _ in questions(person):
        page = twin(client, f"/stats/{name}", params)
        response = client.get(page["downloads"]["csv"])
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        assert "attachment" in response.headers["content-disposition"]
        rows = list(csv.reader(io.StringIO(response.text)))
        assert rows == plain([page["table"]["header"], *page["table"]["rows"]]), name


def test_charts_are_accessible_svg_that_scales(
    client: TestClient, archive: Archive, person: str
) -> None:
    for name, params, library in questions(person):
        page = twin(client, f"/stats/{name}", params)
        response = client.get(page["downloads"]["svg"])
        assert response.headers["content-type"] == "image/svg+xml"
        assert response.content == charts.render(library(archive), "svg")
        root = ET.fromstring(response.text)
        assert root.get("role") == "img" and root.get("viewBox")
        assert root.findtext(f"{SVG}title") and root.findtext(f"{SVG}desc") == page["caption"]
        assert not root.findall(f".//{SVG}script")
        # Its own policy: the styles it draws with, nothing else (no script, no fetch).
        policy = response.headers["content-security-policy"]
        assert policy.startswith("default-src 'none'") and "script" not in policy
        png = client.get(page["downloads"]["png"])
        assert png.headers["content-type"] == "image/png"
        assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
        # The page shows that chart, with the data table as its text alternative.
        html = client.get(f"/stats/{name}", params=params).text
        src = page["downloads"]["svg"].replace("&", "&amp;")
        assert re.search(f'<img class="chart( wide)?" src="{re.escape(src)}" alt="', html)
        assert '<table class="stats-table" id="data">' in html


def test_network_downloads_as_graphml_and_gexf(
    client: TestClient, archive: Archive, person: str
) -> None:
    want = stats.network(archive, person_id=person)
    for kind, written in (("graphml", want.to_graphml()), ("gexf", want.to_gexf())):
        response = client.get("/stats/network." + kind, params={"person": person})
        assert response.status_code == 200 and response.text == written
        assert response.headers["content-type"] == f"application/{kind}+xml"
        ET.fromstring(response.text)  # well-formed


#: What the API refuses and the page answers with its empty form: nothing to count yet.
FORM_ONLY = {
    "/api/stats/trend",
    "/api/stats/trend?term=%20",
    "/api/stats/distinctive",
    "/api/stats/distinctive?q=%20",
}


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("/api/stats/trend", "term"),
        ("/api/stats/trend?term=a&term=b&term=c&term=d&term=e&term=f&term=g", "term"),
        ("/api/stats/trend?term=" + "x" * 101, "100 characters"),
        ("/api/stats/trend?term=%20", "at least one term"),
        ("/api/stats/trend?term=a&by=week", "by"),
        ("/api/stats/trend?term=a&per=party", "per"),
        ("/api/stats/speakers?limit=0", "limit"),
        ("/api/stats/speakers?limit=201", "limit"),
        ("/api/stats/distinctive", "q"),
        ("/api/stats/distinctive?q=%20", "set apart"),
        ("/api/stats/calendar?year=3000", "year"),
        ("/api/stats/calendar?year=soon", "year"),
        ("/api/stats/places?q=" + "x" * 1001, "q"),
        ("/api/stats/speakers?q=speaker%3A", "speaker"),
        ("/api/stats/trend?term=a&q=from%3A2020-13-45", "2020-13-45"),
        ("/api/stats/network?q=NOT", ""),
    ],
)
def test_bad_parameters_are_400_with_a_message(client: TestClient, url: str, says: str) -> None:
    response = client.get(url)
    assert response.status_code == 400, (url, response.text[:300])
    error = response.json()["error"]
    assert error["code"] == "query" and says in error["message"]
    if url in FORM_ONLY:
        return  # the page shows its empty form
    page = client.get(url.replace("/api/stats/", "/stats/"))
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
    assert 'id="error"' in page.text and "Traceback" not in page.text


def test_unknown_person_is_404(client: TestClient) -> None:
    response = client.get("/api/stats/network", params={"person": "nobody-at-all"})
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_pages_without_a_question_show_the_form(client: TestClient) -> None:
    index = twin(client, "/stats", {})
    assert [q["name"] for q in index["questions"]] == list(QUESTIONS)
    html = client.get("/stats").text
    for name in QUESTIONS:
        assert f'href="/stats/{name}"' in html
    for name in ("trend", "distinctive"):
        page = twin(client, f"/stats/{name}", {})
        assert page["result"] is None and page["downloads"] == {}
        assert 'id="stats-form"' in client.get(f"/stats/{name}").text
    assert client.get("/stats/trend.csv").status_code == 400


def test_person_page_shows_activity_distinctive_terms_and_network(
    client: TestClient, archive: Archive, person: str
) -> None:
    page = twin(client, f"/persons/{person}", {})
    shown = page["stats"]
    assert shown["activity"]["result"] == stats.person_activity(archive, person).to_json()
    apart = stats.distinctive(archive, query=f"speaker:{person}", limit=PAGE_ROWS)
    assert shown["distinctive"]["result"] == apart.to_json()
    ego = stats.network(archive, person_id=person, limit=EGO_PEOPLE)
    assert shown["network"]["result"] == ego.to_json()
    html = client.get(f"/persons/{person}").text
    for part in ("person-activity", "person-distinctive", "person-network"):
        assert f'id="{part}"' in html
    for part in ("distinctive", "network"):
        assert (
            f'<img class="chart{" wide" if part == "network" else ""}" src="/stats/{part}.svg?'
            in html
        )


def test_topic_page_shows_its_trend_and_distinctive_terms(
    client: TestClient, archive: Archive
) -> None:
    topic = client.get("/api/tags/topics").json()["tags"][0]["name"]
    page = twin(client, f"/tags/topics/{topic}", {})
    where = f'topic:"{topic}"'
    assert (
        page["stats"]["speakers"]["result"]
        == stats.speakers(archive, query=where, limit=PAGE_ROWS).to_json()
    )
    apart = stats.distinctive(archive, query=where, limit=PAGE_ROWS)
    assert page["stats"]["distinctive"]["result"] == apart.to_json()
    html = client.get(f"/tags/topics/{topic}").text
    assert 'id="tag-speakers"' in html and 'id="tag-distinctive"' in html
