"""A text version without a publisher id (the seed) keeps one id and permalink everywhere."""

from __future__ import annotations

import dataclasses
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from dbutil import LATER_TABLES
from stenogram.archive import Archive, migrate, migrate_archive
from stenogram.archive.identity import CONTENT_ID_PREFIX, document_content_id
from stenogram.errors import StoreError
from stenogram.ingest import ingest, ingest_documents, open_settings
from stenogram.model import Document
from stenogram.parse import parse_bytes
from stenogram.search import search
from stenogram.settings import Settings

SEED = "seed/000_46537543d1896dfd.txt"


@pytest.fixture(scope="module")
def seed_path(shared_dir: Path) -> Path:
    return shared_dir / SEED


def _seed_permalink(settings: Settings) -> tuple[str, str | None, int]:
    with open_settings(settings) as opened:
        hits = search(opened.index_path, '"CSTO summit"', events=True).hits
        (hit,) = [h for h in hits if h.title == "CSTO summit"]
        stored = opened.event(hit.event_id)
        assert opened.event(hit.url.removeprefix("/events/")).event_id == hit.event_id
        return stored.permalink, stored.document.source_id, stored.event_id


def test_the_seed_has_one_permalink_in_every_archive(
    seed_path: Path,
    fixtures_dir: Path,
    tmp_path: Path,
    database: str | None,
    new_database: Callable[[], str | None],
) -> None:
    alone = Settings(archive=tmp_path / "alone", database=database)
    ingest([seed_path], alone)
    # Another archive where the seed comes after other pages, so its row number differs.
    pages = tmp_path / "pages"
    pages.mkdir()
    for page in sorted((fixtures_dir / "archive").glob("*.html")):
        shutil.copy(page, pages / page.name)
    shutil.copy(seed_path, pages / "zz-renamed-copy.txt")
    crowded = Settings(archive=tmp_path / "crowded", database=new_database())
    ingest([pages], crowded)

    link, source_id, row = _seed_permalink(alone)
    other_link, other_id, other_row = _seed_permalink(crowded)
    assert row != other_row
    assert (link, source_id) == (other_link, other_id)
    assert source_id is not None and source_id.startswith(CONTENT_ID_PREFIX)
    assert link == f"/events/{source_id}"

    # Re-ingest keeps it, and so does a record exported from one archive into a third.
    again = ingest([seed_path], alone)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 1)
    with open_settings(crowded) as opened:
        exported = opened.event(other_link.removeprefix("/events/")).document.to_dict()
    third = Settings(archive=tmp_path / "third", database=new_database())
    ingest_documents([Document.from_dict(orjson.loads(orjson.dumps(exported)))], third)
    assert _seed_permalink(third)[:2] == (link, source_id)


def test_the_content_id_follows_source_date_and_title_only(seed_path: Path) -> None:
    seed = parse_bytes(seed_path.read_bytes(), origin="a.txt")
    same = dataclasses.replace(
        seed, origin="b.txt", title="  CSTO   Summit ", place=None, summary="reworded"
    )
    assert document_content_id(same) == document_content_id(seed)
    for changed in (
        dataclasses.replace(seed, title="CSTO summit ends"),
        dataclasses.replace(seed, date=None),
        dataclasses.replace(seed, source="kremlin.ru"),
    ):
        assert document_content_id(changed) != document_content_id(seed)


def test_an_archive_keyed_by_the_old_hash_is_migrated(seed_path: Path, tmp_path: Path) -> None:
    """Archives written before content ids keyed the seed ``hash:...`` with no source id."""
    settings = Settings(archive=tmp_path / "old")
    ingest([seed_path], settings)
    link, source_id, row = _seed_permalink(settings)
    with sqlite3.connect(settings.archive / "stenogram.db") as db:
        db.execute("UPDATE events SET key = 'hash:0123', source_id = NULL")
        (record,) = db.execute("SELECT record FROM revisions").fetchone()
        old = {**orjson.loads(record), "source_id": None}
        db.execute("UPDATE revisions SET record = ?", (orjson.dumps(old).decode(),))
        db.execute("UPDATE alembic_version SET version_num = '0004'")
        # The tables of later migrations, which the upgrade creates again.
        for table in LATER_TABLES:
            db.execute(f"DROP TABLE {table}")

    with pytest.raises(StoreError, match="run `stenogram migrate`"):
        Archive.open(settings.archive)
    assert migrate_archive(settings.archive) == ("0004", migrate.script_head())
    assert _seed_permalink(settings) == (link, source_id, row)
    again = ingest([seed_path], settings)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 1)
