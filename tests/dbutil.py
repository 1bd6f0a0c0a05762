"""Reading an archive's database with plain SQL in the tests, whichever backend it is on."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sqlalchemy import text

from stenogram.ingest import ingest, merge_persons, open_settings
from stenogram.settings import Settings
from stenogram.sources.http import Response
from stenogram.sources.rawstore import RawStore

#: The tables of migrations 0006 and later, children before parents: the tests that take an
#: archive back to an older schema drop them, and the upgrade makes them again.
LATER_TABLES = (
    "changes",
    "frontier",
    "frontier_hosts",
    "user_sessions",
    "users",
    "login_failures",
    "audit_log",
    "draft_photos",
    "drafts",
    "corrections",
    "withdrawals",
)


def sql_rows(settings: Settings, sql: str) -> list[tuple[Any, ...]]:
    """The rows of ``sql`` (portable SQL) on the archive of ``settings``, as plain tuples."""
    with open_settings(settings) as archive, archive.reading() as conn:
        return [tuple(row) for row in conn.execute(text(sql))]


def full_archive(folder: Path, fixtures_dir: Path) -> Path:
    """A SQLite archive with something in every kind of table: events with revisions, people
    and an override, a translated pair, and a raw body with its row."""
    settings = Settings(archive=folder / "full")
    pages = folder / "pages"
    pages.mkdir()
    for kind in ("archive", "translations", "persons-doubt"):
        for page in (fixtures_dir / kind).glob("*.html"):
            shutil.copy(page, pages / f"{kind}-{page.name}")
    assert ingest([pages], settings).failed == 0
    merge_persons(settings, "tatyana-golikova", "tatayana-golikova")
    with RawStore.open(settings.archive) as raw:
        body = (pages / "archive-51437.html").read_bytes()
        raw.keep("kremlin-en", "item", Response("http://h/51437", 200, body), "http://h/51437")
    return settings.archive
