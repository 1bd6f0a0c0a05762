"""PostgreSQL, for server mode: many processes and machines on one archive.

- Reads run in REPEATABLE READ, so one read method sees one snapshot (an event never half
  written), as a SQLite read transaction does.
- Writes run in READ COMMITTED behind a transaction-scoped advisory lock: writers queue one at
  a time, as SQLite's BEGIN IMMEDIATE makes them, so ``seq`` and the (source, key) of a new
  event are decided in commit order. The lock is taken before the first read, so a writer
  always sees what the previous one committed.
- A write commits without waiting for its WAL to reach the disk (``synchronous_commit=off``
  for that transaction): the same promise as SQLite's WAL with ``synchronous=NORMAL``. A
  killed process loses nothing committed; only a crash of the machine can lose the last
  moments of commits, never part of one.
- Ids come from the tables' own sequences, a block per call (``nextval`` over
  ``generate_series``), so an explicit id and a database-assigned one can never collide.
- Bulk rows go in with COPY: one round trip per table and batch instead of one per row.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from select import select as select_fd
from typing import Any, ClassVar

import psycopg
from sqlalchemy import Connection, Engine, Table, create_engine, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError

from ...errors import Unavailable

#: The channel the change log's appends are announced on (LISTEN/NOTIFY).
CHANNEL = "stenogram_changes"
#: Key of the advisory lock every stenogram writer takes ("stenogra" as a number).
WRITE_LOCK = 0x7374656E6F677261


def engine_url(database: str) -> str:
    """``postgresql://…`` with the psycopg 3 driver, whatever scheme was given."""
    url = make_url(database)
    return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


#: Seconds to wait for a replica to accept a connection before it counts as down.
REPLICA_CONNECT_TIMEOUT = 2


def replica_engine(database: str) -> Engine:
    """An engine on a read replica whose connections are checked as they leave the pool, so a
    replica that went away is noticed before a read starts on it (and the read goes elsewhere)
    rather than halfway through one."""
    engine = create_engine(
        engine_url(database), connect_args={"connect_timeout": REPLICA_CONNECT_TIMEOUT}
    )
    event.listen(engine, "checkout", _still_open)
    return engine


def _still_open(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """An idle connection the server has written to was closed by it: a server that stops or
    restarts sends its clients a FATAL message and closes them. Seeing that costs one
    ``select`` (SQLAlchemy's ``pool_pre_ping`` costs a round trip, +1 ms of CPU per event page
    measured); the pool then opens a new connection, which fails if the server is gone."""
    readable, _, _ = select_fd([dbapi_connection.fileno()], [], [], 0)
    if readable:
        raise DisconnectionError("the server closed this connection")


def replay_position(conn: Connection) -> int | None:
    """How far a standby has replayed the primary's WAL (bytes); None if it is no standby."""
    row = conn.execute(
        text("SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn() - '0/0'::pg_lsn")
    ).one()
    return int(row[1]) if row[0] and row[1] is not None else None


def wal_position(conn: Connection) -> int:
    """The primary's current WAL position (bytes)."""
    return int(conn.scalar(text("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")) or 0)


class PostgresBackend:
    name = "postgresql"
    write_options: ClassVar[dict[str, Any]] = {"isolation_level": "READ COMMITTED"}
    read_options: ClassVar[dict[str, Any]] = {"isolation_level": "REPEATABLE READ"}

    def __init__(self, database: str) -> None:
        self.where = make_url(database).render_as_string(hide_password=True)
        self.engine = create_engine(engine_url(database), pool_pre_ping=False)

    def exists(self) -> bool:
        with self.engine.connect() as conn:
            found = conn.scalar(text("SELECT to_regclass('alembic_version') IS NOT NULL"))
            conn.rollback()
        return bool(found)

    def lock_writes(self, conn: Connection) -> None:
        conn.execute(
            select(
                func.pg_advisory_xact_lock(WRITE_LOCK),
                func.set_config("synchronous_commit", "off", True),
            )
        )

    def allocate_ids(self, conn: Connection, table: Table, count: int) -> list[int]:
        if count <= 0:
            return []
        sequence = func.pg_get_serial_sequence(table.name, "id")
        ids: Sequence[Any] = conn.scalars(
            select(func.nextval(sequence)).select_from(func.generate_series(1, count))
        ).all()
        return sorted(int(i) for i in ids)

    def ids_used(self, conn: Connection, table: Table) -> int:
        sequence = conn.scalar(select(func.pg_get_serial_sequence(table.name, "id")))
        found = conn.execute(
            text(f"SELECT last_value, is_called FROM {sequence}")  # a name PostgreSQL gave
        ).one()
        return int(found.last_value) if found.is_called else 0

    def reserve_ids(self, conn: Connection, table: Table, used: int) -> None:
        if used <= self.ids_used(conn, table):
            return
        sequence = func.pg_get_serial_sequence(table.name, "id")
        conn.execute(select(func.setval(sequence, used)))

    def insert_many(self, conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        quote = conn.dialect.identifier_preparer.quote
        columns = ", ".join(quote(name) for name in rows[0])
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            with cursor.copy(f"COPY {quote(table.name)} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(tuple(row.values()))
        finally:
            cursor.close()

    def watch(self) -> NotifiedPosition:
        return NotifiedPosition(self)

    def committed(self) -> None:
        _commits.bump()

    def notify_change(self, conn: Connection, seq: int) -> None:
        conn.execute(select(func.pg_notify(CHANNEL, str(seq))))

    def listen(self) -> Notifications:
        return Notifications(self)

    def size(self, conn: Connection) -> int:
        return int(conn.scalar(select(func.pg_database_size(func.current_database()))) or 0)

    def clock(self, conn: Connection) -> float:
        return float(conn.scalar(select(func.extract("epoch", func.clock_timestamp()))) or 0.0)

    def one_crawler(self) -> AbstractContextManager[bool]:
        return nullcontext(False)  # crawlers share the frontier (stenogram.archive.frontier)


class _Counter:
    """A number only this process moves, under a lock (threads of a worker commit too)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.value = 0

    def bump(self) -> None:
        with self._lock:
            self.value += 1


#: Write transactions this process committed (:meth:`PostgresBackend.committed`).
_commits = _Counter()


class WalPosition:
    """The server's WAL insert position, read on a connection of our own: it moves with every
    commit (of this database or another on the server, which only costs a cache miss). A
    round trip to the server, so only :class:`NotifiedPosition`'s fallback.

    The insert position, not ``pg_current_wal_lsn()`` (the write position): writes commit
    asynchronously (``synchronous_commit=off``), and the write position moves only when the
    WAL writer next flushes, up to ``wal_writer_delay`` later, while the commit is already
    visible: a cached page would be served stale for that long."""

    def __init__(self, backend: PostgresBackend) -> None:
        self._url = _libpq_url(backend)
        self._where = backend.where
        self._conn = psycopg.connect(self._url, autocommit=True)
        self._lock = threading.Lock()

    def current(self) -> int:
        """Raises :class:`Unavailable` while the server is down; the next call after it is back
        connects again, so a restart of the server needs no restart here."""
        with self._lock:
            try:
                if self._conn.closed:
                    self._conn = psycopg.connect(self._url, autocommit=True, connect_timeout=5)
                row: Any = self._conn.execute(
                    "SELECT pg_current_wal_insert_lsn() - '0/0'::pg_lsn"
                ).fetchone()
            except psycopg.Error as exc:
                self._conn.close()
                raise Unavailable(
                    "the database cannot be reached", document=f"{self._where} ({exc})"
                ) from exc
            return int(row[0])

    def close(self) -> None:
        self._conn.close()


class NotifiedPosition:
    """What a response cache keys on, read from memory: a thread LISTENs on the change log's
    channel and counts the notifications, so a request costs no round trip to the server.

    A round trip per request (:class:`WalPosition`) halved a serving node's throughput on
    PostgreSQL: each request waited for the server's process to be scheduled on the cores the
    workers share, cached answers included (docs/benchmarks.md). Every write that changes a page
    appends to the change log, and every append notifies (:meth:`PostgresBackend.notify_change`),
    so counting notifications misses nothing; a notification arrives within milliseconds of its
    commit, and this process's own commits count at once (read-your-writes). While the LISTEN
    connection is down (a restart of the server, a lost network), notifications could be missed:
    then every call asks the server directly, as before, until the thread is listening again.
    """

    #: Seconds between two liveness checks of the listening connection.
    CHECK = 1.0

    def __init__(self, backend: PostgresBackend) -> None:
        self._url = _libpq_url(backend)
        self._direct = WalPosition(backend)
        self._notified = 0
        self._listening = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="stenogram-watch", daemon=True)
        self._thread.start()
        self._listening.wait(self.CHECK)

    def current(self) -> int:
        if not self._listening.is_set():
            return self._direct.current()
        # Negative, so never equal to a WAL position the fallback returned.
        return -1 - (self._notified * 1_000_003 + _commits.value) % (1 << 62)

    def _listen(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(
                    self._url, autocommit=True, connect_timeout=5, **_KEEPALIVES
                ) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._notified += 1  # what was committed before is read afresh
                    self._listening.set()
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=self.CHECK):
                            self._notified += 1
                        conn.execute("SELECT 1")  # a silent server is noticed here
            except psycopg.Error:
                pass
            self._listening.clear()
            self._stop.wait(self.CHECK)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(self.CHECK + 6)
        self._direct.close()


#: A listening connection to a host that vanished is noticed by TCP within about 20 s.
_KEEPALIVES: dict[str, Any] = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 2,
}


def _libpq_url(backend: PostgresBackend) -> str:
    url = backend.engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


class Notifications:
    """LISTEN on the change log's channel, on a connection of our own: a commit anywhere wakes
    the follower within milliseconds. A dropped connection is reopened on the next wait; until
    then the wait times out, so the follower falls back to polling."""

    def __init__(self, backend: PostgresBackend) -> None:
        self._url = _libpq_url(backend)
        self._conn: psycopg.Connection[Any] | None = None

    def _connected(self) -> psycopg.Connection[Any]:
        if self._conn is None or self._conn.closed:
            self._conn = psycopg.connect(self._url, autocommit=True)
            self._conn.execute(f"LISTEN {CHANNEL}")
        return self._conn

    def wait(self, timeout: float) -> None:
        try:
            conn = self._connected()
            for _ in conn.notifies(timeout=timeout, stop_after=1):
                pass
        except psycopg.Error:
            self.close()
            time.sleep(timeout)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
