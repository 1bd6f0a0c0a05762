"""A small archive with users for the account tests: the seed, and one user of each role."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from fastapi.testclient import TestClient

from stenogram.accounts import Role, add_user
from stenogram.ingest import ingest, open_settings
from stenogram.settings import Settings
from stenogram.web import create_app

SEED_NAME = "000_46537543d1896dfd.txt"
#: One user of each role; the password of each is its name repeated (a test reads it here).
PASSWORDS = {role: f"{role.label}-password-{role.value}" for role in Role}


def password_of(role: Role) -> str:
    return PASSWORDS[role]


def seeded(folder: Path, shared: Path, database: str | None, **settings: object) -> Settings:
    """An archive holding the seed, with a user named after each role above the reader."""
    pages = folder / "pages"
    pages.mkdir()
    shutil.copy(shared / "seed" / SEED_NAME, pages / SEED_NAME)
    made = Settings(archive=folder / "archive", database=database, **settings)  # type: ignore[arg-type]
    assert ingest([pages], made).new == 1
    with open_settings(made) as archive:
        for role in (Role.EDITOR, Role.PUBLISHER, Role.ADMIN):
            add_user(archive, role.label, password_of(role), role)
    return made


def client(settings: Settings, **kwargs: object) -> TestClient:
    return TestClient(create_app(settings), raise_server_exceptions=False, **kwargs)  # type: ignore[arg-type]


def form_token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the page has no form token"
    return found.group(1)


def log_in(web: TestClient, name: str, password: str, next_page: str = "/") -> int:
    """Log in through the form, as a browser does; the status of the answer to the POST."""
    token = form_token(web.get("/login").text)
    answer = web.post(
        "/login",
        data={"name": name, "password": password, "next": next_page, "csrf_token": token},
        follow_redirects=False,
    )
    return answer.status_code
