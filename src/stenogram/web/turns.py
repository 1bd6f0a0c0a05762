"""Requests of one worker compute one at a time, in the order they arrived.

A page is CPU-bound Python under one GIL, so a worker process gains nothing from computing two
at once; what decides a client's wait is the order. Handlers run on the event loop (they are
``async``), and the loop reads new requests only between batches of callbacks: when a burst of
requests ran back to back, a request that arrived a moment after the loop looked missed the
next batch and waited for two, and the same keep-alive connections kept missing it (with 16
clients on one worker, two had twice the others' latency, every time). With threads instead,
the GIL hands the CPU around in no particular order, and the loop thread waits for it too.

Taking turns on a FIFO lock gives the loop one look at its sockets between two requests, so a
request waits for those that arrived before it and no more. A turn ends when the response
starts, so a slow reader never holds the others up; writes (``POST``) do not queue, since they
read a body first and run in threads. Nor do the health checks (:mod:`.health`): a load
balancer must not time a node out because its pages are busy.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Final

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .health import PATHS

_QUEUED: Final = frozenset({"GET", "HEAD"})
#: Seconds a refused client is asked to wait (``Retry-After``).
RETRY_AFTER: Final = 1


class Turns:
    """Pure ASGI middleware; the lock is the app's, so each worker process has its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.lock = asyncio.Lock()  # bound to the running loop on first contention

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _QUEUED or scope["path"] in PATHS:
            await self.app(scope, receive, send)
            return
        await self.lock.acquire()
        held = True

        async def sending(message: Message) -> None:
            nonlocal held
            if held:
                held = False
                asyncio.get_running_loop().call_soon(self.lock.release)
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            if held:
                asyncio.get_running_loop().call_soon(self.lock.release)


class Busy:
    """Bounds the requests one worker holds at once: beyond ``limit``, a request is answered
    503 at once (by ``refuse``) rather than queued behind a wait nobody would sit through, and
    memory stays bounded whatever a flood of clients sends."""

    def __init__(self, app: ASGIApp, limit: int, refuse: Callable[[Scope], Response]) -> None:
        self.app, self.limit, self.refuse = app, limit, refuse
        self.held = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.held >= self.limit:
            await self.refuse(scope)(scope, receive, send)
            return
        self.held += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.held -= 1
