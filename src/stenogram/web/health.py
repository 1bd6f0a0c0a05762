"""What a load balancer and a monitoring system ask a node: ``/healthz``, ``/readyz``,
``/metrics``.

- ``/healthz``: the process answers (nothing else is looked at: a database outage must not get
  every node restarted).
- ``/readyz``: this node can serve now: its database answers (the primary, or with replicas, any
  of them) and its search index is at most ``ready_max_index_lag`` changes behind the archive.
  503 with the reasons otherwise, so the balancer sends requests elsewhere meanwhile.
- ``/metrics``: Prometheus text. Requests and their latency per route *template* (a label per
  event id would grow without end), the index lag and each replica's state (computed when
  scraped), and the ingest and crawl counters of :mod:`stenogram.metrics`. Under several
  workers the counters of all of them are added up (prometheus_client's multiprocess mode,
  ``PROMETHEUS_MULTIPROC_DIR``), whichever worker answers the scrape.

None of them is cached, queued behind pages or authenticated (they reveal counts and states,
no content; keep ``/metrics`` off the public side of a proxy if even that matters).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from typing import Any, Final

from fastapi import APIRouter, Request
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import follow
from ..archive import Archive
from ..errors import StenogramError
from ..metrics import LATENCY, REQUESTS
from ..search import read_seq
from ..settings import Settings
from .respond import archive_of, json_response, settings_of

router = APIRouter(include_in_schema=False)

#: The paths of this module: never cached, never queued (see :mod:`.app`).
PATHS: Final = ("/healthz", "/readyz", "/metrics")
#: Methods counted by name; any other (a client may send anything) is "other".
_METHODS: Final = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
#: Paths whose route template was learned, for the requests the cache answers before routing.
_KNOWN_MAX: Final = 10_000


def index_lag(archive: Archive) -> int:
    """How many changes this node's search index is behind the archive (0: caught up)."""
    return max(0, archive.max_seq(primary=True) - read_seq(archive.index_path))


def index_lag_seconds(archive: Archive) -> float | None:
    """The age of the oldest change the index lacks (None when it cannot be read now)."""
    try:
        return follow.index_lag(archive, archive.index_path)[1]
    except StenogramError:
        return None


def readiness(archive: Archive, settings: Settings) -> dict[str, Any]:
    """``ready`` and why: the database, the replicas, and the index lag."""
    problems = []
    replicas = [s.to_dict() for s in archive.replicas.states()] if archive.replicas else []
    lag: int | None = None
    try:
        lag = index_lag(archive)
        database = "ok"
    except StenogramError as exc:
        database = exc.reason
        try:  # the primary is down: a replica may still serve every read
            if not any(r["state"] == "ok" for r in replicas):
                raise
            lag = max(0, archive.max_seq() - read_seq(archive.index_path))
        except StenogramError as also:
            problems.append(f"database: {also.reason}")
    if lag is not None and lag > settings.ready_max_index_lag:
        problems.append(
            f"the search index is {lag} changes behind (bound: {settings.ready_max_index_lag})"
        )
    return {
        "ready": not problems,
        "problems": problems,
        "database": database,
        "replicas": replicas,
        "index_lag": lag,
        "index_lag_seconds": index_lag_seconds(archive) if lag else 0.0,
    }


@router.get("/healthz")
async def healthz() -> Response:
    return json_response({"status": "ok"})


@router.get("/readyz")
def readyz(request: Request) -> Response:
    """In a thread: with the database down, a connection attempt may take seconds."""
    found = readiness(archive_of(request), settings_of(request))
    return json_response(found, 200 if found["ready"] else 503)


@router.get("/metrics")
def metrics(request: Request) -> Response:
    scrape = _Scrape(archive_of(request))
    return Response(generate_latest(scrape), media_type=CONTENT_TYPE_PLAIN_0_0_4)


class _Scrape:
    """One scrape: the counters (this process's, or every worker's) and the node's gauges."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive

    def collect(self) -> Iterator[Metric]:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            workers = CollectorRegistry()
            MultiProcessCollector(workers)  # type: ignore[no-untyped-call]
            yield from workers.collect()
        else:
            yield from REGISTRY.collect()
        yield from self._gauges()

    def _gauges(self) -> Iterator[Metric]:
        lag = GaugeMetricFamily(
            "stenogram_index_lag", "Changes of the archive this node's search index lacks."
        )
        with contextlib.suppress(StenogramError):  # the database is down: no figure at all
            lag.add_metric([], index_lag(self.archive))
        yield lag
        if self.archive.replicas is None:
            return
        up = GaugeMetricFamily(
            "stenogram_replica_up", "1 while a read replica is used, else 0.", labels=["replica"]
        )
        behind = GaugeMetricFamily(
            "stenogram_replica_lag_seconds",
            "How far a read replica is behind the primary.",
            labels=["replica"],
        )
        for state in self.archive.replicas.states():
            up.add_metric([state.where], 1.0 if state.state == "ok" else 0.0)
            if state.lag is not None:
                behind.add_metric([state.where], state.lag)
        yield up
        yield behind


class RequestMetrics:
    """Pure ASGI middleware, outermost: counts every request, the cached ones included.

    The route template comes from the routing (``scope["route"]``); a request the response
    cache answers never reaches it, so templates are remembered per path from the requests
    that did (a cached path was routed once, when its answer was made)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._known: dict[str, str] = {}
        #: The metrics' children per label values: a bounded set (templates, methods, codes).
        self._counters: dict[tuple[str, str, int], Counter] = {}
        self._timers: dict[str, Histogram] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        path: str = scope["path"]
        try:
            await self.app(scope, receive, sending)
        finally:
            route = self._template(scope, path)
            method = scope["method"] if scope["method"] in _METHODS else "other"
            key = (route, method, status)
            counter = self._counters.get(key)
            if counter is None:  # ``labels()`` costs ~10 µs a call: once per key
                counter = self._counters[key] = REQUESTS.labels(route, key[1], str(status))
            counter.inc()
            timer = self._timers.get(route)
            if timer is None:
                timer = self._timers[route] = LATENCY.labels(route)
            timer.observe(time.perf_counter() - started)

    def _template(self, scope: Scope, path: str) -> str:
        route = scope.get("route")
        if route is None:
            return self._known.get(path, "unrouted")
        template: str = getattr(route, "path", "unrouted")
        if path not in self._known:
            if len(self._known) >= _KNOWN_MAX:
                self._known.clear()
            self._known[path] = template
        return template
