"""Log-in, log-out, sessions, CSRF, roles and the rate limit, through the web app."""

from __future__ import annotations

from pathlib import Path

import pytest

from authutil import client, form_token, log_in, password_of, seeded
from stenogram.accounts import Role, set_password
from stenogram.ingest import open_settings
from stenogram.settings import Settings
from stenogram.web.auth import SESSION_COOKIE


@pytest.fixture(scope="module")
def settings(
    tmp_path_factory: pytest.TempPathFactory, shared_dir: Path, module_database: str | None
) -> Settings:
    return seeded(tmp_path_factory.mktemp("auth"), shared_dir, module_database)


def test_log_in_and_out(settings: Settings) -> None:
    web = client(settings)
    assert web.get("/admin", follow_redirects=False).headers["location"] == "/login?next=%2Fadmin"
    assert log_in(web, "admin", password_of(Role.ADMIN), "/admin") == 303
    page = web.get("/admin")
    assert page.status_code == 200 and 'id="account-name">admin (admin)' in page.text
    assert web.get("/").status_code == 200
    logout = web.post("/logout", data={"csrf_token": form_token(page.text)}, follow_redirects=False)
    assert logout.status_code == 303 and SESSION_COOKIE not in web.cookies
    assert web.get("/admin", follow_redirects=False).status_code == 303


def test_a_logged_out_session_is_dead_even_if_its_cookie_is_kept(settings: Settings) -> None:
    web = client(settings)
    assert log_in(web, "admin", password_of(Role.ADMIN)) == 303
    kept = web.cookies[SESSION_COOKIE]
    token = form_token(web.get("/admin").text)
    web.post("/logout", data={"csrf_token": token})
    web.cookies.set(SESSION_COOKIE, kept)
    assert web.get("/admin.json").status_code == 401


def test_wrong_password_and_unknown_name_answer_alike(settings: Settings) -> None:
    web = client(settings)
    for name in ("admin", "nobody-at-all"):
        token = form_token(web.get("/login").text)
        answer = web.post(
            "/login", data={"name": name, "password": "wrong password!", "csrf_token": token}
        )
        assert answer.status_code == 401
        assert "wrong name or password" in answer.text
        assert SESSION_COOKIE not in web.cookies


def test_the_session_cookie_is_signed_httponly_and_samesite(settings: Settings) -> None:
    web = client(settings)
    token = form_token(web.get("/login").text)
    answer = web.post(
        "/login",
        data={"name": "editor", "password": password_of(Role.EDITOR), "csrf_token": token},
        follow_redirects=False,
    )
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))
    flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "samesite", "max-age", "path"} <= flags
    assert "samesite=lax" in cookie.lower() and "secure" not in flags  # plain http here
    value = web.cookies[SESSION_COOKIE]
    web.cookies.set(SESSION_COOKIE, value[:-2] + ("A" if value[-2] != "A" else "B") + value[-1])
    assert web.get("/login.json").json()["user"] is None  # an altered cookie is nobody


def test_cookies_are_secure_over_https(settings: Settings) -> None:
    web = client(settings, base_url="https://testserver")
    token = form_token(web.get("/login").text)
    answer = web.post(
        "/login",
        data={"name": "editor", "password": password_of(Role.EDITOR), "csrf_token": token},
        follow_redirects=False,
    )
    cookies = answer.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith(SESSION_COOKIE))
    assert "secure" in session.lower()


@pytest.mark.parametrize("sent", [None, "", "forged-token"])
def test_forms_without_their_token_are_refused(settings: Settings, sent: str | None) -> None:
    web = client(settings)
    assert log_in(web, "admin", password_of(Role.ADMIN)) == 303
    form = {"into": "a", "other": "b"} | ({} if sent is None else {"csrf_token": sent})
    answer = web.post("/admin/persons/merge", data=form, headers={"accept": "application/json"})
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "forbidden"
    login = {"name": "admin", "password": password_of(Role.ADMIN)}
    fresh = client(settings)
    fresh.get("/login")
    assert (
        fresh.post(
            "/login", data=login | ({} if sent is None else {"csrf_token": sent})
        ).status_code
        == 403
    )


def test_a_token_of_another_session_is_refused(settings: Settings) -> None:
    one, other = client(settings), client(settings)
    for web in (one, other):
        assert log_in(web, "admin", password_of(Role.ADMIN)) == 303
    theirs = form_token(other.get("/admin").text)
    answer = one.post("/logout", data={"csrf_token": theirs})
    assert answer.status_code == 403
    assert one.get("/admin").status_code == 200  # still logged in


@pytest.mark.parametrize(
    ("role", "admin_status"), [(Role.EDITOR, 403), (Role.PUBLISHER, 403), (Role.ADMIN, 200)]
)
def test_roles_gate_the_admin_pages(settings: Settings, role: Role, admin_status: int) -> None:
    web = client(settings)
    assert log_in(web, role.label, password_of(role)) == 303
    assert web.get("/admin").status_code == admin_status
    assert web.get("/admin/audit.json").status_code == admin_status


def test_without_a_session_json_gets_401_and_a_browser_the_log_in_page(settings: Settings) -> None:
    web = client(settings)
    assert web.get("/admin/audit.json").status_code == 401
    answer = web.get("/admin/audit?page=2", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2Fadmin%2Faudit%3Fpage%3D2"


def test_next_never_leaves_the_site(settings: Settings) -> None:
    for away in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        web = client(settings)
        token = form_token(web.get("/login").text)
        answer = web.post(
            "/login",
            data={
                "name": "editor",
                "password": password_of(Role.EDITOR),
                "next": away,
                "csrf_token": token,
            },
            follow_redirects=False,
        )
        assert answer.headers["location"] == "/"


def test_admin_writes_from_the_browser_are_audited(settings: Settings) -> None:
    web = client(settings)
    assert log_in(web, "admin", password_of(Role.ADMIN)) == 303
    token = form_token(web.get("/admin").text)
    people = web.get("/api/persons?per_page=100").json()["persons"]
    into, other = people[0]["person_id"], people[-1]["person_id"]
    merged = web.post(
        "/admin/persons/merge",
        data={"into": into, "other": other, "csrf_token": token},
        follow_redirects=False,
    )
    assert merged.status_code == 303 and merged.headers["location"] == f"/persons/{into}"
    entries = web.get("/admin/audit.json").json()["entries"]
    assert entries[0]["action"] == "persons.merge" and entries[0]["actor"] == "admin"
    assert entries[0]["target"] == into and other in entries[0]["detail"]
    assert any(e["action"] == "login" and e["actor"] == "admin" for e in entries)


def test_an_admin_splits_a_person_and_ingests_an_upload(
    settings: Settings, fixtures_dir: Path
) -> None:
    web = client(settings)
    assert log_in(web, "admin", password_of(Role.ADMIN)) == 303
    token = form_token(web.get("/admin").text)
    # Fold one person into another, then split the folded one's names out again.
    listed = web.get("/api/persons?per_page=100").json()["persons"]
    keep, fold = listed[0]["person_id"], listed[1]["person_id"]
    moved = [n["text"] for n in web.get(f"/api/persons/{fold}").json()["person"]["names"]]
    merge = {"into": keep, "other": fold, "csrf_token": token}
    assert web.post("/admin/persons/merge", data=merge, follow_redirects=False).status_code == 303
    split = web.post(
        "/admin/persons/split",
        data={"person": keep, "names": "\n".join(moved), "csrf_token": token},
        follow_redirects=False,
    )
    assert split.status_code == 303, split.text
    new_id = split.headers["location"].removeprefix("/persons/")
    assert new_id != keep
    names = web.get(f"/api/persons/{new_id}").json()["person"]["names"]
    assert sorted(n["text"] for n in names) == sorted(moved)
    page = next((fixtures_dir / "kremlin-html").glob("*.html"))
    ingested = web.post(
        "/admin/ingest",
        data={"csrf_token": token},
        files={"document": (page.name, page.read_bytes(), "text/html")},
    )
    assert ingested.status_code == 200 and "1 new" in ingested.text
    refused = web.post(
        "/admin/ingest",
        data={"csrf_token": token},
        files={"document": ("junk.bin", b"\x00\x01", "application/octet-stream")},
        headers={"accept": "application/json"},
    )
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "parse"
    done = [
        (e["action"], e["target"], e["actor"])
        for e in web.get("/admin/audit.json").json()["entries"]
    ]
    assert done[0] == ("ingest", page.name, "admin")
    assert ("persons.split", keep, "admin") in done


def test_a_new_password_ends_the_sessions(settings: Settings) -> None:
    web = client(settings)
    with open_settings(settings) as archive:
        from stenogram.accounts import add_user

        add_user(archive, "changer", "first password", Role.EDITOR)
    assert log_in(web, "changer", "first password") == 303
    assert web.get("/login.json").json()["user"] == "changer"
    with open_settings(settings) as archive:
        set_password(archive, "changer", "second password")
    assert web.get("/login.json").json()["user"] is None
    assert log_in(web, "changer", "first password") == 401
    assert log_in(web, "changer", "second password") == 303


def test_no_password_or_hash_in_any_answer(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    web = client(settings)
    secret = password_of(Role.ADMIN)
    log_in(web, "admin", "a wrong one, logged?")
    assert log_in(web, "admin", secret) == 303
    answers = [
        web.get(url)
        for url in ("/admin", "/admin.json", "/admin/audit", "/admin/audit.json", "/login.json")
    ]
    for answer in answers:
        assert answer.status_code == 200
        assert secret not in answer.text and "$argon2" not in answer.text
        assert "a wrong one" not in answer.text
    logged = caplog.text
    assert secret not in logged and "$argon2" not in logged and "a wrong one" not in logged
