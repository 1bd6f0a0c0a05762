"""SQLite, the embedded default: one file in the archive folder, in WAL mode.

Design choices the rest of the archive relies on:

- real transactions for pysqlite: BEGIN for reads, BEGIN IMMEDIATE for writes. IMMEDIATE takes
  the write lock up front, so two writers queue on ``busy_timeout`` instead of one failing with
  "database is locked" halfway through a document;
- ``synchronous=NORMAL`` in WAL mode: a killed process loses at most the transaction it was
  writing, and readers keep seeing the last committed state;
- ids are handed out by the writer that holds the lock (max + 1, or past ``sqlite_sequence``
  for a table that never reuses ids), which saves RETURNING and per-row processing;
- rows go in with one plain executemany on the driver: SQLAlchemy's per-row processing was the
  largest cost of storing left;
- one crawler at a time (a file lock beside the database): crawlers sharing a frontier would
  queue on the single writer lock for every claim; several crawlers is what PostgreSQL is for.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import Connection, Engine, Table, create_engine, event, func, select, text

from ...errors import StoreError
from ..records import now


class SqliteBackend:
    name = "sqlite"
    write_options: ClassVar[dict[str, Any]] = {"immediate": True}
    read_options: ClassVar[dict[str, Any]] = {}

    def __init__(self, db: Path) -> None:
        self.db = db
        self.where = str(db)
        self.engine = create_engine(f"sqlite:///{db}", connect_args={"timeout": 30.0})
        _transactions(self.engine)

    def exists(self) -> bool:
        return self.db.is_file()

    def lock_writes(self, conn: Connection) -> None:
        """BEGIN IMMEDIATE took the lock already."""

    def allocate_ids(self, conn: Connection, table: Table, count: int) -> list[int]:
        used = self.ids_used(conn, table)
        return list(range(used + 1, used + 1 + count))

    def ids_used(self, conn: Connection, table: Table) -> int:
        used = int(conn.scalar(select(func.max(table.c.id))) or 0)
        if table.dialect_options["sqlite"]["autoincrement"]:
            # Never reused: start after the highest ever handed out, even if deleted since.
            handed = conn.scalar(
                text("SELECT seq FROM sqlite_sequence WHERE name = :name"), {"name": table.name}
            )
            used = max(used, int(handed or 0))
        return used

    def reserve_ids(self, conn: Connection, table: Table, used: int) -> None:
        if not table.dialect_options["sqlite"]["autoincrement"]:
            return  # ids are max + 1: the rows themselves reserve theirs
        params = {"name": table.name, "seq": used}
        update = text("UPDATE sqlite_sequence SET seq = max(seq, :seq) WHERE name = :name")
        if conn.execute(update, params).rowcount == 0:
            conn.execute(
                text("INSERT INTO sqlite_sequence (name, seq) VALUES (:name, :seq)"), params
            )

    def insert_many(self, conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        names = list(rows[0])
        columns = ", ".join(f'"{name}"' for name in names)
        sql = f"INSERT INTO {table.name} ({columns}) VALUES ({', '.join('?' for _ in names)})"
        conn.exec_driver_sql(sql, [tuple(row.values()) for row in rows])

    def watch(self) -> DataVersion:
        return DataVersion(self.db)

    def committed(self) -> None:
        """``data_version`` already moves: the watch reads it on a connection of its own."""

    def notify_change(self, conn: Connection, seq: int) -> None:
        """Listeners poll ``data_version``."""

    def listen(self) -> DataVersionListener:
        return DataVersionListener(self.db)

    def size(self, conn: Connection) -> int:
        files = (self.db, self.db.with_name(self.db.name + "-wal"))
        return sum(path.stat().st_size for path in files if path.is_file())

    def clock(self, conn: Connection) -> float:
        return time.time()  # one machine: its own clock is the database's

    def one_crawler(self) -> AbstractContextManager[bool]:
        return _crawl_lock(self.db)


@contextmanager
def _crawl_lock(db: Path) -> Iterator[bool]:
    """An exclusive lock on a file beside the database, for the whole crawl: the kernel lets it
    go when the process ends, however it ends, so a killed crawler never locks the archive."""
    path = db.with_name(db.name + ".crawl-lock")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "pid unknown"
            raise StoreError(
                f"another crawl ({holder}) holds this archive; on SQLite one crawler at a time "
                "— use PostgreSQL to crawl from several processes",
                document=str(db),
            ) from None
        since = now()
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}, since {since}".encode(), 0)
        yield True
    finally:
        os.close(fd)


class DataVersion:
    """``PRAGMA data_version`` on a connection of our own: it changes whenever any *other*
    connection or process commits, for microseconds a check."""

    def __init__(self, db: Path) -> None:
        self._conn = sqlite3.connect(db, check_same_thread=False, isolation_level=None)

    def current(self) -> int:
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def close(self) -> None:
        self._conn.close()


class DataVersionListener:
    """SQLite has no notifications: ``PRAGMA data_version`` is polled (microseconds a check)."""

    #: Seconds between two checks: well inside the two seconds a second node may lag.
    POLL = 0.05

    def __init__(self, db: Path) -> None:
        self._version = DataVersion(db)
        self._last = self._version.current()

    def wait(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            version = self._version.current()
            if version != self._last:
                self._last = version
                return
            left = deadline - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(self.POLL, left))

    def close(self) -> None:
        self._version.close()


def _transactions(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _connection_record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            "busy_timeout=30000",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
