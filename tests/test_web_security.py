"""Hostile content renders inert, headers are strict, errors hide internals, admin needs a token."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from stenogram.web.security import snippet_html
from webutil import IMG, JS_URL, SCRIPT, build


@pytest.fixture(scope="module")
def admin(
    tmp_path_factory: pytest.TempPathFactory, shared_dir: Path, module_database: str | None
) -> TestClient:
    folder = tmp_path_factory.mktemp("sec")
    return build(folder, shared_dir, admin_token="s3cret", database=module_database)[1]


class Tags(HTMLParser):
    """Every element and attribute as a browser would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def inert(page: str) -> None:
    assert SCRIPT not in page and IMG not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page or "&lt;img" in page
    parser = Tags()
    parser.feed(page)
    for tag, attrs in parser.found:
        assert tag != "img" or dict(attrs).get("src", "").startswith("/")  # type: ignore[union-attr]
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            assert not (value or "").strip().lower().startswith("javascript:"), (tag, name)
    # The only scripts are the vendored htmx and the copy button: no inline script at all.
    scripts = [dict(attrs).get("src") for tag, attrs in parser.found if tag == "script"]
    assert scripts == ["/static/htmx.min.js", "/static/copy.js"]


def test_hostile_event_renders_inert_everywhere(admin: TestClient) -> None:
    event = admin.get("/api/events/hostile-1").json()["event"]
    assert event["title"].startswith(SCRIPT)  # stored as printed...
    for url in (
        "/events/hostile-1",
        f"/speeches/{event['speeches'][0]['id']}",
        "/",
        "/search?q=alert",
        "/tags/place/" + event["place"],
    ):
        response = admin.get(url)
        assert response.status_code == 200, url
        inert(response.text)  # ...and shown as text
    page = admin.get("/events/hostile-1").text
    assert "Hello &lt;script&gt;" in page and JS_URL in page  # the text is kept, not linked
    atom = admin.get("/feeds/latest.atom").text
    assert SCRIPT not in atom and "&lt;script&gt;" in atom


def test_security_headers_on_every_kind_of_response(admin: TestClient) -> None:
    for url in ("/", "/api/events", "/feeds/latest.atom", "/static/site.css", "/missing"):
        headers = admin.get(url).headers
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"]


def test_htmx_is_vendored_with_its_licence(admin: TestClient) -> None:
    script = admin.get("/static/htmx.min.js")
    assert script.status_code == 200 and "htmx" in script.text[:200]
    assert "Zero-Clause BSD" in admin.get("/static/htmx.LICENSE").text


def test_crashes_hide_the_traceback(admin: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from stenogram.web import data

    def boom(*_args: object, **_kw: object) -> None:
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(data, "sections_index", boom)
    response = admin.get("/api/sections")
    assert response.status_code == 500
    assert response.json() == {"error": {"code": "internal", "message": "internal error"}}
    assert "secret" not in admin.get("/sections").text


def test_admin_endpoints_need_the_token(
    admin: TestClient, tmp_path: Path, shared_dir: Path, fixtures_dir: Path
) -> None:
    page = (fixtures_dir / "kremlin-html" / "en-13679.html").read_bytes()
    url = "/api/admin/ingest?name=en-13679.html"
    assert admin.post(url, content=page).status_code == 401
    wrong = admin.post(url, content=page, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "forbidden"
    good = admin.post(url, content=page, headers={"Authorization": "Bearer s3cret"})
    assert good.status_code == 200, good.text
    assert good.json()["unchanged"] == 1  # already ingested: nothing changes
    junk = admin.post(url, content=b"\x00\x01", headers={"Authorization": "Bearer s3cret"})
    assert junk.status_code == 400 and junk.json()["error"]["code"] == "parse"
    persons = admin.get("/api/persons?per_page=100").json()["persons"]
    a, b = persons[0]["person_id"], persons[-1]["person_id"]
    merged = admin.post(
        "/api/admin/persons/merge",
        json={"into": a, "other": b},
        headers={"Authorization": "Bearer s3cret"},
    )
    assert merged.status_code == 200, merged.text
    assert merged.json()["person"]["id"] == a
    assert admin.get(f"/api/persons/{b}").status_code == 404


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "bEaReR"])
def test_the_authorization_scheme_is_case_insensitive(admin: TestClient, scheme: str) -> None:
    url = "/api/admin/persons/merge"
    body = {"into": "nobody-1", "other": "nobody-2"}
    right = admin.post(url, json=body, headers={"Authorization": f"{scheme} s3cret"})
    assert right.status_code == 404  # past the token: the persons do not exist
    wrong = admin.post(url, json=body, headers={"Authorization": f"{scheme} nope"})
    assert wrong.status_code == 403
    other = admin.post(url, json=body, headers={"Authorization": "Basic s3cret"})
    assert other.status_code == 401


def test_no_admin_endpoints_without_a_token(tmp_path: Path, shared_dir: Path) -> None:
    client = build(tmp_path, shared_dir)[1]
    response = client.post("/api/admin/ingest", content=b"x")
    assert response.status_code == 404
    assert client.post("/api/admin/persons/merge", json={}).status_code == 404


@pytest.mark.parametrize(
    ("snippet", "shown"),
    [
        ("plain <b>match</b> text", "plain <b>match</b> text"),
        ("<b>first</b> and <b>last</b>", "<b>first</b> and <b>last</b>"),
        # What the engine escaped stays escaped once, never twice.
        ("a &lt;script&gt; &amp; <b>b</b>", "a &lt;script&gt; &amp; <b>b</b>"),
        # Any other markup, escaped or not, becomes text.
        (
            '<script>x</script><b>y</b> <i onclick="z">',
            "&lt;script&gt;x&lt;/script&gt;<b>y</b> &lt;i onclick=&#34;z&#34;&gt;",
        ),
        ("&lt;b&gt;not a highlight&lt;/b&gt;", "&lt;b&gt;not a highlight&lt;/b&gt;"),
        ("", ""),
    ],
)
def test_snippets_keep_only_their_highlights(snippet: str, shown: str) -> None:
    assert str(snippet_html(snippet)) == shown
