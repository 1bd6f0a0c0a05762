"""Read replicas: hot standbys of a PostgreSQL archive that the read methods may use instead of
the primary.

Each replica is checked every ``check_seconds`` on a thread of its own (never on a request):
reachable, still a standby, and how far behind. The lag is *time*, measured from the primary's
WAL position as it was seen at each check: a replica is as many seconds behind as have passed
since the primary was first seen at a position the replica has not replayed yet. (Replay
timestamps would call a replica of an idle primary "an hour behind", and bytes say nothing to
an operator.) A replica that is down or lagging past ``max_lag`` is skipped, with one warning
when it goes and one when it is back; a connection that fails on a request marks it down at
once, until the next check finds it well.

Writes never come here: the archive's write transactions and anything read with
``primary=True`` use the primary's engine (see :meth:`Archive.reading`).
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from ..errors import ConfigError

log = logging.getLogger("stenogram.replicas")

#: The primary's WAL positions kept to measure lag with (one per check that saw it move).
MAX_SAMPLES: Final = 10_000


@dataclass(frozen=True, slots=True)
class ReplicaPolicy:
    """Which replicas to read from, and when to stop (the ``read_replicas`` settings)."""

    urls: tuple[str, ...]
    max_lag: float = 30.0
    check_seconds: float = 2.0


@dataclass(frozen=True, slots=True)
class ReplicaState:
    """What the last check found: ``ok``, ``lagging`` or ``down``, and why."""

    where: str
    state: str
    lag: float | None
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"replica": self.where, "state": self.state, "lag": self.lag, "reason": self.reason}


class Replica:
    def __init__(self, url: str) -> None:
        from .dialects.postgresql import replica_engine

        self.where = make_url(url).render_as_string(hide_password=True)
        self.engine = replica_engine(url)
        self.state = ReplicaState(self.where, "unchecked", None)
        self.replayed: int | None = None


class ReplicaSet:
    """The replicas of one archive: :meth:`pick` one to read from (None: use the primary)."""

    def __init__(self, primary: Engine, policy: ReplicaPolicy) -> None:
        if primary.dialect.name != "postgresql":
            raise ConfigError(
                "read replicas need a PostgreSQL database (--database postgresql://…)"
            )
        self.policy = policy
        self._primary = primary
        self.replicas = tuple(Replica(url) for url in policy.urls)
        self._usable: tuple[Replica, ...] = ()
        self._turn = itertools.count()
        self._samples: deque[tuple[float, int]] = deque(maxlen=MAX_SAMPLES)
        #: Changes whenever a replica moves on or comes and goes (the response cache keys on it).
        self.version = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.check()
        self._thread = threading.Thread(target=self._watch, name="stenogram-replicas", daemon=True)
        self._thread.start()

    def pick(self) -> Replica | None:
        """The next usable replica in turn."""
        usable = self._usable
        return usable[next(self._turn) % len(usable)] if usable else None

    def failed(self, replica: Replica, exc: Exception) -> None:
        """A request could not use ``replica``: skip it until a check finds it well again."""
        with self._lock:
            self._set(replica, ReplicaState(replica.where, "down", None, _reason(exc)))

    def states(self) -> tuple[ReplicaState, ...]:
        return tuple(replica.state for replica in self.replicas)

    def check(self) -> None:
        """Look at every replica once (the primary first, for its WAL position)."""
        from .dialects.postgresql import replay_position, wal_position

        now = time.monotonic()
        try:
            with self._primary.connect() as conn:
                position = wal_position(conn)
                conn.rollback()
            if not self._samples or self._samples[-1][1] != position:
                self._samples.append((now, position))
        except SQLAlchemyError:
            pass  # the primary is down: judge the replicas by the positions seen before
        for replica in self.replicas:
            try:
                with replica.engine.connect() as conn:
                    replayed = replay_position(conn)
                    conn.rollback()
            except SQLAlchemyError as exc:
                found = ReplicaState(replica.where, "down", None, _reason(exc))
            else:
                found = self._judge(replica, replayed, now)
            with self._lock:
                self._set(replica, found)
        self._forget_reached()

    def _judge(self, replica: Replica, replayed: int | None, now: float) -> ReplicaState:
        if replayed is None:
            return ReplicaState(replica.where, "down", None, "not a standby (promoted?)")
        if replayed != replica.replayed:
            replica.replayed = replayed
            self.version += 1
        behind = next((seen for seen, position in self._samples if position > replayed), now)
        lag = round(now - behind, 3)
        if lag > self.policy.max_lag:
            return ReplicaState(
                replica.where, "lagging", lag, f"more than {self.policy.max_lag:g} s behind"
            )
        return ReplicaState(replica.where, "ok", lag)

    def _set(self, replica: Replica, found: ReplicaState) -> None:
        """Record a replica's state (under the lock), with one log line per change of state."""
        before = replica.state.state
        replica.state = found
        if found.state != before:
            self.version += 1
            if found.state == "ok":
                if before != "unchecked":
                    log.warning("read replica %s is back: reads go to it again", replica.where)
            else:
                log.warning(
                    "read replica %s is %s (%s): reads go to the primary or another replica",
                    replica.where,
                    found.state,
                    found.reason,
                )
        self._usable = tuple(r for r in self.replicas if r.state.state == "ok")

    def _forget_reached(self) -> None:
        """Drop the positions every replica has replayed (the newest one always stays)."""
        reached = min((r.replayed or 0 for r in self.replicas), default=0)
        while len(self._samples) > 1 and self._samples[0][1] <= reached:
            self._samples.popleft()

    def _watch(self) -> None:
        while not self._stop.wait(self.policy.check_seconds):
            try:
                self.check()
            except Exception:  # a check must never end the checking
                log.exception("checking the read replicas failed")

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        for replica in self.replicas:
            replica.engine.dispose()


def _reason(exc: Exception) -> str:
    orig = getattr(exc, "orig", None) or exc
    return " ".join(str(orig).split())[:200]
