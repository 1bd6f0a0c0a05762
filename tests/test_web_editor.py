"""The editor over HTTP: roles, CSRF, what readers can and cannot see of a draft, stored XSS,
uploads refused with a message. Both backends; one archive per module, a new draft per test."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from authutil import client, form_token, log_in, password_of, seeded
from stenogram.accounts import Role
from stenogram.settings import Settings
from webutil import IMG, SCRIPT, SEED_NAME

#: A word no page of the seed archive has, to search for.
WORD = "zebrafish"


@pytest.fixture(scope="module")
def settings(
    tmp_path_factory: pytest.TempPathFactory, shared_dir: Path, module_database: str | None
) -> Settings:
    return seeded(tmp_path_factory.mktemp("editor"), shared_dir, module_database)


def logged_in(settings: Settings, role: Role) -> TestClient:
    web = client(settings)
    assert log_in(web, role.label, password_of(role)) == 303
    return web


@pytest.fixture
def editor(settings: Settings) -> Iterator[TestClient]:
    with logged_in(settings, Role.EDITOR) as web:
        yield web


@pytest.fixture
def publisher(settings: Settings) -> Iterator[TestClient]:
    with logged_in(settings, Role.PUBLISHER) as web:
        yield web


@pytest.fixture
def reader(settings: Settings) -> Iterator[TestClient]:
    with client(settings) as web:
        yield web


def fields(title: str, **extra: str) -> dict[str, str]:
    return {
        "title": title,
        "language": "en",
        "category": "Events",
        "summary": "A lede.",
        "date": "2026-12-01",
        "time": "10:00",
        "place": "Minsk",
        "participants": "Alexander Lukashenko | President of Belarus",
        "narrative": "The meeting began.",
        "transcript": f"President of Russia Vladimir Putin: The {WORD} census is done.",
        "tags_topics": "Foreign policy",
        "new_sections": "News",
        **extra,
    }


def create(web: TestClient, title: str, **extra: str) -> int:
    token = form_token(web.get("/editor/new").text)
    answer = web.post(
        "/editor/new", data={**fields(title, **extra), "csrf_token": token}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    found = re.fullmatch(r"/editor/drafts/(\d+)", answer.headers["location"])
    assert found
    return int(found.group(1))


def act(web: TestClient, draft_id: int, action: str, **data: str) -> int:
    token = form_token(web.get(f"/editor/drafts/{draft_id}").text)
    answer = web.post(
        f"/editor/drafts/{draft_id}/{action}",
        data={**data, "csrf_token": token},
        follow_redirects=False,
    )
    return answer.status_code


def reader_sees(web: TestClient, draft_id: int, title: str) -> dict[str, bool]:
    """Where a reader finds the event of draft ``draft_id`` (titled ``title``)."""
    ref = f"p{draft_id}"
    search = web.get("/api/search", params={"q": WORD}).json()
    return {
        "page": web.get(f"/events/{ref}").status_code == 200,
        "json": web.get(f"/events/{ref}.json").status_code == 200,
        "api": web.get(f"/api/events/{ref}").status_code == 200,
        "export": web.get(f"/api/events/{ref}/export").status_code == 200,
        "search": any(title in str(hit) for hit in search["results"]),
        "search export": title in web.get("/api/export", params={"q": WORD}).text,
        "feed": title in web.get("/feeds/latest.atom").text,
        "section": title in web.get("/sections/News").text,
        "list": title in web.get("/api/events", params={"per_page": 100}).text,
    }


def test_anonymous_and_forged_requests_are_refused(settings: Settings, reader: TestClient) -> None:
    answer = reader.get("/editor", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    assert reader.get("/editor.json").status_code == 401
    assert reader.post("/editor/new", data=fields("x"), follow_redirects=False).status_code == 403
    with logged_in(settings, Role.EDITOR) as web:
        # Logged in, but without the form's token: refused, and nothing written.
        assert (
            web.post("/editor/new", data=fields("Forged"), follow_redirects=False).status_code
            == 403
        )
        assert "Forged" not in web.get("/editor").text


def test_drafts_are_invisible_until_published(
    editor: TestClient, publisher: TestClient, reader: TestClient
) -> None:
    title = "Zebrafish census results"
    draft_id = create(editor, title)
    page = editor.get(f"/editor/drafts/{draft_id}")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert reader.get(f"/editor/drafts/{draft_id}", follow_redirects=False).status_code == 303
    assert not any(reader_sees(reader, draft_id, title).values())
    assert act(editor, draft_id, "submit") == 303
    assert not any(reader_sees(reader, draft_id, title).values())
    # An editor may not publish; the draft stays in review.
    assert act(editor, draft_id, "publish") == 403
    assert act(editor, draft_id, "schedule", publish_at="2030-01-01T10:00") == 403
    assert "in review" in editor.get(f"/editor/drafts/{draft_id}").text
    assert act(publisher, draft_id, "publish") == 303
    assert all(reader_sees(reader, draft_id, title).values())
    # Unpublished, it is gone from every one of them again.
    assert act(editor, draft_id, "unpublish", reason="mistake") == 403
    assert act(publisher, draft_id, "unpublish", reason="Published by mistake.") == 303
    assert not any(reader_sees(reader, draft_id, title).values())


def test_correction_shows_a_note_and_the_diff(
    editor: TestClient, publisher: TestClient, reader: TestClient
) -> None:
    draft_id = create(editor, "Zebrafish census, first count")
    assert act(publisher, draft_id, "publish") == 303
    token = form_token(publisher.get(f"/editor/drafts/{draft_id}").text)
    changed = fields(
        "Zebrafish census, first count",
        transcript=f"President of Russia Vladimir Putin: The {WORD} census is nearly done.",
        note="The President said nearly done.",
        csrf_token=token,
    )
    answer = publisher.post(
        f"/editor/drafts/{draft_id}/correct", data=changed, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    page = reader.get(f"/events/p{draft_id}").text
    assert "Corrected on" in page and "The President said nearly done." in page
    assert "<ins>nearly</ins>" in page.replace("\n", "")
    first = reader.get(f"/events/p{draft_id}", params={"revision": 1}).text
    assert "nearly" not in first.split('id="revisions"')[0]


def test_preview_and_paste(editor: TestClient, shared_dir: Path) -> None:
    token = form_token(editor.get("/editor/new").text)
    pasted = (shared_dir / "seed" / SEED_NAME).read_text(encoding="utf-8")
    filled = editor.post("/editor/fill", data={"text_version": pasted, "csrf_token": token}).text
    assert 'value="CSTO summit"' in filled and "Foreign policy" in filled
    assert "President of the Republic of Belarus Alexander Lukashenko:" in filled
    answer = editor.post(
        "/editor/preview.json",
        data={
            **fields("x", transcript="President of Russia Vladimir Pudin: Hello."),
            "csrf_token": token,
        },
    )
    preview = answer.json()["preview"]
    assert preview["turns"][0]["speaker"] == "Vladimir Pudin" and not preview["turns"][0]["known"]
    assert any("did you mean Vladimir Putin" in w for w in preview["warnings"])


def test_stored_xss_renders_inert(
    editor: TestClient, publisher: TestClient, reader: TestClient
) -> None:
    hostile = {
        name: f"{IMG} {SCRIPT}"
        for name in (
            "category",
            "summary",
            "place",
            "narrative",
            "tags_geography",
            "tags_topics",
            "tags_persons",
        )
    }
    hostile["participants"] = f"{IMG} | {SCRIPT}"
    hostile["transcript"] = f"President of Russia Vladimir Putin: {SCRIPT} {IMG} {WORD}"
    hostile["new_sections"] = f"News, {IMG}"
    draft_id = create(editor, f"{SCRIPT} zebrafish", **hostile)
    token = form_token(editor.get(f"/editor/drafts/{draft_id}").text)
    uploaded = editor.post(
        f"/editor/drafts/{draft_id}/photos",
        data={"caption": SCRIPT, "credit": IMG, "csrf_token": token},
        files={"photo": ("x.png", _png((8, 8)), "image/png")},
        follow_redirects=False,
    )
    assert uploaded.status_code == 303
    assert act(publisher, draft_id, "publish") == 303
    for web, path in (
        (editor, f"/editor/drafts/{draft_id}"),
        (editor, "/editor"),
        (reader, f"/events/p{draft_id}"),
        (reader, "/sections/News"),
        (reader, "/search?q=zebrafish"),
    ):
        page = web.get(path).text
        assert SCRIPT not in page and IMG not in page, path
        assert "&lt;script&gt;" in page, path


def _png(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("1", size).save(out, "PNG")
    return out.getvalue()


def test_uploads_checked(editor: TestClient, reader: TestClient) -> None:
    draft_id = create(editor, "Zebrafish photo call")

    def upload(body: bytes, name: str) -> tuple[int, str]:
        token = form_token(editor.get(f"/editor/drafts/{draft_id}").text)
        answer = editor.post(
            f"/editor/drafts/{draft_id}/photos",
            data={"caption": "Caption", "credit": "Credit", "csrf_token": token},
            files={"photo": (name, body, "image/png")},
            follow_redirects=False,
        )
        return answer.status_code, answer.text

    status, text = upload(b"#!/bin/sh\necho not an image\n", "evil.png")
    assert status == 422 and "not an image" in text
    status, text = upload(_png((20_000, 20_000)), "bomb.png")
    assert status == 422 and "decompression bomb" in text
    assert upload(_png((40, 30)), "fine.png")[0] == 303
    page = editor.get(f"/editor/drafts/{draft_id}.json").json()
    photo = page["draft"]["photos"][0]
    assert editor.get(f"/editor/photos/{photo['id']}").headers["content-type"] == "image/png"
    assert reader.get(f"/photos/{photo['id']}").status_code == 404
    assert reader.get(f"/editor/photos/{photo['id']}", follow_redirects=False).status_code == 303
