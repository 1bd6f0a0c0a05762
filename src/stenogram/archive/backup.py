"""A backup of a whole archive that restores without loss (``export --format archive`` and
``stenogram import``).

A backup is a folder that is itself a SQLite archive (``stenogram.db`` plus the raw bodies under
``raw/``, each named by its SHA-256) and a ``manifest.json`` with the row count and content
hash of every table (:mod:`.copy` computes them the same way on both backends). So a backup is
made and restored by the same verified, all-or-nothing table copy that moves an archive between
backends, and can be opened, searched or served as it is.

It is written under a temporary name beside its destination and renamed when complete, so a
folder under the real name is always a whole backup. Restoring checks the backup before writing
anything: the manifest, every raw body against its name, and every table against the manifest,
so a corrupt or truncated backup is refused with the file and the reason; the database rows are
then written in one transaction (raw bodies are content-addressed files, harmless if a restore
stops after copying some of them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import orjson

from .. import __version__
from ..errors import StoreError
from .copy import CopyReport, copy_archive, table_summaries
from .files import RAW_DIR
from .store import DB_NAME, INDEX_DIR, Archive

MANIFEST: Final = "manifest.json"
#: The layout of a backup folder: a later layout bumps it; restoring refuses what it cannot read.
FORMAT: Final = "stenogram-backup/1"


@dataclass(frozen=True, slots=True)
class BackupReport:
    path: Path
    copy: CopyReport

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), **self.copy.to_dict()}


def write_backup(source: Archive, out: Path) -> BackupReport:
    """Back ``source`` up into the new folder ``out``."""
    if out.exists() and any(out.iterdir()):
        raise StoreError("the backup folder exists and is not empty", document=str(out))
    staging = out.with_name(f".{out.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        with Archive.open(staging, create=True) as target:
            report = copy_archive(source, target)
        shutil.rmtree(staging / INDEX_DIR, ignore_errors=True)  # derived: rebuilt on restore
        manifest = {
            "format": FORMAT,
            "stenogram": __version__,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "source": source.backend.where,
            **report.to_dict(),
        }
        (staging / MANIFEST).write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
        if out.exists():
            out.rmdir()
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return BackupReport(out, report)


def restore_backup(backup: Path, target: Archive) -> BackupReport:
    """Restore the backup folder ``backup`` into ``target``, which must hold nothing yet."""
    manifest = _manifest(backup)
    _check_raw(backup, int(manifest.get("raw_bodies", 0)))
    database = backup / DB_NAME
    if not database.is_file():
        raise StoreError("the backup has no database file (truncated?)", document=str(database))
    try:
        source = Archive.open(backup, create=False, index=backup / INDEX_DIR)
    except StoreError as exc:
        raise StoreError(
            f"the backup's database cannot be read: {exc.reason}", document=str(database)
        ) from exc
    with source:
        _check_tables(source, manifest, database)
        report = copy_archive(source, target)
    shutil.rmtree(backup / INDEX_DIR, ignore_errors=True)  # opening it may have built one
    return BackupReport(backup, report)


def _manifest(backup: Path) -> dict[str, Any]:
    path = backup / MANIFEST
    try:
        manifest = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        raise StoreError("not a stenogram backup: no manifest.json", document=str(backup)) from None
    except orjson.JSONDecodeError as exc:
        raise StoreError(f"the manifest is not valid JSON ({exc})", document=str(path)) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise StoreError(
            f"unknown backup format {found!r} (this stenogram reads {FORMAT})", document=str(path)
        )
    return manifest


def _check_raw(backup: Path, expected: int) -> None:
    """Every raw body still hashes to its name, and none is missing."""
    count = 0
    for body in sorted((backup / RAW_DIR).rglob("*")):
        if not body.is_file():
            continue
        count += 1
        name = body.parent.name + body.name
        with body.open("rb") as fh:
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
        if digest != name:
            raise StoreError("a raw body does not match its hash (corrupt)", document=str(body))
    if count != expected:
        raise StoreError(
            f"the backup holds {count} raw bodies, its manifest says {expected} (truncated?)",
            document=str(backup / RAW_DIR),
        )


def _check_tables(source: Archive, manifest: dict[str, Any], database: Path) -> None:
    wanted = manifest.get("tables") or {}
    for found in table_summaries(source):
        expected = wanted.get(found.name) or {}
        if (found.rows, found.digest) != (expected.get("rows"), expected.get("sha256")):
            raise StoreError(
                f"table {found.name} holds {found.rows} rows ({found.digest[:12]}), the manifest "
                f"says {expected.get('rows')} ({str(expected.get('sha256'))[:12]}): the backup "
                "was changed or is damaged; nothing was restored",
                document=str(database),
            )
