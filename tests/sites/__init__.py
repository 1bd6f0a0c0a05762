"""Fixture web sites for the crawler tests, served on 127.0.0.1 by a real HTTP server.

The kremlin site is built from the shared corpus, read in place: ``robots.txt``, the feed and the
listing pages of ``kremlin-en-site-sample.tar.xz`` at their paths on the site (``page/N.html``
is served at ``.../page/N``), page 78 as the first page ``/events/president/news`` (the sample
has no page 1), each ``by-date`` page also at ``.../page/<its data-page>`` when that page is not
in the sample, and the event pages the served listings point to, from
``kremlin-en-2000-2020.tar.xz``. The pm-au site is the committed fixtures of
``tests/fixtures/pm-au`` behind a plain index page. See README.md for attribution.

Misbehaviour is scripted per path: a list of :class:`Act` consumed one per request (then the
page is served normally). The server records every request path, so a test can assert what was
never asked for (robots-forbidden pages, pages taken from the raw store on resume).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import tarfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

SECTION = "/events/president/news"
LAST_MODIFIED = formatdate(1_590_000_000, usegmt=True)


@dataclass(frozen=True, slots=True)
class Act:
    """One scripted answer: ``status`` (with ``headers``), or ``body`` instead of the page, or
    a ``delay`` before answering, ``oversize`` bytes, or a body cut at half (``truncate``)."""

    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    delay: float = 0.0
    oversize: int = 0
    declare_size: bool = True
    truncate: bool = False


@dataclass
class Site:
    pages: dict[str, bytes]
    script: dict[str, list[Act]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    #: When each request arrived (time.monotonic), in the order of ``requests``.
    times: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_act(self, path: str, headers: dict[str, str]) -> Act | None:
        with self.lock:
            self.requests.append(path)
            self.headers.append(headers)
            self.times.append(time.monotonic())
            acts = self.script.get(path)
            return acts.pop(0) if acts else None

    def count(self, path: str) -> int:
        with self.lock:
            return self.requests.count(path)


def _member_bytes(archive: Path, wanted: Iterable[str] | None = None) -> dict[str, bytes]:
    names = set(wanted) if wanted is not None else None
    found: dict[str, bytes] = {}
    with tarfile.open(archive, "r:xz") as tar:
        for member in tar:
            if not member.isfile() or (names is not None and member.name not in names):
                continue
            fh = tar.extractfile(member)
            if fh is not None:
                found[member.name] = fh.read()
            if names is not None and len(found) == len(names):
                break
    return found


def kremlin_site(corpus: Path, *, first_page: int = 78) -> dict[str, bytes]:
    """The en.kremlin.ru fixture site: path -> body (see the module docstring)."""
    sample = _member_bytes(corpus / "kremlin-en-site-sample.tar.xz")
    pages: dict[str, bytes] = {}
    for name, body in sample.items():
        path = "/" + name.removeprefix("en.kremlin.ru/").removesuffix(".html")
        pages[path] = body
    for path, body in list(pages.items()):
        match = re.search(rb'data-page="(\d+)"', body)
        if "/by-date/" in path and match:
            pages.setdefault(f"{SECTION}/page/{int(match.group(1))}", body)
    pages[SECTION] = pages[f"{SECTION}/page/{first_page}"]
    ids: set[str] = set()
    for path, body in pages.items():
        if path.startswith(f"{SECTION}/page/") or path == f"{SECTION}/feed":
            ids.update(m.decode() for m in re.findall(rb'data-id="(\d+)"', body))
            ids.update(m.decode() for m in re.findall(rb"/events/president/news/(\d+)</id>", body))
    events = _member_bytes(corpus / "kremlin-en-2000-2020.tar.xz", {f"{i}.html" for i in ids})
    for name, body in events.items():
        pages[f"{SECTION}/{name.removesuffix('.html')}"] = body
    return pages


def pm_site(folder: Path) -> dict[str, bytes]:
    """The pm-au fixture site: the transcripts' XML and an index page linking them."""
    pages = {f"/transcripts/{p.name}": p.read_bytes() for p in folder.glob("transcript-*.xml")}
    links = "".join(f'<a href="{p.rsplit("/", 1)[1]}">{p}</a>\n' for p in sorted(pages))
    pages["/transcripts/"] = f"<html><body>{links}</body></html>".encode()
    return pages


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    site: Site

    def log_message(self, format: str, *args: object) -> None:  # quiet
        return

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        act = self.site.next_act(path, {k.lower(): v for k, v in self.headers.items()})
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._answer(path, act or Act())

    def _answer(self, path: str, act: Act) -> None:
        if act.delay:
            time.sleep(act.delay)
        if act.status != 200:
            self.send_response(act.status)
            for name, value in act.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if act.oversize:
            self._oversize(act)
            return
        body = act.body if act.body is not None else self.site.pages.get(path)
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", LAST_MODIFIED)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        if act.truncate:
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.end_headers()
        self.wfile.write(body)

    def _oversize(self, act: Act) -> None:
        self.send_response(200)
        if act.declare_size:
            self.send_header("Content-Length", str(act.oversize))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        chunk = b"x" * 65536
        for _ in range(act.oversize // len(chunk) + 1):
            self.wfile.write(chunk)


class SiteServer:
    """A threaded HTTP server for ``site`` on 127.0.0.1, on a free port."""

    def __init__(self, site: Site) -> None:
        handler = type("Handler", (_Handler,), {"site": site})
        self.site = site
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> SiteServer:
        self.thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
