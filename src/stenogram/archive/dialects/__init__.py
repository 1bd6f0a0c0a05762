"""What differs between the archive's database backends, behind one small interface.

Everything else in :mod:`stenogram.archive` is SQLAlchemy Core compiled per dialect; what
cannot be said portably lives in one module per backend: how an engine is set up and its
transactions begin, how blocks of ids are handed out, how many rows go in at once, how another
process's commit is noticed, how big the database is, what time it is, and whether several
crawlers may share it. ``--database`` (setting
``STENOGRAM_DATABASE``) picks the backend: a ``postgresql://`` URL, else SQLite in the archive
folder.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, ClassVar, Protocol

from sqlalchemy import Connection, Engine, Table

from ...errors import StoreError


class ChangeWatch(Protocol):
    """A number that changes whenever anyone commits to the database (what a response cache
    keys on). Cheap: it is read on every request."""

    def current(self) -> int: ...

    def close(self) -> None: ...


class ChangeListener(Protocol):
    """Wakes a follower of the change log when another process may have appended to it."""

    def wait(self, timeout: float) -> None:
        """Return when a change may have been committed, or after ``timeout`` seconds."""
        ...

    def close(self) -> None: ...


class Backend(Protocol):
    #: The dialect name SQLAlchemy uses ("sqlite", "postgresql").
    name: str
    #: Where the database is, for messages (a path, or a URL without its password).
    where: str
    engine: Engine
    #: Execution options of a connection that writes (and of one that reads).
    write_options: ClassVar[dict[str, Any]]
    read_options: ClassVar[dict[str, Any]]

    def exists(self) -> bool:
        """Whether an archive database is there already (``create=False`` needs one)."""
        ...

    def lock_writes(self, conn: Connection) -> None:
        """Called first in every write transaction: writers queue here, one at a time, so the
        ``seq`` counter and the id blocks are handed out in commit order."""
        ...

    def allocate_ids(self, conn: Connection, table: Table, count: int) -> list[int]:
        """``count`` new ids for ``table`` that no row had or will have; the caller inserts them
        before it asks again for the same table."""
        ...

    def ids_used(self, conn: Connection, table: Table) -> int:
        """The highest id ``table`` ever handed out (a deleted row's id is never reused)."""
        ...

    def reserve_ids(self, conn: Connection, table: Table, used: int) -> None:
        """Make sure ids up to ``used`` are never handed out (after rows came with their ids,
        as a copy brings them)."""
        ...

    def insert_many(self, conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
        """Insert rows that all have the same keys in the same order, as fast as the backend
        can take them."""
        ...

    def watch(self) -> ChangeWatch: ...

    def committed(self) -> None:
        """After a write transaction of this process committed: its own watches move at once,
        without waiting for the notification to come back (read-your-writes)."""
        ...

    def notify_change(self, conn: Connection, seq: int) -> None:
        """Inside a write transaction that appended to the change log: tell listeners at
        commit (a no-op where listeners poll)."""
        ...

    def listen(self) -> ChangeListener: ...

    def clock(self, conn: Connection) -> float:
        """Seconds since the epoch by the database's clock: leases and per-host delays are
        kept by it, so crawlers on machines whose clocks disagree still agree on them."""
        ...

    def one_crawler(self) -> AbstractContextManager[bool]:
        """Held for a whole crawl; refuses (:class:`StoreError`) where the backend allows only
        one crawler at a time and another holds the archive. True: this crawler is alone, so
        any lease in the frontier is a dead crawler's."""
        ...

    def size(self, conn: Connection) -> int:
        """Bytes the database takes (a SQLite database: its file and write-ahead log)."""
        ...


def open_backend(folder: Path, database: str | None, *, db_name: str) -> Backend:
    """The backend of ``database`` (a URL), or SQLite's file ``db_name`` in ``folder``."""
    if database and database.split(":", 1)[0].split("+", 1)[0] in {"postgresql", "postgres"}:
        from .postgresql import PostgresBackend

        return PostgresBackend(database)
    if database and "://" in database and not database.startswith("sqlite"):
        raise StoreError(
            "unknown database URL: use postgresql://… or an archive folder", document=database
        )
    from .sqlite import SqliteBackend

    if database and database.startswith("sqlite:///"):
        return SqliteBackend(Path(database.removeprefix("sqlite:///")))
    return SqliteBackend(Path(database) / db_name if database else folder / db_name)
