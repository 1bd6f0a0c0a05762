"""A real archive for the web tests: fixture pages of en.kremlin.ru, the seed, and one hostile
document, ingested the way ``stenogram ingest`` does it."""

from __future__ import annotations

import dataclasses
import shutil
import socket
from pathlib import Path

from fastapi.testclient import TestClient

from stenogram.ingest import ingest, open_settings
from stenogram.model import Document
from stenogram.parse import parse_bytes
from stenogram.settings import Settings
from stenogram.web import create_app

TESTS = Path(__file__).resolve().parent
SEED_NAME = "000_46537543d1896dfd.txt"
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
JS_URL = "javascript:alert(1)"


def free_port() -> int:
    """A loopback port nobody listens on now, for a server the test starts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def hostile(seed: Path) -> Document:
    """The seed with markup in its title, a speech and its links: it must render inert."""
    doc = parse_bytes(seed.read_bytes(), origin="hostile.txt")
    first = doc.speeches[0]
    speech = dataclasses.replace(
        first, speaker=f"{IMG} Lukashenko", paragraphs=(f"Hello {SCRIPT} and {IMG}", JS_URL)
    )
    photo = dataclasses.replace(doc.photos[0], url=JS_URL, caption=IMG)
    return dataclasses.replace(
        doc,
        title=f"{SCRIPT} summit",
        source_id="hostile-1",
        url=JS_URL,
        place=f"Minsk {IMG}",
        speeches=(speech, *doc.speeches[1:]),
        photos=(photo,),
    )


def fixture_pages() -> list[Path]:
    """The real pages every web test archive holds (the seed and a hostile copy come on top)."""
    return sorted(
        page
        for folder in ("archive", "kremlin-html")
        for page in (TESTS / "fixtures" / folder).glob("*.html")
    )


def expected_events() -> int:
    """Events in the archive :func:`build` makes: the pages, the seed and the hostile document."""
    return len(fixture_pages()) + 2


def build(
    tmp: Path, shared: Path, *, admin_token: str | None = None, database: str | None = None
) -> tuple[Settings, TestClient]:
    seed = shared / "seed" / SEED_NAME
    pages = tmp / "pages"
    pages.mkdir()
    for page in fixture_pages():
        shutil.copy(page, pages / page.name)
    shutil.copy(seed, pages / seed.name)
    settings = Settings(archive=tmp / "archive", admin_token=admin_token, database=database)
    summary = ingest([pages], settings)
    assert summary.failed == 0 and summary.new == len(fixture_pages()) + 1
    with open_settings(settings) as archive:
        archive.store(hostile(seed))
    return settings, TestClient(create_app(settings), raise_server_exceptions=False)
