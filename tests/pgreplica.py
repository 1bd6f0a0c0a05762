"""A real hot standby of a test cluster (:mod:`pgcluster`): ``pg_basebackup -R`` from the
primary, started on a port of its own, streaming the primary's WAL as a production replica does.

The primary needs nothing special: PostgreSQL 15's defaults (``wal_level=replica``, ten WAL
senders) and initdb's ``pg_hba.conf`` (replication from 127.0.0.1, trust) allow it. The copy is
made as the cluster's own unprivileged user, like every other program of the cluster.
"""

from __future__ import annotations

import os
import pwd
import shlex
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from pgcluster import USER, Cluster
from webutil import free_port


class Replica:
    """A standby of ``primary``: :meth:`start` copies and starts it, :meth:`stop` ends it for
    good, :meth:`pause` and :meth:`resume` stop and start it again (a replica that went down)."""

    def __init__(self, primary: Cluster) -> None:
        self.primary = primary
        self.folder = Path(tempfile.mkdtemp(prefix="stenogram-pg-replica-"))
        self.data = self.folder / "data"
        self.port = free_port()
        if primary._prefix:
            user = pwd.getpwnam(USER)
            os.chown(self.folder, user.pw_uid, user.pw_gid)

    def start(self) -> None:
        self.primary._run(
            "pg_basebackup", "-R", "-D", str(self.data), "-h", "127.0.0.1",
            "-p", str(self.primary.port), "-U", "postgres", "-X", "stream", "--no-sync",
            "--checkpoint=fast",
        )  # fmt: skip
        self.resume()

    def resume(self) -> None:
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} "
            f"-c unix_socket_directories={self.folder} -c hot_standby=on "
            "-c wal_receiver_status_interval=1 -c max_connections=200"
        )
        self.primary._run(
            "pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"),
            "-w", "start",
        )  # fmt: skip
        self.wait_readable()

    def wait_readable(self, timeout: float = 30.0) -> None:
        """Until the standby accepts read-only connections (it replays the backup's WAL first)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                with psycopg.connect(self.url("postgres"), connect_timeout=2) as conn:
                    row = conn.execute("SELECT pg_is_in_recovery()").fetchone()
                    assert row is not None and row[0], "the copy is not a standby"
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def pause(self) -> None:
        self.primary._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self.primary._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, name: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def has(self, name: str, sql: str, timeout: float = 30.0) -> None:
        """Wait until ``sql`` returns a true first column on the standby's database ``name``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with psycopg.connect(self.url(name), connect_timeout=2) as conn:
                    row = conn.execute(sql).fetchone()  # type: ignore[arg-type]
                    if row is not None and row[0]:
                        return
            except psycopg.OperationalError:
                pass  # the database itself is not replayed yet
            time.sleep(0.1)
        raise AssertionError(f"the replica never had: {sql}")


@contextmanager
def outage(cluster: Cluster) -> Iterator[None]:
    """The cluster stopped for the ``with`` block, then started again as it was (its options
    are in ``postmaster.opts``)."""
    words = shlex.split((cluster.data / "postmaster.opts").read_text())
    options = shlex.join(words[words.index(str(cluster.data)) + 1 :])
    cluster._run("pg_ctl", "-D", str(cluster.data), "-m", "fast", "-w", "stop")
    try:
        yield
    finally:
        cluster._run(
            "pg_ctl", "-D", str(cluster.data), "-o", options, "-l", str(cluster.folder / "log"),
            "-w", "start",
        )  # fmt: skip
