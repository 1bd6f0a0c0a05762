"""Cheap repeat requests: an in-process cache of finished responses, and ``ETag`` / 304.

The archive is read-mostly, so a page only changes when something is committed. A response is
keyed by the position of the archive's change log (:mod:`stenogram.archive.changes`), which
every writer moves in the transaction that writes, on whatever node it runs, plus the position
this node's search index has applied (its ``state.json``): the index follows the log a little
behind, and a search page must change when it catches up. So the cache is right on every node
of a cluster. Reading the log's position costs a query, so it is re-read only when the
database's own change counter (:meth:`Archive.watch`: SQLite's ``PRAGMA data_version``, which
costs microseconds; on PostgreSQL a count of the change log's notifications, kept in memory)
says that anything was committed since.

The ``ETag`` is a hash of the body, so every worker process and every restart agrees on it and a
revalidating client gets a 304 whichever worker answers. Only complete ``200`` answers to ``GET``
are kept, each under its full URL *and* ``Host`` (pages and feeds embed absolute links) and its
``Accept`` (a page and its JSON twin share a URL); the admin writes and static files never pass
through, nor does a request of a logged-in user (its pages show who is logged in).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..archive.dialects import ChangeWatch
from ..errors import StenogramError
from ..search.index import STATE_FILE, read_seq
from .auth import SESSION_COOKIE
from .health import PATHS

#: Paths never cached: writes, files that carry their own validators, and the node's health.
_BYPASS: Final = ("/api/admin", "/admin", "/login", "/static/", *PATHS)
#: Bodies larger than this are served but not kept (one huge page must not evict the rest).
MAX_ENTRY_BYTES: Final = 2 * 1024 * 1024
_DROP_ON_304: Final = {b"content-length", b"content-type"}

Key = tuple[bytes, bytes, bytes, bytes, bool]


@dataclass(frozen=True, slots=True)
class _Entry:
    generation: tuple[int, int, int]
    etag: bytes
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes


class Generation:
    """The change-log position this node's answers reflect (see the module docstring)."""

    def __init__(self, database: ChangeWatch, position: Callable[[], int], index: Path) -> None:
        self._database = database
        self._position = position
        self._state = index / STATE_FILE
        self._index = index
        self._lock = threading.Lock()
        self._version: int | None = None
        self._seen = 0
        self._stamp: int | None = None
        self._applied = 0

    def current(self) -> tuple[int, int, int]:
        """The log's position, the index's, and the day: citations on the pages carry the
        date they were accessed, so yesterday's page is not served today."""
        with self._lock:
            version = self._database.current()
            if version != self._version:
                # Noted first: a commit after this read moves ``version`` again.
                self._version = version
                self._seen = self._position()
            try:
                stamp = self._state.stat().st_mtime_ns
            except OSError:
                stamp = 0
            if stamp != self._stamp:
                self._stamp = stamp
                self._applied = read_seq(self._index)
            return self._seen, self._applied, dt.date.today().toordinal()

    def close(self) -> None:
        self._database.close()


def etag_of(body: bytes) -> bytes:
    return b'"' + hashlib.blake2b(body, digest_size=12).hexdigest().encode() + b'"'


def _header(scope: Scope, name: bytes) -> bytes:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value)
    return b""


def _matches(if_none_match: bytes, etag: bytes) -> bool:
    wanted = {t.strip().removeprefix(b"W/") for t in if_none_match.split(b",")}
    return etag in wanted or b"*" in wanted


class ResponseCache:
    """Pure ASGI middleware: serve a kept response, or keep the one the app produces."""

    def __init__(self, app: ASGIApp, generation: Generation, max_bytes: int) -> None:
        self.app = app
        self.generation = generation
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Key, _Entry] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or path.startswith(_BYPASS)
            or SESSION_COOKIE.encode() in _header(scope, b"cookie")
        ):
            await self.app(scope, receive, send)
            return
        accept = _header(scope, b"accept")
        key: Key = (
            path.encode(),
            bytes(scope.get("query_string", b"")),
            _header(scope, b"host"),
            scope.get("scheme", "http").encode(),
            b"application/json" in accept and b"text/html" not in accept,
        )
        try:
            generation = self.generation.current()
        except StenogramError:  # the database is down: the app answers that, uncached
            await self.app(scope, receive, send)
            return
        if_none_match = _header(scope, b"if-none-match")
        entry = self._get(key, generation)
        if entry is not None:
            await _replay(entry, if_none_match, send)
            return

        start: Message | None = None
        chunks: list[bytes] = []
        passing = False

        async def keep(message: Message) -> None:
            nonlocal start, passing
            if message["type"] == "http.response.start":
                # ``no-store`` (a download, a negotiated citation) goes through as it streams.
                passing = any(
                    bytes(k).lower() == b"cache-control" and b"no-store" in bytes(v)
                    for k, v in message.get("headers", ())
                )
                if passing:
                    await send(message)
                else:
                    start = message
                return
            if passing or message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            headers = tuple((bytes(k), bytes(v)) for k, v in start.get("headers", ()))
            if start["status"] != 200 or any(k == b"set-cookie" for k, _ in headers):
                await send(start)
                await send({"type": "http.response.body", "body": body})
                return
            etag = etag_of(body)
            headers += ((b"etag", etag), (b"cache-control", b"no-cache"), (b"vary", b"Accept"))
            made = _Entry(generation, etag, headers, body)
            self._put(key, made)
            await _replay(made, if_none_match, send)

        await self.app(scope, receive, keep)

    def _get(self, key: Key, generation: tuple[int, int, int]) -> _Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.generation != generation:
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return entry

    def _put(self, key: Key, entry: _Entry) -> None:
        size = len(entry.body)
        if size > MAX_ENTRY_BYTES or size > self.max_bytes:
            return
        with self._lock:
            if key in self._entries:
                self._drop(key)
            self._entries[key] = entry
            self._size += size
            while self._size > self.max_bytes:
                self._drop(next(iter(self._entries)))

    def _drop(self, key: Key) -> None:
        self._size -= len(self._entries.pop(key).body)


async def _replay(entry: _Entry, if_none_match: bytes, send: Send) -> None:
    if if_none_match and _matches(if_none_match, entry.etag):
        headers = [h for h in entry.headers if h[0] not in _DROP_ON_304]
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    await send({"type": "http.response.start", "status": 200, "headers": list(entry.headers)})
    await send({"type": "http.response.body", "body": entry.body})
