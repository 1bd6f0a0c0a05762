"""Admin writes over HTTP: ingest one document, merge or split people.

Two doors lead here: the admin API (``/api/admin``, with ``STENOGRAM_ADMIN_TOKEN``; see
:mod:`.api`) and the admin pages of a logged-in admin (:mod:`.adminpages`). Both go through the
same library functions as ``stenogram ingest`` and ``stenogram persons merge``/``split``, so the
web adds no second way of writing to the archive, and each write leaves a line in the audit log
naming who made it.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..accounts import User, record_audit
from ..accounts.audit import Via
from ..archive import Archive
from ..errors import StenogramError
from ..ingest import ingest, merge_persons, split_person
from ..queries import person_record
from ..settings import Settings

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class Author:
    """Who makes a write, for its line in the audit log."""

    archive: Archive
    user: User | None
    via: Via

    def record(self, action: str, target: str, detail: str = "") -> None:
        record_audit(self.archive, self.user, action, target, detail, via=self.via)


def ingest_bytes(settings: Settings, body: bytes, name: str, author: Author) -> dict[str, Any]:
    """Ingest ``body`` as a document called ``name`` (its suffix helps format detection)."""
    safe = _UNSAFE.sub("_", Path(name).name).lstrip(".") or "upload"
    with tempfile.TemporaryDirectory(prefix="stenogram-upload-") as folder:
        path = Path(folder) / safe
        path.write_bytes(body)
        summary = ingest([path], settings)
    if summary.failed:
        reason = summary.failures[0][1] if summary.failures else "the document was refused"
        raise _Refused(reason, document=safe)
    counts = {
        "new": summary.new,
        "updated": summary.updated,
        "unchanged": summary.unchanged,
        "failed": summary.failed,
    }
    author.record("ingest", safe, ", ".join(f"{k} {v}" for k, v in counts.items() if v))
    return counts


def merge(settings: Settings, into: str, other: str, author: Author) -> dict[str, Any]:
    person = merge_persons(settings, into, other, by=author.user, via=author.via)
    return {"person": person_record(person)}


def split(
    settings: Settings, person_id: str, names: Sequence[str], author: Author
) -> dict[str, Any]:
    person = split_person(settings, person_id, names, by=author.user, via=author.via)
    return {"person": person_record(person)}


class _Refused(StenogramError):
    """A document that ``ingest`` refused: the request is what is wrong, hence 400."""

    http_status = 400
    code = "parse"


class TooLarge(StenogramError):
    """A body larger than ``max_document_bytes``: refused while it streams in."""

    http_status = 413
    code = "too_large"
