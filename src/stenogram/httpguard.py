"""The HTTP protocol ``serve`` runs: uvicorn's (httptools) with the limits that keep slow or
numerous clients from holding a worker.

uvicorn closes an idle keep-alive connection, but a connection that has not finished sending its
request headers has no deadline at all: 3,000 half-sent requests were held for as long as their
clients liked, and 45,000 took every file descriptor of both workers, so that new visitors were
refused. uvicorn has no header timeout for httptools, and the limit must hold without a reverse
proxy in front, so it is here, in every worker, whatever the number of workers:

- a connection gets ``header_timeout`` seconds to send a request's headers, counted from its
  opening and again from the end of each response; then it is closed;
- a worker keeps at most ``max_connections`` connections open. When one more comes, the one
  that has waited longest for its headers (a half-sent request, an idle keep-alive) is closed to
  make room, so that a flood of slow clients delays a visitor by nothing; only when every
  connection is in the middle of a request is the new one answered 503 and closed before
  anything is read. Descriptors stay bounded whatever the clients do.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import resource
from dataclasses import dataclass
from typing import Any, ClassVar, Final

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .settings import Settings

log = logging.getLogger("uvicorn.error")

_BODY: Final = b'{"error":{"code":"busy","message":"too many connections; try again in a moment"}}'
#: Written before anything is read: a complete response, then the connection is closed.
_FULL: Final = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n"
    b"content-length: %d\r\nretry-after: 1\r\nconnection: close\r\n\r\n%s" % (len(_BODY), _BODY)
)
#: Descriptors a worker needs besides its connections (database, index segments, logs).
SPARE_FDS: Final = 256


@dataclass(frozen=True, slots=True)
class Limits:
    header_timeout: float
    max_connections: int


class GuardedProtocol(HttpToolsProtocol):
    """One connection, as uvicorn serves it, with a deadline for its request headers."""

    #: The connections waiting for request headers, longest first (one server per process).
    waiting: ClassVar[dict[GuardedProtocol, None]] = {}

    def __init__(self, *args: Any, limits: Limits, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limits = limits
        self.refused = False
        self.deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        if len(self.connections) >= self.limits.max_connections and not self._make_room():
            self.refused = True
            transport.write(_FULL)
            transport.close()
            return
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if not self.refused:
            super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if not self.refused:
            super().data_received(data)

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        waiting = bool(self.pipeline)  # a pipelined request has its headers in already
        super().on_response_complete()
        if not waiting and not self.transport.is_closing():
            self._arm()

    def _make_room(self) -> bool:
        """Close the connection that has waited longest for request headers, if there is one."""
        oldest = next(iter(self.waiting), None)
        if oldest is None:
            return False
        oldest._too_slow()
        self.connections.discard(oldest)  # its connection_lost comes later, in another turn
        return True

    def _arm(self) -> None:
        self._disarm()
        self.deadline = self.loop.call_later(self.limits.header_timeout, self._too_slow)
        self.waiting[self] = None

    def _disarm(self) -> None:
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None
            self.waiting.pop(self, None)

    def _too_slow(self) -> None:
        self._disarm()
        if not self.transport.is_closing():
            self.transport.close()


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """What ``serve`` passes to uvicorn, in one process or in each worker."""
    limits = Limits(settings.header_timeout, settings.max_connections)
    return {
        "server_header": False,
        "proxy_headers": False,
        "timeout_keep_alive": settings.keepalive_timeout,
        "http": functools.partial(GuardedProtocol, limits=limits),
    }


def make_room(settings: Settings) -> None:
    """Raise this process's descriptor limit (which workers inherit) to fit ``max_connections``:
    the soft limit is often 1,024 while the hard one allows far more."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = settings.max_connections + SPARE_FDS
    if soft != resource.RLIM_INFINITY and soft < needed:
        raised = needed if hard == resource.RLIM_INFINITY else min(hard, needed)
        resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
        if raised < needed:
            log.warning(
                "open files are limited to %d: fewer than max_connections (%d) can be served",
                raised,
                settings.max_connections,
            )
