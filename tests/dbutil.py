"""Reading an archive's database with plain SQL in the tests, whichever backend it is on."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from stenogram.ingest import open_settings
from stenogram.settings import Settings


def sql_rows(settings: Settings, sql: str) -> list[tuple[Any, ...]]:
    """The rows of ``sql`` (portable SQL) on the archive of ``settings``, as plain tuples."""
    with open_settings(settings) as archive, archive.reading() as conn:
        return [tuple(row) for row in conn.execute(text(sql))]
