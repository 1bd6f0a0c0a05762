"""A real PostgreSQL cluster for the tests: ``initdb`` and ``pg_ctl`` in a temporary folder.

PostgreSQL refuses to run as root, so under root (CI, this machine) the cluster belongs to an
unprivileged user made for it. It listens on 127.0.0.1 on a free port, with its socket in its
own folder, and is built for speed, not safety (no fsync: it is thrown away at the end). Every
test gets a database of its own, copied from a template that already has the schema.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg

from stenogram.archive import Archive
from webutil import free_port

USER = "stenogram-test"
TEMPLATE = "stenogram_template"


def binaries() -> Path | None:
    """The folder of Debian's PostgreSQL programs (``postgresql`` package), newest first."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if found:
        return Path(found[0]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _as_user() -> list[str]:
    """The prefix that runs a program as the cluster's owner (nothing unless we are root)."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", USER],
            check=True,
        )
    return ["runuser", "-u", USER, "--"]


class Cluster:
    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir
        self.folder = Path(tempfile.mkdtemp(prefix="stenogram-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self._count = 0
        self._prefix = _as_user()
        if self._prefix:
            user = pwd.getpwnam(USER)
            os.chown(self.folder, user.pw_uid, user.pw_gid)

    def _run(self, program: str, *args: str) -> None:
        subprocess.run(
            [*self._prefix, str(self.bin / program), *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            cwd=self.folder,
        )

    def start(self, *, durable: bool = False) -> None:
        """``durable``: PostgreSQL's own defaults for the disk (fsync, full page writes,
        synchronous commit) rather than a throwaway test cluster's, for benchmarks."""
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
            "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} "
            f"-c unix_socket_directories={self.folder} -c max_connections=200"
        )
        if not durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(
            "pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"),
            "-w", "start",
        )  # fmt: skip
        self._admin(f"CREATE DATABASE {TEMPLATE}")
        scratch = Path(tempfile.mkdtemp(prefix="stenogram-pg-template-"))
        Archive.open(scratch, database=self.url(TEMPLATE)).close()
        shutil.rmtree(scratch)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, name: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def _admin(self, sql: str) -> None:
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def fresh(self) -> str:
        """A new database with the archive's schema, for one test."""
        self._count += 1
        name = f"t{self._count}"
        self._admin(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
        return self.url(name)


def empty_database(url: str, name: str) -> str:
    """A new database without any tables, on the server of ``url``."""
    server = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")  # type: ignore[arg-type]
    return f"{server}/{name}"
