"""Logging in and out in a real browser (Debian's Chromium via Playwright) against
``stenogram serve``: the form, the cookie the browser keeps, the admin page, the log-out button,
and no serious accessibility violation on the pages on the way."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, sync_playwright

from authutil import password_of, seeded
from serveutil import served
from stenogram.accounts import Role
from stenogram.web.auth import SESSION_COOKIE
from test_browser import CHROMIUM, DESKTOP, FLAGS, SHOTS

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (apt-get install)"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser-auth")
    settings = seeded(folder, shared_dir, None)
    with served("--archive", str(settings.archive), log=folder / "server.log") as base:
        yield base


@pytest.fixture
def page(server: str) -> Iterator[Page]:
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            yield chromium.new_context(viewport=DESKTOP, base_url=server).new_page()
        finally:
            chromium.close()


def _serious(page: Page) -> list[str]:
    violations = Axe().run(page).response["violations"]
    return [v["id"] for v in violations if v["impact"] in ("serious", "critical")]


def test_log_in_then_log_out(page: Page) -> None:
    page.goto("/admin")
    assert page.url.endswith("/login?next=%2Fadmin")  # sent to log in, and back after
    assert _serious(page) == []
    page.fill("#login-name", "admin")
    page.fill("#login-password", "not the password")
    page.click("#login button[type=submit]")
    assert page.locator("#error").inner_text() == "wrong name or password"
    page.fill("#login-name", "admin")
    page.fill("#login-password", password_of(Role.ADMIN))
    page.click("#login button[type=submit]")
    page.wait_for_url("**/admin")
    assert page.locator("#account-name").inner_text() == "admin (admin)"
    assert page.locator("#audit td", has_text="login").count() >= 1
    assert _serious(page) == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "admin.png", full_page=True)
    cookie = next(c for c in page.context.cookies() if c["name"] == SESSION_COOKIE)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    page.click("#logout")
    page.wait_for_url(lambda url: url.rstrip("/").count("/") == 2)  # home
    assert page.locator("#account-name").count() == 0
    assert SESSION_COOKIE not in {c["name"] for c in page.context.cookies()}
    page.goto("/admin")
    assert "/login" in page.url
