"""Every page renders from a real archive, and its JSON twin carries the same data."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from stenogram.export import render_text
from stenogram.parse import parse_bytes
from stenogram.web.app import create_app
from stenogram.web.data import HITS_PER_PAGE
from webutil import build, expected_events


@pytest.fixture(scope="module")
def client(
    tmp_path_factory: pytest.TempPathFactory, shared_dir: Path, module_database: str | None
) -> TestClient:
    return build(tmp_path_factory.mktemp("web"), shared_dir, database=module_database)[1]


def twin(client: TestClient, url: str) -> dict[str, Any]:
    """The page as JSON, both ways of asking for it, which must agree."""
    path, _, query = url.partition("?")
    suffixed = client.get(
        f"{'/index' if path == '/' else path}.json" + (f"?{query}" if query else "")
    )
    accepted = client.get(url, headers={"Accept": "application/json"})
    assert suffixed.status_code == accepted.status_code == 200, url
    assert suffixed.headers["content-type"] == "application/json"
    assert suffixed.json() == accepted.json()
    data: dict[str, Any] = suffixed.json()
    return data


def html(client: TestClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.text[:300])
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def seed_event(client: TestClient) -> dict[str, Any]:
    found = twin(client, "/events?per_page=100")["events"]
    return next(e for e in found if e["title"] == "CSTO summit")


def test_home_lists_latest_events_with_counts(client: TestClient) -> None:
    data = twin(client, "/")
    assert data["counts"]["events"] == expected_events()
    dates = [e["date"] for e in data["events"] if e["date"]]
    assert dates == sorted(dates, reverse=True)
    page = html(client, "/")
    assert 'name="q"' in page and f"{expected_events()} events" in page
    assert data["events"][0]["title"].split("<")[0].strip() in page


def test_event_page_shows_every_part_of_the_seed(client: TestClient, shared_dir: Path) -> None:
    ref = seed_event(client)["permalink"]
    data = twin(client, ref)
    record = data["event"]
    assert (record["title"], record["place"], record["date"]) == (
        "CSTO summit",
        "Minsk",
        "2023-11-23",
    )
    page = html(client, ref)
    # Each speech anchored and its speaker linked to the person page.
    anchors = re.findall(r'<div class="speech" id="(s\d+)"', page)
    assert anchors == [f"s{i}" for i in range(1, len(record["speeches"]) + 1)] == ["s1", "s2"]
    assert re.search(r'<a class="speaker" href="/persons/[^"]+">Vladimir Putin</a>', page)
    assert "President of the Republic of Belarus" in page
    assert '<p class="omission"' in page and "&lt;…&gt;" in page
    assert 'href="/tags/topics/CSTO"' in page and 'href="/tags/geography/Belarus"' in page
    assert 'href="/sections/Transcripts"' in page
    assert "Sergey Guneev, RIA Novosti" in page and "5 of 21" in page
    assert "Imangali Tasmagambetov" in page  # participants
    # The text version view is the seed's layout again.
    text = client.get(data["text_link"])
    assert text.headers["content-type"].startswith("text/plain")
    seed = parse_bytes((shared_dir / "seed" / "000_46537543d1896dfd.txt").read_bytes())
    assert text.text.rstrip("\n") == render_text(seed)
    assert text.text.startswith("Events\nCSTO summit\n")


def test_real_page_by_publisher_id_with_source_link(client: TestClient) -> None:
    data = twin(client, "/events/51437")
    assert data["event"]["source_id"] == "51437"
    page = html(client, "/events/51437")
    assert 'href="http://en.kremlin.ru/events/president/news/51437"' in page
    assert len(re.findall(r'class="speech" id="s\d+"', page)) == len(data["event"]["speeches"])


def test_speech_permalink_with_context_and_citation(client: TestClient) -> None:
    event = twin(client, "/events/51437")["event"]
    second = event["speeches"][1]
    data = twin(client, f"/speeches/{second['id']}")
    assert data["before"]["text"] == event["speeches"][0]["text"]
    assert data["speech"]["text"] == second["text"]
    cited = data["citation"]
    assert (cited["speaker"], cited["role"]) == (second["speaker"], second["role"])
    assert (cited["event"], cited["date"], cited["place"]) == (
        event["title"],
        event["date"],
        event["place"],
    )
    # Without a public URL the links start with the request's own scheme and host.
    assert cited["permalink"] == "http://testserver/events/51437#s2"
    assert cited["source_url"] == "http://en.kremlin.ru/events/president/news/51437"
    assert cited["accessed"] == dt.date.today().isoformat()
    assert cited["text"].startswith(f"{second['speaker']}, “{event['title']}”")
    assert cited["text"].endswith("Archived at http://testserver/events/51437#s2")
    page = html(client, f"/speeches/{second['id']}")
    assert 'id="citation"' in page and 'data-copy="citation"' in page
    assert 'href="http://testserver/events/51437#s2"' in page


def test_citations_use_the_configured_public_url(
    tmp_path_factory: pytest.TempPathFactory, client: TestClient
) -> None:
    settings = replace(client.app.state.settings, public_url="https://archive.example.org")
    public = TestClient(create_app(settings, cache_bytes=0))
    event = public.get("/api/events/51437").json()
    assert event["citation"]["permalink"] == "https://archive.example.org/events/51437"
    assert event["citation"]["speaker"] is None
    speech = event["event"]["speeches"][0]["id"]
    cited = public.get(f"/speeches/{speech}.json").json()["citation"]
    assert cited["permalink"] == "https://archive.example.org/events/51437#s1"
    page = public.get("/events/51437").text
    assert 'class="cite-permalink" href="https://archive.example.org/events/51437"' in page


def test_the_seed_is_cited_by_its_archive_id(client: TestClient) -> None:
    seed = seed_event(client)
    event = twin(client, seed["permalink"])
    cited = event["citation"]
    assert cited["permalink"] == "http://testserver" + seed["permalink"]
    assert cited["event"] == "CSTO summit" and cited["publisher"] == "en.kremlin.ru"
    first = event["event"]["speeches"][0]
    said = twin(client, f"/speeches/{first['id']}")["citation"]
    # The role the transcript gives the speaker there, beside the name.
    assert first["role"] and said["text"].startswith(f"{first['speaker']} ({first['role']}), ")
    assert said["permalink"] == f"http://testserver{seed['permalink']}#s1"


def test_person_page_has_names_roles_speeches_and_chart(client: TestClient) -> None:
    people = twin(client, "/persons")["persons"]
    top = people[0]
    assert top["speeches"] == max(p["speeches"] for p in people)
    data = twin(client, f"/persons/{top['person_id']}")
    assert data["person"]["names"] and data["person"]["roles"]
    assert sum(y["words"] for y in data["years"]) == top["words"]
    assert data["pagination"]["total"] == top["speeches"]
    page = html(client, f"/persons/{top['person_id']}")
    assert "Roles over time" in page and "words.svg" in page
    svg = client.get(f"/persons/{top['person_id']}/words.svg")
    assert svg.headers["content-type"] == "image/svg+xml"
    assert svg.text.count('class="bar"') == len(data["years"])


def test_tag_and_section_pages_are_paginated(client: TestClient) -> None:
    topics = twin(client, "/tags/topics")["tags"]
    assert topics == sorted(topics, key=lambda t: (-t["events"], t["name"]))
    assert twin(client, "/tags")["tags"] == topics  # the tags home is the topics
    assert html(client, "/tags") == html(client, "/tags/topics")
    name = topics[0]["name"]
    data = twin(client, f"/tags/topics/{name}?per_page=1")
    assert data["pagination"]["total"] == topics[0]["events"]
    assert len(data["events"]) == 1
    html(client, f"/tags/topics/{name}?per_page=1")
    places = twin(client, "/tags/place")["tags"]
    assert {"name": "Minsk", "events": 1} in places or any(p["name"] == "Minsk" for p in places)
    sections = twin(client, "/sections")["sections"]
    news = next(s for s in sections if s["name"] == "News")
    assert twin(client, "/sections/News?per_page=2")["pagination"]["total"] == news["events"]
    html(client, "/sections")


def test_search_page_has_facets_snippets_and_permalinks(client: TestClient) -> None:
    data = twin(client, "/search?q=security")
    assert data["total"] > 0
    hit = data["results"][0]
    assert "<b>" in hit["snippet"].lower() and hit["speech_link"] == f"/speeches/{hit['speech_id']}"
    speaker = data["facets"]["speaker"][0]
    assert speaker["query"].startswith("security speaker:")
    narrowed = twin(client, "/search?" + urlencode({"q": speaker["query"]}))
    assert narrowed["total"] == speaker["count"]
    page = html(client, "/search?q=security")
    assert 'class="facet"' in page and 'class="snippet"' in page
    assert f'href="/speeches/{hit["speech_id"]}"' in page
    shown = min(data["total"], HITS_PER_PAGE)
    assert len(data["results"]) == page.count('<li class="hit"') == shown
    # As many hits as `stenogram search` and /api/search give unless asked for more.
    first = twin(client, "/search?q=russia")
    assert first["total"] > HITS_PER_PAGE == len(first["results"])
    more = twin(client, "/search?q=russia&per_page=25")
    assert len(more["results"]) == min(25, first["total"]) > HITS_PER_PAGE
    assert more["results"][:HITS_PER_PAGE] == first["results"]
    assert client.get("/api/search?q=russia").json()["results"] == first["results"]
    newest = twin(client, "/search?q=security&sort=-date")["results"]
    dates = [h["date"] for h in newest if h["date"]]
    assert dates == sorted(dates, reverse=True)


def test_person_page_links_to_a_search_of_all_their_speeches(client: TestClient) -> None:
    for person in twin(client, "/persons")["persons"][:5]:
        page = html(client, f"/persons/{person['person_id']}")
        link = re.search(r'class="search-person" href="([^"]+)"', page)
        assert link, person["person_id"]
        found = twin(client, link.group(1).replace("&amp;", "&"))
        assert found["total"] == person["speeches"], person["person_id"]


def test_search_page_says_when_a_facet_is_cut_and_widens_it(client: TestClient) -> None:
    cut = twin(client, "/search?q=the&facet_limit=2")
    assert len(cut["facets"]["speaker"]) == 2 < cut["facet_sizes"]["speaker"]
    page = html(client, "/search?q=the&facet_limit=2")
    assert f"showing 2 of {cut['facet_sizes']['speaker']}" in page
    wide = twin(client, cut["widen"])
    assert len(wide["facets"]["speaker"]) == cut["facet_sizes"]["speaker"]
    assert client.get("/api/search?q=the&facet_limit=2").json()["facet_sizes"] == cut["facet_sizes"]


def test_search_errors_name_the_filter_and_the_candidates(client: TestClient) -> None:
    typo = client.get("/api/search?q=speekr:Putin")
    assert typo.status_code == 400 and "did you mean speaker:" in typo.text
    phrase = twin(client, "/search?" + urlencode({"q": '"security zebras"'}))
    assert phrase["total"] == 0 and phrase["nearest"] is None
    # The words of a hit's snippet, in reverse order: not the phrase, yet nearby.
    hit = twin(client, "/search?q=security")["results"][0]["snippet_text"]
    words = re.findall(r"[a-z]{4,}", hit.lower())[:2]
    query = urlencode({"q": '"' + " ".join(reversed(words)) + '"'})
    near = twin(client, f"/search?{query}")
    assert near["nearest"] and near["results"], words
    assert not any(h["exact"] for h in near["results"])
    assert "not exact" in html(client, f"/search?{query}")


def test_events_list_takes_a_date_range(client: TestClient) -> None:
    everything = twin(client, "/events?per_page=100")["events"]
    dated = sorted(e["date"] for e in everything if e["date"])
    middle = dated[len(dated) // 2][:4]
    found = twin(client, f"/events?per_page=100&from={middle}&to={middle}")
    assert found["events"] and all(e["date"][:4] == middle for e in found["events"])
    assert len(found["events"]) == sum(d[:4] == middle for d in dated)
    assert client.get("/api/events?from=2019-13").status_code == 400


def test_search_page_offers_the_reported_speech_it_left_out(client: TestClient) -> None:
    query = urlencode({"q": 'speaker:"Vladimir Putin" talks'})
    plain = twin(client, f"/search?{query}")
    assert plain["reported"] >= 1 and not any(h["reported"] for h in plain["results"])
    assert "reported speech" in html(client, f"/search?{query}")
    both = twin(client, plain["include_reported"] + "&per_page=100")
    assert both["total"] == plain["total"] + plain["reported"] and both["reported"] == 0
    told = [h for h in both["results"] if h["reported"]]
    assert len(told) == plain["reported"] and all(h["kind"] == "event" for h in told)


# --- the first hour: the API's index and docs, errors that help -------------------------------


def test_api_index_lists_every_operation_of_the_openapi_document(client: TestClient) -> None:
    index = client.get("/api/").json()
    schema = client.get("/openapi.json").json()
    listed = {(op["method"], op["path"]) for op in index["operations"]}
    described = {
        (method.upper(), path) for path, item in schema["paths"].items() for method in item
    }
    assert listed == described and ("GET", "/api/events/{ref}") in listed
    assert all(op["summary"] for op in index["operations"])
    assert (index["openapi"], index["docs"]) == ("/openapi.json", "/docs")
    assert client.get(index["docs"]).status_code == 200


def test_docs_are_served_from_the_package_with_a_plain_list(client: TestClient) -> None:
    page = html(client, "/docs")
    # Nothing from elsewhere: every script and stylesheet is this site's own.
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', page)
    assert "/static/swagger-ui/swagger-ui-bundle.js" in assets and "/static/docs.js" in assets
    assert all(a.startswith("/static/") for a in assets), assets
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    assert "<code>GET /api/search</code>" in page
    assert 'href="/docs">API</a>' in html(client, "/")  # the footer's link


def test_a_bad_search_keeps_the_query_and_links_to_the_language(client: TestClient) -> None:
    query = '"foreign policy" speaker:'
    response = client.get("/search", params={"q": query})
    assert response.status_code == 400
    page = response.text
    message = client.get("/search.json", params={"q": query}).json()["error"]["message"]
    assert f'data-code="query">{message}</p>' in page.replace("&#39;", "'")
    assert 'value="&#34;foreign policy&#34; speaker:"' in page
    assert page.count('value="&#34;foreign policy&#34; speaker:"') == 2  # header and the form
    assert 'href="/help/query"' in page


def test_query_help_shows_every_example_of_the_docs(client: TestClient) -> None:
    doc = (Path(__file__).parent.parent / "docs" / "query-language.md").read_text()
    rows = [line for line in doc.splitlines() if line.startswith("| `")]
    examples = [e for row in rows for e in re.findall(r"`([^`]+)`", row.split("|")[1])]
    page = html(client, "/help/query").replace("&#34;", '"')
    assert len(examples) > 10
    assert [e for e in examples if f"<code>{e}</code>" not in page] == []


@pytest.mark.parametrize("list_path", ["/events", "/search?q=russia", "/persons", "PERSON"])
def test_a_page_past_the_end_says_so_and_links_to_the_last(
    client: TestClient, list_path: str
) -> None:
    if list_path == "PERSON":
        list_path = f"/persons/{twin(client, '/persons')['persons'][0]['person_id']}"
    sep = "&" if "?" in list_path else "?"
    last = twin(client, f"{list_path}{sep}per_page=2")["pagination"]["pages"]
    assert last > 1
    past = f"{list_path}{sep}per_page=2&page={last + 3}"
    response = client.get(past)
    assert response.status_code == 404
    link = re.search(r'id="last-page" href="([^"]+)"', response.text)
    assert link is not None and f"page {last + 3} is past the end" in response.text
    assert f"there are {last} pages" in response.text
    target = link.group(1).replace("&amp;", "&")
    assert twin(client, target)["pagination"]["page"] == last
    error = client.get(past, headers={"Accept": "application/json"}).json()["error"]
    assert (error["code"], error["last_page"]) == ("past_end", last)
