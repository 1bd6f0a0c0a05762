"""``stenogram serve --workers N``: a supervisor that deals connections to the workers in turn.

uvicorn's own workers all accept on one listening socket, and whichever is running when clients
connect takes every pending connection. A keep-alive connection then stays with its worker, so
when clients connect together (a reverse proxy filling its pool, a scraper, a load test) the
split is lopsided: with 32 clients and two workers, 20/12, 24/8 and 31/1 were seen, and the
clients of the crowded worker waited up to thirty times as long. The kernel decides who runs,
so no accept policy inside the workers evens it out (one accept per wake-up was tried).

Here the supervisor accepts and passes each connection, as a file descriptor over a Unix socket,
to the next worker in turn (what Node's cluster module does by default, for the same reason).
It never imports the web app or opens the archive: each worker is a fresh process running
uvicorn's server on the app factory, with an event loop whose "server" reads connections from
that Unix socket instead of a listening one. A worker that dies is replaced; one that cannot
take a connection now (its socket is full) is passed over; a worker whose supervisor is gone
stops.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import signal
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any, Final

import uvloop

from .errors import ConfigError

log = logging.getLogger("uvicorn.error")

APP: Final = "stenogram.web.app:app_from_environment"
BACKLOG: Final = 2048
#: How often the supervisor looks for dead workers (and for a stop signal) between connections.
TICK: Final = 0.25
#: A worker gets this long to finish its requests after the stop signal.
GRACE: Final = 10.0
#: A worker that dies sooner than this after its start is replaced after a pause that doubles
#: each time, up to ``MAX_PAUSE``: one that cannot start must not be respawned 4 times a second.
EARLY: Final = 5.0
MAX_PAUSE: Final = 30.0
_MARK: Final = [b"c"]


class _Dealt:
    """The part of ``asyncio.Server`` that uvicorn uses, over the channel from the supervisor."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        channel: socket.socket,
        factory: Callable[[], asyncio.BaseProtocol],
    ) -> None:
        self._loop, self._channel, self._factory = loop, channel, factory
        self._pending: set[asyncio.Task[Any]] = set()
        channel.setblocking(False)
        loop.add_reader(channel.fileno(), self._receive)

    def _receive(self) -> None:
        while True:
            try:
                message, fds, _, _ = socket.recv_fds(self._channel, 1, 1)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                self.close()
                return
            if not message and not fds:  # the supervisor is gone: so must the worker
                self.close()
                signal.raise_signal(signal.SIGTERM)  # uvicorn's own graceful stop
                return
            for fd in fds:
                conn = socket.socket(fileno=fd)
                conn.setblocking(False)
                task = self._loop.create_task(self._connect(conn))
                self._pending.add(task)
                task.add_done_callback(self._pending.discard)

    async def _connect(self, conn: socket.socket) -> None:
        try:
            await self._loop.connect_accepted_socket(self._factory, conn)
        except OSError:  # the client left already
            conn.close()

    def close(self) -> None:
        if self._channel.fileno() != -1:
            self._loop.remove_reader(self._channel.fileno())

    async def wait_closed(self) -> None:
        return None


class DealtLoop(uvloop.Loop):
    """A worker's event loop (uvloop's, as uvicorn picks by default): uvicorn asks it to serve on
    a socket, and that socket is the channel the supervisor deals connections on."""

    async def create_server(  # type: ignore[override]
        self,
        protocol_factory: Callable[[], asyncio.BaseProtocol],
        host: Any = None,
        port: Any = None,
        *,
        sock: socket.socket | None = None,
        **_options: Any,
    ) -> _Dealt:
        if sock is None:
            raise ValueError("a worker serves the channel it is given, never a host and port")
        return _Dealt(self, sock, protocol_factory)


def _work(channel: socket.socket, options: dict[str, Any]) -> None:
    """A worker process's whole life (spawned: nothing of the supervisor's state comes along)."""
    import uvicorn

    config = uvicorn.Config(APP, factory=True, loop=f"{__name__}:DealtLoop", **options)
    uvicorn.Server(config).run(sockets=[channel])


@dataclass
class _Worker:
    process: BaseProcess
    channel: socket.socket
    started: float
    #: Before the next start in this slot, when the worker died early (see ``EARLY``).
    pause: float = 0.0
    restart_at: float | None = None


class Supervisor:
    """Accepts on ``listener`` and deals each connection to the next of ``count`` workers."""

    def __init__(
        self,
        listener: socket.socket,
        count: int,
        options: dict[str, Any],
        target: Callable[[socket.socket, dict[str, Any]], None] = _work,
    ) -> None:
        self.listener = listener
        self.options = options
        self.target = target
        self.context = multiprocessing.get_context("spawn")
        self.workers = [self._start() for _ in range(count)]
        self.started = count
        self.turn = 0
        self.stopping = False

    def _start(self, pause: float = 0.0) -> _Worker:
        # Packets keep one message per connection; unlike datagrams, the end of the supervisor
        # is seen by the worker (an empty read).
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        process = self.context.Process(target=self.target, args=(theirs, self.options))
        process.start()
        theirs.close()
        return _Worker(process, ours, time.monotonic(), pause)

    def _revive(self) -> None:
        now = time.monotonic()
        for i, worker in enumerate(self.workers):
            if worker.process.is_alive():
                continue
            if worker.restart_at is None:
                lived = now - worker.started
                worker.pause = min(max(1.0, 2 * worker.pause), MAX_PAUSE) if lived < EARLY else 0.0
                worker.restart_at = now + worker.pause
                worker.channel.close()
                log.warning(
                    "worker %s stopped (exit code %s) after %.0f s; starting another%s",
                    worker.process.pid,
                    worker.process.exitcode,
                    lived,
                    f" in {worker.pause:.0f} s" if worker.pause else "",
                )
            if now >= worker.restart_at:
                self.workers[i] = self._start(worker.pause)
                self.started += 1

    def deal(self, conn: socket.socket) -> bool:
        """Hand ``conn`` to the next worker that can take it now; False if none could."""
        for _ in range(len(self.workers)):
            worker = self.workers[self.turn]
            self.turn = (self.turn + 1) % len(self.workers)
            try:
                socket.send_fds(worker.channel, _MARK, [conn.fileno()], socket.MSG_DONTWAIT)
            except OSError:  # full (busy) or closed (dead: replaced on the next tick)
                continue
            return True
        return False

    def _stop(self, signum: int, _frame: FrameType | None) -> None:
        self.stopping = True

    def run(self) -> None:
        signal.signal(signal.SIGINT, self._stop)
        signal.signal(signal.SIGTERM, self._stop)
        self.listener.settimeout(TICK)
        try:
            while not self.stopping:
                try:
                    conn, _ = self.listener.accept()
                except TimeoutError:
                    self._revive()
                    continue
                except InterruptedError:
                    continue
                with conn:  # the worker has its own copy of the descriptor now
                    if not self.deal(conn):
                        log.warning("no worker could take a connection; closed it")
        finally:
            self.listener.close()
            self._shutdown()

    def _shutdown(self) -> None:
        for worker in self.workers:
            if worker.process.is_alive():
                worker.process.terminate()  # SIGTERM: uvicorn finishes what it serves
        deadline = time.monotonic() + GRACE
        for worker in self.workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.channel.close()


def serve(host: str, port: int, count: int, options: dict[str, Any]) -> None:
    """Listen on ``host:port`` and serve with ``count`` worker processes until SIGINT/SIGTERM.

    The app comes from the ``STENOGRAM_*`` environment, which the workers inherit."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        listener = socket.create_server((host, port), family=family, backlog=BACKLOG)
    except OSError as exc:
        raise ConfigError(
            f"cannot listen there: {exc.strerror}", document=f"{host}:{port}"
        ) from exc
    log.info(
        "stenogram serving on http://%s:%d with %d workers (Press CTRL+C to quit)",
        host,
        port,
        count,
    )
    Supervisor(listener, count, options).run()
