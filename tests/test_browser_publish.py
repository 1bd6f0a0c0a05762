"""Publishing in a real browser (Debian's Chromium via Playwright) against ``stenogram serve``:
log in, write an event by pasting a text version, fix the label the live preview flags, upload
a photo, schedule it, see the scheduler publish it into its section, correct it, and read the
correction and the diff as a reader does; no serious accessibility violation on the way."""

from __future__ import annotations

import datetime as dt
import io
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Page, sync_playwright

from authutil import password_of, seeded
from serveutil import served
from stenogram.accounts import Role
from test_browser import CHROMIUM, DESKTOP, FLAGS, SHOTS
from test_browser_auth import _serious
from webutil import SEED_NAME

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (apt-get install)"
)
TITLE = "Zebrafish summit"
#: Seconds the scheduler may take: its tick, plus the page's own wait.
PUBLISH_WAIT = 60


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path) -> Iterator[str]:
    """``stenogram serve`` on the seed with a user of each role (the scheduler runs in it)."""
    folder = tmp_path_factory.mktemp("browser-publish")
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


def _text_version(shared_dir: Path) -> str:
    """The seed as another event: its own title, and Putin's label misprinted."""
    seed = (shared_dir / "seed" / SEED_NAME).read_text(encoding="utf-8")
    return seed.replace("CSTO summit", TITLE, 1).replace(
        "President of Russia Vladimir Putin:", "President of Russia Vladimir Pudin:"
    )


def _photo(folder: Path) -> Path:
    path = folder / "photo.jpg"
    out = io.BytesIO()
    image = Image.new("RGB", (120, 80), (20, 120, 200))
    exif = Image.Exif()
    exif[0x8825] = {2: (55.0, 45.0, 0.0), 1: "N"}
    image.save(out, "JPEG", exif=exif)
    path.write_bytes(out.getvalue())
    return path


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def test_write_schedule_publish_correct(
    page: Page, server: str, shared_dir: Path, tmp_path: Path
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto("/editor/new")
    page.fill("#login-name", "publisher")
    page.fill("#login-password", password_of(Role.PUBLISHER))
    page.click("#login button[type=submit]")
    page.wait_for_url("**/editor/new")

    # Paste a text version: the form fills itself, and the preview flags the misprint.
    page.fill("#text-version", _text_version(shared_dir))
    page.click("#fill")
    assert page.input_value("#f-title") == TITLE
    assert page.input_value("#f-place") == "Minsk"
    assert "News" in page.input_value("#f-new-sections") or page.is_checked(
        "input[name=sections][value=News]"
    )
    assert "Pudin" in page.locator("#preview-warnings").inner_text()
    assert _serious(page) == []
    _shot(page, "editor-flagged")

    # Fix the label: the preview (htmx, as one types) has nothing to say any more.
    fixed = page.input_value("#f-transcript").replace("Vladimir Pudin:", "Vladimir Putin:")
    page.fill("#f-transcript", fixed)
    page.wait_for_selector("#preview-ok", timeout=15_000)
    assert page.locator("#preview-turns a", has_text="vladimir-putin").count() >= 1
    page.click("#save")
    page.wait_for_url("**/editor/drafts/*")
    draft_id = page.url.rstrip("/").rsplit("/", 1)[1]

    # A photo, stripped of its GPS position on the way in.
    page.set_input_files("#photo-file", str(_photo(tmp_path)))
    page.fill("#photo-caption", "The heads of delegation")
    page.fill("#photo-credit", "Press service")
    page.click("#upload")
    page.wait_for_selector(".photos img")
    assert page.locator(".photos figcaption").inner_text().startswith("The heads of delegation")
    assert _serious(page) == []
    _shot(page, "editor-draft")

    # Scheduled a few seconds ahead: not there yet, then published by the scheduler.
    at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0) + dt.timedelta(seconds=6)
    page.fill("#publish-at", at.isoformat())
    page.click("#schedule")
    assert "scheduled" in page.locator("#state").inner_text()
    assert TITLE not in httpx.get(f"{server}/sections/News").text
    deadline = time.monotonic() + PUBLISH_WAIT
    while TITLE not in httpx.get(f"{server}/sections/News").text:
        assert time.monotonic() < deadline, "the scheduled event never appeared"
        time.sleep(1)
    page.goto("/sections/News")
    page.click(f"text={TITLE}")
    assert page.locator("h1.title").inner_text() == TITLE
    photo_link = page.locator(".photo-link").get_attribute("href")
    assert photo_link is not None
    assert httpx.get(photo_link).headers["content-type"] == "image/jpeg"

    # A correction: a new revision, a public note, and the diff on the event's page.
    page.goto(f"/editor/drafts/{draft_id}")
    assert "published" in page.locator("#state").inner_text()
    corrected = page.input_value("#f-transcript").replace(
        "Mr Lukashenko, colleagues and friends,", "Mr Lukashenko, dear colleagues and friends,"
    )
    page.fill("#f-transcript", corrected)
    page.fill("#f-note", "The greeting was quoted without a word.")
    page.click("#save")
    page.wait_for_url(f"**/editor/drafts/{draft_id}")
    page.click("#event-link")
    assert "The greeting was quoted without a word." in page.locator(".correction").inner_text()
    assert "dear" in page.locator(".diff ins").first.inner_text()
    assert _serious(page) == []
    _shot(page, "event-corrected")
    assert errors == []
