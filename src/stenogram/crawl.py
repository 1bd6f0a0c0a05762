"""The crawl: walk a source's listings newest first, fetch each event politely, keep the raw
body, parse it and store it, as it goes; and ``reparse``, which redoes the last two steps from
the raw store without fetching.

How it behaves, and why:

- Listings are walked in the adapter's order (the feed, then the listing pages, or the page of
  ``--until``). Items outside ``--since``/``--until`` are not fetched when the listing dates
  them; a walk stops following older pages once it has met an item older than ``--since``.
- Every item is asked for with the validators of the body already stored, so an unchanged page
  costs a 304 and no body; a changed one is kept as a new raw body and stored as a new revision
  by the archive. A failure (fetch or parse) is logged in one line and the crawl goes on; what
  the archive holds is never removed by a crawl.
- Where the crawl stands (which listing page, since when) is saved in ``crawl_state`` before
  each page. A crawl that did not finish (Ctrl-C, a kill, ``--max``, a host that blocks us) is
  resumed by the next one with the same window: it starts at the saved page, and the items it
  had already fetched are taken from the raw store instead of being asked for again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from .errors import FetchError, StenogramError
from .ingest import IngestProgress, IngestSummary, ingest_documents
from .model import Document
from .settings import Settings
from .sources import RawDocument, parse_raw
from .sources.adapters import ADAPTERS, Item, SourceAdapter, get_adapter
from .sources.http import Fetcher, FetchPolicy, HostBlocked, StatusError
from .sources.rawstore import RawRecord, RawStore, now

#: For sources whose listings carry no dates: this many parsed items in a row older than
#: ``--since`` end the walk (ids only roughly follow dates, so one old item is not enough).
OLD_STREAK = 20

_logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CrawlSummary:
    """What a crawl did. ``stopped`` says why it ended early (None: it walked everything)."""

    source: str
    fetched: int
    not_modified: int
    reused: int
    skipped: int
    failed: int
    stopped: str | None
    resumed: bool
    ingest: IngestSummary


def crawl(
    source: str,
    settings: Settings,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    max_items: int | None = None,
    base_url: str | None = None,
    policy: FetchPolicy | None = None,
    transport: httpx.BaseTransport | None = None,
    log: Callable[[str], None] | None = None,
) -> CrawlSummary:
    """Crawl ``source`` (see :data:`~stenogram.sources.adapters.ADAPTERS`) into the archive."""
    adapter = get_adapter(source, base_url)
    say = log or _logger.info
    with (
        RawStore.open(settings.archive) as raw,
        Fetcher(
            adapter.hosts,
            policy or FetchPolicy.from_settings(settings),
            transport=transport,
            log=say,
        ) as fetcher,
    ):
        walk = _Walk(adapter, fetcher, raw, settings, say, since, until, max_items)
        summary = ingest_documents(walk.documents(), settings)
    return CrawlSummary(
        adapter.name,
        walk.fetched,
        walk.not_modified,
        walk.reused,
        walk.skipped,
        walk.failed,
        walk.stopped,
        walk.resumed,
        summary,
    )


def reparse(
    settings: Settings, *, progress: Callable[[IngestProgress], None] | None = None
) -> IngestSummary:
    """Parse the latest raw body of every crawled item again, with today's parsers, and store
    what changed as new revisions; nothing is fetched."""
    with RawStore.open(settings.archive) as raw:
        return ingest_documents(_raw_documents(raw), settings, progress=progress)


def _raw_documents(raw: RawStore) -> Iterator[RawDocument | StenogramError]:
    for record in raw.items():
        try:
            body = raw.read(record)
        except StenogramError as exc:
            yield exc
            continue
        yield RawDocument(record.url, body, _format_of(record.source), record.url)


def _format_of(source: str) -> str | None:
    """The parser of a source's items; None (detect) for a source no longer known."""
    return get_adapter(source).format if source in ADAPTERS else None


class _Walk:
    """One crawl's walk over the listings, yielding what to store (see the module docstring)."""

    def __init__(
        self,
        adapter: SourceAdapter,
        fetcher: Fetcher,
        raw: RawStore,
        settings: Settings,
        log: Callable[[str], None],
        since: dt.date | None,
        until: dt.date | None,
        max_items: int | None,
    ) -> None:
        self.adapter = adapter
        self.fetcher = fetcher
        self.raw = raw
        self.max_bytes = settings.max_document_bytes
        self.log = log
        self.since = since
        self.until = until
        self.max_items = max_items
        self.fetched = self.not_modified = self.reused = self.skipped = self.failed = 0
        self.taken = 0
        self.stopped: str | None = None
        self.resumed = False
        self.seen: set[str] = set()

    # --- the walk -------------------------------------------------------------------------

    def documents(self) -> Iterator[Document | StenogramError]:
        window = {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }
        starts = self.adapter.start_urls(self.since, self.until)
        state = self.raw.state(self.adapter.name)
        position: dict[str, Any] = {**window, "started": now(), "chain": 0, "page": starts[0]}
        reuse_after: str | None = None
        if state and not state.get("done") and all(state.get(k) == v for k, v in window.items()):
            position = {**position, **{k: state[k] for k in ("started", "chain", "page")}}
            reuse_after = position["started"]
            self.resumed = True
            self.log(f"resuming at {position['page']} (crawl started {position['started']})")
        try:
            for chain in range(position["chain"], len(starts)):
                page = position["page"] if chain == position["chain"] else starts[chain]
                yield from self._chain(chain, page, position, reuse_after)
                if self.stopped:
                    return
        except HostBlocked as exc:
            self.stopped = exc.reason
            self.log(f"stopped: {exc.message}")
            return
        self.raw.save_state(self.adapter.name, {**position, "done": True})

    def _chain(
        self, chain: int, page: str | None, position: dict[str, Any], reuse_after: str | None
    ) -> Iterator[Document | StenogramError]:
        """One start page and the pages after it."""
        old_streak = 0
        while page is not None:
            position.update(chain=chain, page=page)
            self.raw.save_state(self.adapter.name, {**position, "done": False})
            try:
                body, _same = self._fetch(page, "listing")
                listing = self.adapter.read_listing(page, body)
            except HostBlocked:
                raise
            except StenogramError as exc:
                self.log(f"listing {page}: {exc.reason}")
                if not (isinstance(exc, StatusError) and exc.status in (404, 410)):
                    self.stopped = f"listing unavailable ({exc.reason})"
                return
            reached_since = False
            for item in listing.items:
                if item.url in self.seen:
                    continue
                self.seen.add(item.url)
                where = self._where(item.date)
                if where == "older":
                    reached_since = True
                if where is not None:
                    self.skipped += 1
                    continue
                if self.max_items is not None and self.taken >= self.max_items:
                    self.stopped = f"--max {self.max_items} reached"
                    return
                self.taken += 1
                result = self._item(item, reuse_after)
                if isinstance(result, Document) and item.date is None:
                    where = self._where(result.date)
                    old_streak = old_streak + 1 if where == "older" else 0
                    if where is not None:
                        self.skipped += 1
                        reached_since = reached_since or old_streak >= OLD_STREAK
                        continue
                yield result
            if reached_since:
                return
            page = listing.next_url

    def _where(self, date: dt.date | None) -> str | None:
        """None when ``date`` is inside the window (or unknown), else "older" or "newer"."""
        if date is None:
            return None
        if self.since is not None and date < self.since:
            return "older"
        if self.until is not None and date > self.until:
            return "newer"
        return None

    # --- one item -------------------------------------------------------------------------

    def _item(self, item: Item, reuse_after: str | None) -> Document | StenogramError:
        stored = self.raw.latest(item.url)
        try:
            if reuse_after and stored is not None and stored.fetched_at >= reuse_after:
                body = self.raw.read(stored)
                self.reused += 1
            else:
                body, same = self._fetch(item.url, "item", stored)
                if same:
                    self.not_modified += 1
                    self.log(f"unchanged {item.url} (304)")
            raw = RawDocument(item.url, body, self.adapter.format, item.url)
            return parse_raw(raw, "auto", self.max_bytes)
        except HostBlocked:
            raise
        except StenogramError as exc:
            self.failed += 1
            self.log(f"skip {item.url}: {exc.reason}")
            return exc

    def _fetch(self, url: str, kind: str, stored: RawRecord | None = None) -> tuple[bytes, bool]:
        """The body of ``url`` and whether it is the stored one (a 304); a 200 is kept."""
        stored = stored or self.raw.latest(url)
        response = self.fetcher.get(
            url,
            etag=stored.etag if stored else None,
            last_modified=stored.last_modified if stored else None,
        )
        if response.not_modified:
            if stored is None:
                raise FetchError("304 Not Modified, but no body is stored", document=url)
            self.raw.confirm(stored)
            return self.raw.read(stored), True
        if kind == "item":
            self.fetched += 1
        self.raw.keep(self.adapter.name, kind, response, url)
        return response.body, False


__all__ = ["CrawlSummary", "crawl", "reparse"]
