"""Every setting stenogram reads, declared once.

Settings come from ``STENOGRAM_*`` environment variables (and explicit overrides from the CLI);
nothing is read at import time. :func:`load_settings` turns the declared table into one frozen
:class:`Settings`, which the library functions take as an argument.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .errors import ConfigError


def _int(value: str) -> int:
    return int(value.replace("_", ""))


def _seconds(value: str) -> float:
    seconds = float(value)
    if not 0 < seconds < float("inf"):
        raise ValueError("expected a number of seconds above 0")
    return seconds


def _count(value: str) -> int:
    count = _int(value)
    if count < 1:
        raise ValueError("expected a whole number of at least 1")
    return count


def _base_url(value: str) -> str:
    """An origin such as ``https://archive.example.org`` (a path prefix is allowed)."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError("expected http(s)://host[/prefix]")
    return value.strip().rstrip("/")


def _flag(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
        raise ValueError("expected yes or no (1/0, true/false, on/off)")
    return lowered in ("1", "true", "yes", "on")


def _urls(value: str) -> tuple[str, ...]:
    """Database URLs separated by spaces or commas (a URL holds neither)."""
    return tuple(value.replace(",", " ").split())


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    default: Any
    help: str
    convert: Callable[[str], Any] = str

    @property
    def env(self) -> str:
        return "STENOGRAM_" + self.name.upper()


SETTINGS_TABLE: tuple[Setting, ...] = (
    Setting("archive", Path("archive"), "Archive folder (SQLite database and search index).", Path),
    Setting(
        "database",
        None,
        "The archive's database: a postgresql:// URL, or an archive folder (SQLite); "
        "unset: the SQLite database in the archive folder.",
    ),
    Setting(
        "index",
        None,
        "Folder of this node's search index; unset: index/ in the archive folder.",
        Path,
    ),
    Setting(
        "vectors",
        False,
        "Keep passage vectors beside this node's search index, for the paraphrases of "
        "`stenogram check`: `reindex` (or an ingest) builds them, then the node follows the "
        "change log with them. Off by default: a transformer pass per passage costs ~0.15 CPU "
        "seconds (docs/check.md); off, `reindex` drops them.",
        _flag,
    ),
    Setting(
        "read_replicas",
        (),
        "postgresql:// URLs of hot standbys of the database that pages, search and the API "
        "read from (writes and the answers to them use the database itself).",
        _urls,
    ),
    Setting(
        "replica_max_lag",
        30.0,
        "A read replica further behind the database than this many seconds is skipped.",
        float,
    ),
    Setting(
        "replica_check_seconds",
        2.0,
        "How often each read replica's reachability and lag are checked.",
        float,
    ),
    Setting(
        "ready_max_index_lag",
        1000,
        "/readyz fails while this node's search index is more changes than this behind.",
        _int,
    ),
    Setting(
        "max_document_bytes",
        20 * 1024 * 1024,
        "Documents larger than this are refused rather than parsed.",
        _int,
    ),
    Setting(
        "admin_token",
        None,
        "Bearer token that enables the web admin writes (ingest, merge); unset: no writes.",
    ),
    Setting("crawl_delay", 2.0, "Seconds between two requests to the same host.", float),
    Setting(
        "crawl_max_delay",
        60.0,
        "A longer robots.txt Crawl-delay is cut to this many seconds (and the wait announced).",
        float,
    ),
    Setting(
        "crawl_lease",
        600.0,
        "Seconds a crawler's claim on a page lasts without news from it: the pages of a killed "
        "crawler are taken up by another after this (longer than the longest fetch and wait).",
        float,
    ),
    Setting(
        "user_agent",
        "stenogram/0.1 (open-source archival crawler; set STENOGRAM_USER_AGENT to add a contact)",
        "User-Agent the crawler sends, so that publishers can tell who is asking.",
    ),
    Setting(
        "max_response_bytes",
        20 * 1024 * 1024,
        "A fetched response larger than this is refused while it streams.",
        _int,
    ),
    Setting(
        "fetch_timeout", 30.0, "Seconds a single fetch may take before it is abandoned.", float
    ),
    Setting(
        "public_url",
        None,
        "Scheme and host the archive is published at (https://archive.example.org): absolute "
        "links in feeds, citations and redirects start with it; unset: the request's own.",
        _base_url,
    ),
    Setting(
        "header_timeout",
        10.0,
        "Seconds a connection gets to send a request's headers; then the server closes it.",
        _seconds,
    ),
    Setting(
        "keepalive_timeout",
        5.0,
        "Seconds an idle keep-alive connection is kept open between two requests.",
        _seconds,
    ),
    Setting(
        "max_connections",
        1000,
        "Open connections per worker process; one more is answered 503 and closed at once.",
        _count,
    ),
    Setting(
        "max_requests",
        200,
        "Requests one worker process holds at once (computing or queued); beyond: 503.",
        _count,
    ),
)


@dataclass(frozen=True, slots=True)
class Settings:
    archive: Path = Path("archive")
    database: str | None = None
    index: Path | None = None
    vectors: bool = False
    read_replicas: tuple[str, ...] = ()
    replica_max_lag: float = 30.0
    replica_check_seconds: float = 2.0
    ready_max_index_lag: int = 1000
    max_document_bytes: int = 20 * 1024 * 1024
    admin_token: str | None = None
    crawl_delay: float = 2.0
    crawl_max_delay: float = 60.0
    crawl_lease: float = 600.0
    user_agent: str = (
        "stenogram/0.1 (open-source archival crawler; set STENOGRAM_USER_AGENT to add a contact)"
    )
    max_response_bytes: int = 20 * 1024 * 1024
    fetch_timeout: float = 30.0
    public_url: str | None = None
    header_timeout: float = 10.0
    keepalive_timeout: float = 5.0
    max_connections: int = 1000
    max_requests: int = 200


def load_settings(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Build the settings: declared default, then environment, then explicit overrides."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in SETTINGS_TABLE:
        value = setting.default
        raw = env.get(setting.env)
        if raw is not None and raw != "":
            try:
                value = setting.convert(raw)
            except ValueError as exc:
                raise ConfigError(f"{setting.env}={raw!r} is not valid: {exc}") from None
        if overrides and overrides.get(setting.name) is not None:
            value = overrides[setting.name]
        values[setting.name] = value
    known = {f.name for f in fields(Settings)}
    assert known == set(values), "SETTINGS_TABLE and Settings disagree"
    return Settings(**values)
