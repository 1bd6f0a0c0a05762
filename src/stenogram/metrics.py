"""Counters of what the library does, for ``/metrics`` (Prometheus, via prometheus_client).

They count where the work happens (ingest, crawl) and are exposed by the web app when that work
runs in its process (an admin ingest); a separate ``stenogram ingest`` or ``crawl`` counts for
itself and its counters end with it. Under ``stenogram serve --workers N`` every worker writes
its counts to files in ``PROMETHEUS_MULTIPROC_DIR`` (prometheus_client's multiprocess mode, set
up by ``serve``), and ``/metrics`` on any worker adds them all up.
"""

from __future__ import annotations

from typing import Final

from prometheus_client import Counter, Histogram

INGESTED: Final = Counter(
    "stenogram_ingested_documents",
    "Documents ingested, by outcome (new, updated, unchanged, failed).",
    ["outcome"],
)
CRAWL_FETCHES: Final = Counter(
    "stenogram_crawl_items",
    "Items a crawl took, by outcome (fetched, not_modified, failed).",
    ["outcome"],
)
REQUESTS: Final = Counter(
    "stenogram_http_requests",
    "HTTP requests answered, by route template, method and status.",
    ["route", "method", "status"],
)
#: Buckets from a cached page (~0.2 ms) to a slow search (seconds).
LATENCY: Final = Histogram(
    "stenogram_http_request_seconds",
    "Time from a request's arrival to the end of its response, by route template.",
    ["route"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
