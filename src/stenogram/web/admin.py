"""Admin writes over HTTP: ingest one document, merge two people.

Mounted only when ``STENOGRAM_ADMIN_TOKEN`` is set (see :mod:`.api`). Both go through the same
library functions as ``stenogram ingest`` and ``stenogram persons merge``, so the web adds no
second way of writing to the archive.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from ..errors import StenogramError
from ..ingest import ingest, merge_persons
from ..queries import person_record
from ..settings import Settings

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def ingest_bytes(settings: Settings, body: bytes, name: str) -> dict[str, Any]:
    """Ingest ``body`` as a document called ``name`` (its suffix helps format detection)."""
    safe = _UNSAFE.sub("_", Path(name).name).lstrip(".") or "upload"
    with tempfile.TemporaryDirectory(prefix="stenogram-upload-") as folder:
        path = Path(folder) / safe
        path.write_bytes(body)
        summary = ingest([path], settings)
    if summary.failed:
        reason = summary.failures[0][1] if summary.failures else "the document was refused"
        raise _Refused(reason, document=safe)
    return {
        "new": summary.new,
        "updated": summary.updated,
        "unchanged": summary.unchanged,
        "failed": summary.failed,
    }


def merge(settings: Settings, into: str, other: str) -> dict[str, Any]:
    return {"person": person_record(merge_persons(settings, into, other))}


class _Refused(StenogramError):
    """A document that ``ingest`` refused: the request is what is wrong, hence 400."""

    http_status = 400
    code = "parse"


class TooLarge(StenogramError):
    """A body larger than ``max_document_bytes``: refused while it streams in."""

    http_status = 413
    code = "too_large"
