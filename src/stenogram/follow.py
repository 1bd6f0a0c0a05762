"""A node's search index follows the archive's change log (:mod:`stenogram.archive.changes`).

Any number of nodes share one database, each with its own index folder. On start a node
applies what is new (:func:`catch_up_index`, run by ``open_archive``); while it serves, a
:class:`Follower` thread in every worker process waits for the database to say something was
committed (LISTEN/NOTIFY on PostgreSQL; ``PRAGMA data_version`` polled on SQLite; either way the
wait ends after :data:`POLL` seconds, so a lost notification only costs that much) and applies
the new changes. tantivy allows one writer per index, so the workers of one node elect one: the
first to take a file lock in the index folder keeps it for its life and does the applying; the
others only see the index's new commits, which every search notices and reloads (see
``search.engine``). When the leader exits, the lock is released and another worker takes over
at its next wake. An ingest that holds the index writer makes the follower's apply fail busy:
that is fine, the ingest indexes what it writes and the next wake applies the rest.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
from pathlib import Path
from typing import Final

from .archive import Archive
from .check import vectors
from .errors import StenogramError
from .search import catch_up, read_seq

#: Seconds a follower waits for a notification before it looks at the log anyway.
POLL: Final = 1.0
#: In the index folder: held by the worker that applies changes to it.
LOCK_FILE: Final = "follow.lock"

_logger = logging.getLogger(__name__)


def index_lag(archive: Archive, index_path: Path) -> tuple[int, float]:
    """How far the index at ``index_path`` is behind the archive: changes not applied yet,
    and the age in seconds of the oldest of them (0, 0.0 when it is current)."""
    lag = archive.change_lag(read_seq(index_path))
    return lag.changes, lag.seconds


def catch_up_index(archive: Archive) -> int:
    """Apply the changes the archive's index has not seen, then those its passage vectors
    have not (a node that keeps them: :mod:`stenogram.check.vectors`); return the index rows
    written."""
    path = archive.index_path
    written = 0
    if not path.exists() or read_seq(path) < archive.max_seq():
        written = catch_up(path, archive)
    vectors.catch_up(archive)
    return written


class Follower:
    """The thread that keeps one process's index current while it serves (module docstring)."""

    def __init__(self, archive: Archive, *, poll: float = POLL) -> None:
        self._archive = archive
        self._poll = poll
        self._stop = threading.Event()
        self._lock: int | None = None
        self._failed: str | None = None
        self._thread = threading.Thread(target=self._run, name="stenogram-follow", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(self._poll + 5)
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    @property
    def leading(self) -> bool:
        """Whether this process is the one applying changes to the node's index."""
        return self._lock is not None

    def _run(self) -> None:
        listener = self._archive.backend.listen()
        try:
            while not self._stop.is_set():
                if self._lead():
                    self._apply()
                listener.wait(self._poll)
        finally:
            listener.close()

    def _lead(self) -> bool:
        if self._lock is None:
            with contextlib.suppress(OSError):
                path = self._archive.index_path / LOCK_FILE
                fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    os.close(fd)
                else:
                    self._lock = fd
        return self._lock is not None

    def _apply(self) -> None:
        try:
            catch_up_index(self._archive)
        except StenogramError as exc:
            if exc.message != self._failed:  # once per reason, not once per wake
                _logger.warning("the search index cannot follow the archive: %s", exc.message)
            self._failed = exc.message
        else:
            self._failed = None
