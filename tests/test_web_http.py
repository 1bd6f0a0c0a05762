"""HTTP manners of the web app: one URL per event, HEAD, 405 with Allow, links from the public
base URL rather than the client's Host header, and a clear 503 when a worker is full."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from stenogram.web import api, create_app, feeds, pages
from stenogram.web.app import busy_response
from stenogram.web.turns import Busy
from webutil import build

#: Not ids: a superscript, Arabic-Indic and mathematical digits, a leading zero, past the range.
NOT_IDS = ["%C2%B2", "%D9%A1%D9%A2%D9%A3", "%F0%9D%9F%8F", "01", "9223372036854775808"]
NOT_IDS += ["99999999999999999999999999999"]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path) -> TestClient:
    return build(tmp_path_factory.mktemp("http"), shared_dir)[1]


@pytest.mark.parametrize("ref", NOT_IDS)
@pytest.mark.parametrize(
    "route", ["/events/{}", "/api/events/{}", "/speeches/{}", "/events/{}/text"]
)
def test_what_cannot_be_an_id_is_404(client: TestClient, route: str, ref: str) -> None:
    response = client.get(route.format(ref), headers={"Accept": "application/json"})
    assert response.status_code == 404, response.text
    assert response.json()["error"]["code"] == "not_found"


def test_an_archive_id_has_one_url(client: TestClient) -> None:
    """``/events/1`` (an archive id) answers; its Unicode look-alikes do not."""
    assert client.get("/api/events/1").status_code == 200
    for alias in ("%D9%A1", "%F0%9D%9F%8F", "01", "+1", "kremlin.ru:%D9%A1"):
        assert client.get(f"/api/events/{alias}").status_code == 404, alias


@pytest.mark.parametrize(
    "number", ["2147483648", "9223372036854775808", "99999999999999999999", "0", "-1"]
)
def test_a_revision_out_of_range_is_a_400(client: TestClient, number: str) -> None:
    response = client.get(f"/api/events/51437?revision={number}")
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "query"


def test_a_revision_in_range_that_does_not_exist_is_404(client: TestClient) -> None:
    assert client.get("/api/events/51437?revision=2147483647").status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/", "/events", "/events/51437", "/api/events/51437", "/feeds/latest.atom", "/search?q=gas"],
)
def test_head_answers_like_get_without_a_body(client: TestClient, path: str) -> None:
    get, head = client.get(path), client.head(path)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["content-length"] == str(len(get.content))


def test_every_get_route_answers_head(client: TestClient) -> None:
    routes = [*pages.router.routes, *api.router.routes, *feeds.router.routes]
    plain = [
        route.path
        for route in routes
        if "GET" in getattr(route, "methods", ()) and "{" not in getattr(route, "path", "{")
    ]
    assert len(plain) >= 8
    for path in plain:
        query = "?q=gas" if "search" in path else ""
        get, head = client.get(path + query), client.head(path + query)
        assert (head.status_code, head.content) == (get.status_code, b""), path
        assert head.headers.get("content-length") == get.headers.get("content-length"), path


def test_head_on_a_missing_page_is_404(client: TestClient) -> None:
    head = client.head("/events/424242")
    assert head.status_code == 404 and head.content == b""


def test_405_says_what_is_allowed(client: TestClient) -> None:
    for path in ("/api/events", "/events/51437", "/"):
        response = client.post(path)
        assert response.status_code == 405
        assert set(response.headers["allow"].replace(" ", "").split(",")) >= {"GET"}


def test_a_trailing_slash_redirects_to_the_public_base(tmp_path: Path, shared_dir: Path) -> None:
    settings, client = build(tmp_path, shared_dir)
    evil = {"Host": "evil.example"}
    plain = client.get("/events/?page=2", headers=evil, follow_redirects=False)
    assert plain.status_code == 308
    assert plain.headers["location"] == "http://evil.example/events?page=2"  # nothing set
    public = dataclasses.replace(settings, public_url="https://archive.example.org")
    configured = TestClient(create_app(public))
    moved = configured.get("/events/?page=2", headers=evil, follow_redirects=False)
    assert moved.headers["location"] == "https://archive.example.org/events?page=2"
    feed = configured.get("/feeds/latest.atom", headers=evil).text
    assert "evil.example" not in feed and "https://archive.example.org/events/" in feed
    page = configured.get("/events?page=1&per_page=1", headers=evil).text
    assert "evil.example" not in page


@pytest.mark.parametrize("accept", ["application/json", "text/html"])
def test_beyond_max_requests_a_worker_answers_503(accept: str) -> None:
    """Two requests held at once by a worker that takes one: the second is refused at once,
    with the error body a client expects, and the first still completes."""
    asyncio.run(two_at_once(accept))


async def two_at_once(accept: str) -> None:
    release = asyncio.Event()

    async def slow(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"] == "/api/events" and not release.is_set():
            await release.wait()
        await JSONResponse({"ok": True})(scope, receive, send)

    app = Busy(slow, limit=1, refuse=busy_response)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        first = asyncio.create_task(client.get("/api/events"))
        await asyncio.sleep(0.05)
        second = await client.get("/events", headers={"Accept": accept})
        assert second.status_code == 503 and second.headers["retry-after"]
        if accept == "application/json":
            assert second.json()["error"]["code"] == "busy"
        else:
            assert "busy" in second.text and second.text.lstrip().startswith("<!doctype")
        release.set()
        assert (await first).status_code == 200
        assert app.held == 0
        assert (await client.get("/api/events")).status_code == 200  # room again
