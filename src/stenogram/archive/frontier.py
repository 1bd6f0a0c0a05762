"""The crawl frontier: what the current crawl of a source still has to fetch, kept in the
database and shared by every ``stenogram crawl`` process of that source.

How it works, and why:

- A crawl is a *round* over one window (``--since``/``--until``), recorded in ``crawl_state``.
  The first crawler starts it: the source's frontier is emptied and the start pages queued. A
  crawler that comes while the round is unfinished (others are at work, or the last crawler was
  stopped) joins it; once a round is finished the next crawler starts a fresh one. A crawler
  with another window is refused while the round has live claims, rather than pull the
  frontier from under them.
- Listing pages and items are rows, unique per source and URL: reading a listing queues its
  items and its next page once, so the crawlers of a round never fetch a URL twice. Items are
  taken before listings, oldest row first: one listing page, its items, then the next page, as
  a single crawler always walked.
- A claim is a lease (an owner and an expiry), taken with ``SELECT … FOR UPDATE SKIP LOCKED``
  on PostgreSQL so that two crawlers neither take nor wait for the same row (SQLite has one
  writer and, by :meth:`Backend.one_crawler`, one crawler). Every claim renews the crawler's
  other leases; a killed crawler stops renewing, and its rows are claimed again once the lease
  runs out. A row claimed :data:`MAX_ATTEMPTS` times without finishing is given up, so a page
  that kills crawlers cannot kill them all.
- An item stays leased until the document it gave is stored (the ingest's commit), not merely
  fetched: the unstored documents of a killed crawler are taken up by another, which reads the
  bodies from the raw store instead of asking the publisher again.
- The per-host delay is a turn, taken in a transaction that holds the host's row for the
  whole request: wait until the delay has passed since the last request to the host ended, send,
  note when the answer ended. The next crawler's turn cannot begin before, so the delay holds
  as the host sees it, whatever each crawler's scheduling, network or clock. Every request goes
  through it (robots.txt, redirect hops, retries). Times are the database's clock
  (:meth:`Backend.clock`).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import socket
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import orjson
from sqlalchemy import Connection, case, delete, func, insert, select, text, update

from ..errors import StoreError
from .schema import crawl_state, frontier, frontier_hosts
from .store import Archive

QUEUED, LEASED, DONE, FAILED = "queued", "leased", "done", "failed"
ITEM, LISTING = "item", "listing"
#: Claims of one row by crawlers that never finished it, after which it is given up.
MAX_ATTEMPTS = 3
#: Longest wait between two looks at a frontier that other crawlers hold.
IDLE_POLL = 0.5

_ADD = text(
    "INSERT INTO frontier (source, url, kind, listed_date, state, attempts) "
    "VALUES (:source, :url, :kind, :listed_date, 'queued', 0) "
    "ON CONFLICT (source, url) DO NOTHING"
)
_ADD_HOST = text(
    "INSERT INTO frontier_hosts (host, last_request_at, crawl_delay) "
    "VALUES (:host, 0, :delay) ON CONFLICT (host) DO NOTHING"
)


def now() -> str:
    """A UTC timestamp to the microsecond, as text that sorts in time order (the raw store's
    fetch times are compared with a round's start)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True, slots=True)
class Claim:
    """A frontier row leased to this crawler."""

    id: int
    url: str
    kind: str
    date: dt.date | None
    attempts: int


@dataclass(frozen=True, slots=True)
class Round:
    """The crawl a crawler takes part in: when it started, and whether it was joined (resumed)
    rather than started, with the first page still to claim."""

    started: str
    resumed: bool
    next_url: str | None = None


class Frontier:
    """One crawler's view of one source's frontier; use as a context manager (its leases are
    given back on the way out, however the crawl ends short of a SIGKILL)."""

    def __init__(self, archive: Archive, source: str, lease: float) -> None:
        self.archive = archive
        self.source = source
        self.lease = lease
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"[:200]

    def __enter__(self) -> Frontier:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with self._writing("release") as conn:
            conn.execute(self._release(self._mine()))

    # --- the round ------------------------------------------------------------------------

    def begin(
        self, window: Mapping[str, str | None], starts: Sequence[str], *, alone: bool = False
    ) -> Round:
        """Join the unfinished round over ``window``, or start a fresh one at ``starts``.
        ``alone``: no other crawler can be at work (SQLite), so leases left are a killed
        crawler's, and go back to the queue now rather than when they run out."""
        with self.archive.writing(f"crawl of {self.source}") as conn:
            if alone:
                conn.execute(
                    _close(None)
                    .where(frontier.c.source == self.source, frontier.c.state == LEASED)
                    .values(state=QUEUED, last_status="its crawler ended without settling it")
                )
            state = _state(conn, self.source)
            if state is not None and not state.get("done"):
                if all(state.get(key) == value for key, value in window.items()):
                    return Round(state["started"], True, self._next_url(conn))
                if self._live_leases(conn):
                    raise StoreError(
                        f"another crawl over another window ({_window(state)}) is running: "
                        "wait for it to end, or crawl the same window",
                        document=self.source,
                    )
            started = now()
            conn.execute(delete(frontier).where(frontier.c.source == self.source))
            self._add(conn, LISTING, [(url, None) for url in starts])
            _save_state(conn, self.source, {**window, "started": started, "frontier": True})
        return Round(started, False)

    def finish(self, started: str) -> bool:
        """Mark the round done when nothing of it is left to fetch (True)."""
        with self.archive.writing(f"crawl of {self.source}") as conn:
            state = _state(conn, self.source)
            if state is None or state.get("started") != started:
                return False
            left = conn.scalar(
                select(func.count())
                .select_from(frontier)
                .where(frontier.c.source == self.source, frontier.c.state.in_((QUEUED, LEASED)))
            )
            if left:
                return False
            _save_state(conn, self.source, {**state, "done": True})
        return True

    def waiting(self, started: str) -> float | None:
        """Seconds to wait before something may be claimable (0: now); None when nothing is
        left that another crawler holds, or the round is over."""
        with self.archive.reading() as conn:
            state = _state(conn, self.source)
            if state is None or state.get("started") != started or state.get("done"):
                return None
            clock = self.archive.backend.clock(conn)
            if conn.scalar(select(func.count()).where(self._claimable(clock))):
                return 0.0
            soonest = conn.scalar(
                select(func.min(frontier.c.lease_until)).where(
                    frontier.c.source == self.source, frontier.c.state == LEASED
                )
            )
        if soonest is None:
            return None
        return min(max(float(soonest) - clock, 0.0), IDLE_POLL)

    # --- rows -----------------------------------------------------------------------------

    def add(self, kind: str, entries: Sequence[tuple[str, dt.date | None]]) -> None:
        """Queue pages of ``kind`` (with the date their listing gave), each URL once a round."""
        with self._writing("queue") as conn:
            self._add(conn, kind, entries)

    def claim(self) -> Claim | None:
        """Lease the next page to fetch (items first, oldest first), or None."""
        with self._writing("claim") as conn:
            clock = self.archive.backend.clock(conn)
            conn.execute(
                update(frontier).where(self._mine()).values(lease_until=clock + self.lease)
            )
            while True:
                row = conn.execute(
                    select(frontier)
                    .where(self._claimable(clock))
                    .order_by(case((frontier.c.kind == ITEM, 0), else_=1), frontier.c.id)
                    .limit(1)
                    .with_for_update(skip_locked=True)
                ).first()
                if row is None:
                    return None
                if row.attempts >= MAX_ATTEMPTS:
                    reason = f"given up: claimed {row.attempts} times by crawlers that never ended"
                    conn.execute(_close([row.id]).values(state=FAILED, last_status=reason))
                    continue
                conn.execute(
                    update(frontier)
                    .where(frontier.c.id == row.id)
                    .values(
                        state=LEASED,
                        lease_owner=self.owner,
                        lease_until=clock + self.lease,
                        attempts=row.attempts + 1,
                    )
                )
                date = dt.date.fromisoformat(row.listed_date) if row.listed_date else None
                return Claim(row.id, row.url, row.kind, date, row.attempts + 1)

    def close(self, ids: Sequence[int], state: str, status: str) -> None:
        """End this crawler's claims on ``ids``: ``state`` done or failed, and why. A claim
        another crawler took over (our lease ran out) is left to it."""
        if ids:
            with self._writing("close") as conn:
                mine = self._mine() & frontier.c.id.in_(ids)
                conn.execute(_close(ids).where(mine).values(state=state, last_status=status))

    def release(self, ids: Sequence[int]) -> None:
        """Give claims back unfinished (a stop, Ctrl-C): queued again, not counted as tried."""
        if ids:
            with self._writing("release") as conn:
                conn.execute(self._release(self._mine() & frontier.c.id.in_(ids)))

    def drop_listings(self, status: str) -> None:
        """Queued listing pages are not to be read (the walk went past ``--since``)."""
        with self._writing("drop") as conn:
            conn.execute(
                update(frontier)
                .where(
                    frontier.c.source == self.source,
                    frontier.c.kind == LISTING,
                    frontier.c.state == QUEUED,
                )
                .values(state=DONE, last_status=status)
            )

    # --- the per-host delay ---------------------------------------------------------------

    @contextmanager
    def turn(self, host: str, delay: float, wait: Callable[[float], None]) -> Iterator[None]:
        """Send one request to ``host`` inside: after ``delay`` has passed since the last
        request any crawler made to it ended (``wait`` spends what is left), holding the host's
        row so that no other crawler's request can come in between."""
        failure: BaseException | None = None
        with self._writing(host) as conn:
            conn.execute(_ADD_HOST, {"host": host, "delay": delay})
            last = conn.scalar(
                select(frontier_hosts.c.last_request_at)
                .where(frontier_hosts.c.host == host)
                .with_for_update()
            )
            left = float(last or 0.0) + delay - self.archive.backend.clock(conn)
            if left > 0:
                wait(left)
            try:
                yield
            except BaseException as exc:  # a failed request was a request all the same
                failure = exc
            conn.execute(
                update(frontier_hosts)
                .where(frontier_hosts.c.host == host)
                .values(last_request_at=self.archive.backend.clock(conn), crawl_delay=delay)
            )
        if failure is not None:
            raise failure

    # --- helpers --------------------------------------------------------------------------

    @contextmanager
    def _writing(self, what: str) -> Iterator[Connection]:
        with self.archive.writing(f"frontier of {self.source}: {what}", queue=False) as conn:
            yield conn

    def _add(
        self, conn: Connection, kind: str, entries: Sequence[tuple[str, dt.date | None]]
    ) -> None:
        if not entries:
            return
        conn.execute(
            _ADD,
            [
                {
                    "source": self.source,
                    "url": url,
                    "kind": kind,
                    "listed_date": date.isoformat() if date else None,
                }
                for url, date in entries
            ],
        )

    def _mine(self) -> Any:
        return (frontier.c.lease_owner == self.owner) & (frontier.c.state == LEASED)

    def _claimable(self, clock: float) -> Any:
        expired = (frontier.c.state == LEASED) & (frontier.c.lease_until < clock)
        return (frontier.c.source == self.source) & ((frontier.c.state == QUEUED) | expired)

    def _release(self, where: Any) -> Any:
        return (
            update(frontier)
            .where(where)
            .values(
                state=QUEUED,
                lease_owner=None,
                lease_until=None,
                attempts=frontier.c.attempts - 1,
                last_status="released",
            )
        )

    def _live_leases(self, conn: Connection) -> int:
        clock = self.archive.backend.clock(conn)
        return int(
            conn.scalar(
                select(func.count()).where(
                    frontier.c.source == self.source,
                    frontier.c.state == LEASED,
                    frontier.c.lease_until >= clock,
                )
            )
            or 0
        )

    def _next_url(self, conn: Connection) -> str | None:
        return conn.scalar(
            select(frontier.c.url)
            .where(frontier.c.source == self.source, frontier.c.state.in_((QUEUED, LEASED)))
            .order_by(case((frontier.c.kind == ITEM, 0), else_=1), frontier.c.id)
            .limit(1)
        )


def _close(ids: Sequence[int] | None) -> Any:
    """An update that ends the leases of ``ids`` (None: of the rows the caller picks)."""
    ending = update(frontier).values(lease_owner=None, lease_until=None)
    return ending if ids is None else ending.where(frontier.c.id.in_(ids))


def _state(conn: Connection, source: str) -> dict[str, Any] | None:
    """The source's round; one saved before the frontier existed counts as none."""
    value = conn.scalar(select(crawl_state.c.position).where(crawl_state.c.source == source))
    state = orjson.loads(value) if value else None
    return state if isinstance(state, dict) and state.get("frontier") else None


def _save_state(conn: Connection, source: str, state: dict[str, Any]) -> None:
    values = {"position": orjson.dumps(state).decode(), "updated": now()}
    changed = conn.execute(
        update(crawl_state).where(crawl_state.c.source == source).values(**values)
    ).rowcount
    if not changed:
        conn.execute(insert(crawl_state).values(source=source, **values))


def _window(state: Mapping[str, Any]) -> str:
    since, until = state.get("since"), state.get("until")
    return f"since {since or 'the start'}, until {until or 'today'}"


__all__ = ["DONE", "FAILED", "ITEM", "LISTING", "Claim", "Frontier", "Round"]
