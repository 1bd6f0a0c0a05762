"""The archive: every revision of every event in SQLite or PostgreSQL, plus its ids.

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
    migrate_archive,
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
    "migrate_archive",
    "permalink",
    "render_diff",
]
