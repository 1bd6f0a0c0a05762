"""Moving a whole archive between backends (``stenogram copy --from SRC --to DST``).

Every table goes across row for row with its ids (so permalinks and speech ids stay what they
were), and the id counters are carried too: an id the source ever handed out is never handed
out again by the destination. The destination's rows are written in ONE transaction, checked
inside it against the source (row count and a content hash per table) and committed only if
every table agrees: an interrupted or failed copy leaves the destination as it was, and running
it again starts over. Raw bodies (files named by their hash) are copied first, each written
under a temporary name and renamed (:mod:`.files`), so a second run skips those already there.
The search index is not copied: it is derived, and the destination builds its own when first
opened.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, Integer, Table, func, select

from ..errors import StoreError
from .files import RAW_DIR, write_atomically
from .schema import metadata
from .store import Archive

#: Rows read and written at a time: bounded memory, whatever the archive's size.
CHUNK = 2000


@dataclass(frozen=True, slots=True)
class TableCopy:
    name: str
    rows: int
    #: Order-free hash of the table's content (the same on both backends for the same rows).
    digest: str


@dataclass(frozen=True, slots=True)
class CopyReport:
    tables: tuple[TableCopy, ...]
    raw_bodies: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "tables": {t.name: {"rows": t.rows, "sha256": t.digest} for t in self.tables},
            "raw_bodies": self.raw_bodies,
        }


def copy_between(source: str, target: str, folder: Path) -> CopyReport:
    """``stenogram copy``: ``source`` and ``target`` are each an archive folder (SQLite) or a
    ``postgresql://`` URL, whose raw bodies and index are in ``folder``."""
    with _open(source, folder, create=False) as src, _open(target, folder, create=True) as dst:
        return copy_archive(src, dst)


def _open(where: str, folder: Path, *, create: bool) -> Archive:
    if "://" in where:
        return Archive.open(folder, database=where, create=create)
    return Archive.open(Path(where), create=create)


def copy_archive(source: Archive, target: Archive) -> CopyReport:
    """Copy everything of ``source`` into ``target``, which must hold nothing yet."""
    if source.backend.where == target.backend.where:
        raise StoreError("the source and the destination are the same database")
    raw = _copy_raw(source.path, target.path)
    with source.reading() as src, target.writing("copy") as dst:
        _check_empty(dst, target)
        for table in metadata.sorted_tables:
            for rows in _chunks(src, table):
                target.backend.insert_many(dst, table, rows)
            if _has_id(table):
                target.backend.reserve_ids(dst, table, source.backend.ids_used(src, table))
        report = []
        for table in metadata.sorted_tables:
            made, wanted = _summary(dst, table), _summary(src, table)
            if made != wanted:
                raise StoreError(
                    f"table {table.name}: copied {made.rows} rows ({made.digest[:12]}), "
                    f"the source has {wanted.rows} ({wanted.digest[:12]}); nothing was kept",
                    document=target.backend.where,
                )
            report.append(made)
    return CopyReport(tuple(report), raw)


def table_summaries(archive: Archive) -> list[TableCopy]:
    """Rows and content hash of every table, as a copy verifies them (a backup's manifest)."""
    with archive.reading() as conn:
        return [_summary(conn, table) for table in metadata.sorted_tables]


def _has_id(table: Table) -> bool:
    column = table.c.get("id")
    return column is not None and column.primary_key and isinstance(column.type, Integer)


def _check_empty(conn: Connection, target: Archive) -> None:
    for table in metadata.sorted_tables:
        if conn.scalar(select(func.count()).select_from(table)):
            raise StoreError(
                f"the destination already holds data (table {table.name}): copy only into "
                "a new archive",
                document=target.backend.where,
            )


def _chunks(conn: Connection, table: Table) -> Iterator[list[dict[str, Any]]]:
    """The table's rows, a chunk at a time, as plain values every bulk insert takes."""
    result = conn.execution_options(stream_results=True, yield_per=CHUNK).execute(
        select(table).order_by(*table.primary_key.columns)
    )
    names = list(result.keys())
    for part in result.partitions(CHUNK):
        yield [dict(zip(names, map(_plain, row), strict=True)) for row in part]


def _plain(value: Any) -> Any:
    """A date as ISO text, which both backends' bulk inserts take for a Date column."""
    return value.isoformat() if isinstance(value, dt.date) else value


def _summary(conn: Connection, table: Table) -> TableCopy:
    """Rows and an order-free digest: the sum of each row's SHA-256 (collations differ between
    backends, so the rows are not compared in an ORDER BY order)."""
    total, count = 0, 0
    for rows in _chunks(conn, table):
        for row in rows:
            line = orjson.dumps(sorted(row.items()), default=str)
            total += int.from_bytes(hashlib.sha256(line).digest(), "big")
            count += 1
    return TableCopy(str(table.name), count, f"{total % (1 << 256):064x}")


def _copy_raw(source: Path, target: Path) -> int:
    """Copy the raw bodies the destination lacks; return how many the source has."""
    if source.resolve() == target.resolve():
        return sum(1 for p in (source / RAW_DIR).rglob("*") if p.is_file())
    count = 0
    for body in sorted((source / RAW_DIR).rglob("*")):
        if not body.is_file() or body.name.startswith(".tmp-"):
            continue
        count += 1
        dest = target / body.relative_to(source)
        if dest.exists():
            continue
        try:
            write_atomically(dest, body.read_bytes())
        except OSError as exc:
            raise StoreError(f"cannot copy a raw body: {exc}", document=str(dest)) from exc
    return count
