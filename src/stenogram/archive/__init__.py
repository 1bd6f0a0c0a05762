"""The archive: every revision of every event in SQLite (PostgreSQL later), plus its ids.

The web and the CLI use :class:`Archive` only; they never see SQL. The search index is derived
from :meth:`Archive.index_rows` and lives beside the database in ``index/``.
"""

from __future__ import annotations

from .activity import Activity
from .diff import EventDiff, FieldChange, SpeechChange, render_diff
from .records import permalink
from .rows import IndexRow
from .store import (
    Archive,
    ArchiveInfo,
    RevisionInfo,
    SpeechRef,
    StoredEvent,
    StoreResult,
    content_hash,
    event_key,
)

__all__ = [
    "Activity",
    "Archive",
    "ArchiveInfo",
    "EventDiff",
    "FieldChange",
    "IndexRow",
    "RevisionInfo",
    "SpeechChange",
    "SpeechRef",
    "StoreResult",
    "StoredEvent",
    "content_hash",
    "event_key",
    "permalink",
    "render_diff",
]
