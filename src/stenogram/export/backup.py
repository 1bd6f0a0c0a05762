"""``--format archive``: a lossless backup of the whole archive, which ``stenogram import``
restores (the folder's layout and its checks are :mod:`stenogram.archive.backup`'s)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..archive.backup import MANIFEST, write_backup
from ..errors import QueryError
from .formats import Written, folder, register
from .records import Corpus


@dataclass(frozen=True, slots=True)
class ArchiveBackup:
    name: str = "archive"
    media_type: str = "application/octet-stream"
    suffix: str = ""
    folder: bool = True
    description: str = (
        "a lossless backup of the whole archive (every revision, person, override, "
        "translation and raw body); `stenogram import DIR` restores it"
    )

    def write(self, corpus: Corpus, out: BinaryIO | Path) -> Written:
        if corpus.selection.query is not None or corpus.selection.event is not None:
            raise QueryError("a backup is of the whole archive: leave out --query and --event")
        if corpus.archive is None:
            raise QueryError("a backup needs the archive itself, not only its records")
        path = folder(out, self.name)
        report = write_backup(corpus.archive, path).copy
        rows = {t.name: t.rows for t in report.tables}
        return Written(rows["events"], rows["speeches"], (MANIFEST,))


register(ArchiveBackup())
