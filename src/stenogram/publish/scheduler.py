"""The scheduler: publishes scheduled drafts when their time comes, from the serving processes.

Every worker of every node runs one :class:`Scheduler` thread, and one of them leads: when a
draft is due, the leader holds a lease in the archive's ``meta`` table, renewed at each wake and
taken over by another process when it runs out (its holder died). While nothing is due the
threads only read. The lease is only to spare the others the work: a
draft is published by a write transaction that re-checks it is still scheduled under the
archive's write lock, so even two leaders could not publish it twice. The schedule is in the
database, so a restart loses nothing: a draft due while no process ran is published at the next
wake.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from collections.abc import Callable
from typing import Final

from sqlalchemy import insert, select, update

from ..archive import Archive
from ..archive.schema import meta
from ..errors import StenogramError
from .workflow import due_now, publish_due

#: Seconds between two looks at the schedule (a draft appears at most this late).
TICK: Final = 5.0
#: Seconds a lease lasts without renewal.
LEASE: Final = 30.0
_KEY: Final = "scheduler"

_logger = logging.getLogger(__name__)
Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def lead(archive: Archive, owner: str, now: dt.datetime, lease: float = LEASE) -> bool:
    """Take or renew the lease for ``owner``; whether it holds it now."""
    with archive.writing("the scheduler lease") as conn:
        held = conn.scalar(select(meta.c.value).where(meta.c.key == _KEY))
        if held is not None:
            holder, _, until = held.rpartition(" ")
            if holder != owner and float(until) > now.timestamp():
                return False
        value = f"{owner} {now.timestamp() + lease}"
        if held is None:
            conn.execute(insert(meta).values(key=_KEY, value=value))
        else:
            conn.execute(update(meta).where(meta.c.key == _KEY).values(value=value))
        return True


def run_once(archive: Archive, owner: str, now: dt.datetime) -> list[int]:
    """One wake: if anything is due and this process leads, publish it; the draft ids published.
    Nothing is written while nothing is due (the lease too is only taken then)."""
    if not due_now(archive, now) or not lead(archive, owner, now):
        return []
    return publish_due(archive, now)


class Scheduler:
    """The thread of one serving process (see the module docstring)."""

    def __init__(self, archive: Archive, *, clock: Clock = utc_now, tick: float = TICK) -> None:
        self._archive = archive
        self._clock = clock
        self._tick = tick
        self._stop = threading.Event()
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._thread = threading.Thread(target=self._run, name="stenogram-schedule", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(self._tick + 5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                for draft_id in run_once(self._archive, self.owner, self._clock()):
                    _logger.info("published scheduled draft %d", draft_id)
            except StenogramError as exc:
                _logger.warning("the scheduler could not run: %s", exc.message)
            self._stop.wait(self._tick)
