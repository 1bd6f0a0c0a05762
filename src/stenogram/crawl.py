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
  each page. A crawl that did not finish (Ctrl-C, a kill, ``--max``, a host that blocks us or
  cannot be reached) is resumed by the next one with the same window: it starts at the saved
  page, and the items it had already fetched are taken from the raw store instead of being
  asked for again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from .errors import FetchError, StenogramError
from .ingest import IngestProgress, IngestSummary, ingest_documents
from .metrics import CRAWL_FETCHES
from .model import Document
from .settings import Settings
from .sources import RawDocument, parse_raw
from .sources.adapters import ADAPTERS, Item, Listing, SourceAdapter, get_adapter
from .sources.http import Fetcher, FetchPolicy, HostStop, Response, StatusError
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
        RawStore.open(settings.archive, database=settings.database) as raw,
        Fetcher(
            adapter.hosts,
            policy or FetchPolicy.from_settings(settings),
            transport=transport,
            log=say,
        ) as fetcher,
    ):
        walk = _Walk(adapter, fetcher, raw, settings, say, Window(since, until), max_items)
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
    with RawStore.open(settings.archive, database=settings.database) as raw:
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


@dataclass(frozen=True, slots=True)
class Window:
    """The ``--since``/``--until`` window of a crawl."""

    since: dt.date | None = None
    until: dt.date | None = None

    def where(self, date: dt.date | None) -> str | None:
        """None when ``date`` is inside the window (or unknown), else "older" or "newer"."""
        if date is None:
            return None
        if self.since is not None and date < self.since:
            return "older"
        if self.until is not None and date > self.until:
            return "newer"
        return None

    def saved(self) -> dict[str, str | None]:
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }


@dataclass(frozen=True, slots=True)
class Position:
    """Where a crawl stands: which start page (``chain``), which listing page of it, and when
    the crawl began (items fetched since then are the crawl's own, reused on resume)."""

    started: str
    chain: int
    page: str

    def saved(self, window: Window, *, done: bool) -> dict[str, Any]:
        where = {"started": self.started, "chain": self.chain, "page": self.page}
        return {**window.saved(), **where, "done": done}


def resume_point(state: dict[str, Any] | None, window: Window, first_page: str) -> Position | None:
    """The saved position of an unfinished crawl over the same window, else None (a fresh
    start): a crawl over another window must not skip what that one never asked for."""
    if not state or state.get("done"):
        return None
    if any(state.get(key) != value for key, value in window.saved().items()):
        return None
    if not all(key in state for key in ("started", "chain", "page")):
        return None
    return Position(state["started"], int(state["chain"]), state["page"] or first_page)


def listing_stop(exc: StenogramError) -> str | None:
    """Why an unreadable listing page stops the crawl; None when it only ends its chain (404 or
    410: numbered pages ran out, which is how an old listing ends)."""
    if isinstance(exc, StatusError) and exc.status in (404, 410):
        return None
    return f"listing unavailable ({exc.reason})"


class OldStreak:
    """For listings without dates: parsed items older than ``--since`` in a row. Ids only
    roughly follow dates, so one old item is not the end; :data:`OLD_STREAK` of them is."""

    def __init__(self) -> None:
        self.count = 0

    def ends_walk(self, where: str | None) -> bool:
        self.count = self.count + 1 if where == "older" else 0
        return self.count >= OLD_STREAK


class _Walk:
    """One crawl's walk over the listings, yielding what to store (see the module docstring).

    Each part decides one thing: :meth:`documents` where to start and when the crawl stops,
    :meth:`_chain` which listing page comes next, :meth:`_items` which items of a page to
    take, :meth:`_item` whether an item is fetched or reused, :meth:`_outcome` what a fetch
    answered and what is kept of it. Politeness (robots.txt, delays, backoff) is the
    fetcher's; a host that cannot be crawled now (:class:`HostStop`) stops the walk here.
    """

    def __init__(
        self,
        adapter: SourceAdapter,
        fetcher: Fetcher,
        raw: RawStore,
        settings: Settings,
        log: Callable[[str], None],
        window: Window,
        max_items: int | None,
    ) -> None:
        self.adapter = adapter
        self.fetcher = fetcher
        self.raw = raw
        self.max_bytes = settings.max_document_bytes
        self.log = log
        self.window = window
        self.max_items = max_items
        self.fetched = self.not_modified = self.reused = self.skipped = self.failed = 0
        self.taken = 0
        self.stopped: str | None = None
        self.resumed = False
        self.seen: set[str] = set()

    def documents(self) -> Iterator[Document | StenogramError]:
        starts = self.adapter.start_urls(self.window.since, self.window.until)
        state = self.raw.state(self.adapter.name)
        position = resume_point(state, self.window, starts[0])
        reuse_after: str | None = None
        if position is not None:
            reuse_after = position.started
            self.resumed = True
            self.log(f"resuming at {position.page} (crawl started {position.started})")
        else:
            position = Position(now(), 0, starts[0])
        try:
            for chain in range(position.chain, len(starts)):
                page = position.page if chain == position.chain else starts[chain]
                start = Position(position.started, chain, page)
                position = yield from self._chain(start, reuse_after)
                if self.stopped:
                    return
        except HostStop as exc:
            self.stopped = exc.reason
            self.log(f"stopped: {exc.message}")
            return
        self.raw.save_state(self.adapter.name, position.saved(self.window, done=True))

    def _chain(
        self, position: Position, reuse_after: str | None
    ) -> Generator[Document | StenogramError, None, Position]:
        """One start page and the pages after it, each saved as the place to resume from."""
        streak = OldStreak()
        page: str | None = position.page
        while page is not None:
            position = Position(position.started, position.chain, page)
            self.raw.save_state(self.adapter.name, position.saved(self.window, done=False))
            try:
                body, _same = self._fetch(page, "listing")
                listing = self.adapter.read_listing(page, body)
            except HostStop:
                raise
            except StenogramError as exc:
                self.log(f"listing {page}: {exc.reason}")
                self.stopped = listing_stop(exc)
                return position
            reached_since = yield from self._items(listing, reuse_after, streak)
            if reached_since or self.stopped:
                return position
            page = listing.next_url
        return position

    def _items(
        self, listing: Listing, reuse_after: str | None, streak: OldStreak
    ) -> Generator[Document | StenogramError, None, bool]:
        """The items of one listing page inside the window; True once the walk has gone past
        ``--since`` (older pages need not be read)."""
        reached_since = False
        for item in listing.items:
            if item.url in self.seen:
                continue
            self.seen.add(item.url)
            where = self.window.where(item.date)
            reached_since = reached_since or where == "older"
            if where is not None:
                self.skipped += 1
                continue
            if self.max_items is not None and self.taken >= self.max_items:
                self.stopped = f"--max {self.max_items} reached"
                return reached_since
            self.taken += 1
            result = self._item(item, reuse_after)
            if isinstance(result, Document) and item.date is None:
                where = self.window.where(result.date)
                reached_since = streak.ends_walk(where) or reached_since
                if where is not None:
                    self.skipped += 1
                    continue
            yield result
        return reached_since

    def _item(self, item: Item, reuse_after: str | None) -> Document | StenogramError:
        """An item parsed: taken from the raw store when this (resumed) crawl already fetched
        it, else fetched; a failure is counted and logged, and the walk goes on."""
        stored = self.raw.latest(item.url)
        try:
            if reuse_after and stored is not None and stored.fetched_at >= reuse_after:
                body = self.raw.read(stored)
                self.reused += 1
            else:
                body, _same = self._fetch(item.url, "item", stored)
            raw = RawDocument(item.url, body, self.adapter.format, item.url)
            return parse_raw(raw, "auto", self.max_bytes)
        except HostStop:
            raise
        except StenogramError as exc:
            self.failed += 1
            CRAWL_FETCHES.labels("failed").inc()
            self.log(f"skip {item.url}: {exc.reason}")
            return exc

    def _fetch(self, url: str, kind: str, stored: RawRecord | None = None) -> tuple[bytes, bool]:
        """The body of ``url``, asked for with the stored body's validators."""
        stored = stored or self.raw.latest(url)
        response = self.fetcher.get(
            url,
            etag=stored.etag if stored else None,
            last_modified=stored.last_modified if stored else None,
        )
        return self._outcome(url, kind, response, stored)

    def _outcome(
        self, url: str, kind: str, response: Response, stored: RawRecord | None
    ) -> tuple[bytes, bool]:
        """What a fetch answered, and whether it is the stored body: a 304 confirms the stored
        body (and is an error when nothing is stored), a 200 is kept as a new raw body."""
        if response.not_modified:
            if stored is None:
                raise FetchError("304 Not Modified, but no body is stored", document=url)
            self.raw.confirm(stored)
            if kind == "item":
                self.not_modified += 1
                CRAWL_FETCHES.labels("not_modified").inc()
                self.log(f"unchanged {url} (304)")
            return self.raw.read(stored), True
        if kind == "item":
            self.fetched += 1
            CRAWL_FETCHES.labels("fetched").inc()
        self.raw.keep(self.adapter.name, kind, response, url)
        return response.body, False


__all__ = ["CrawlSummary", "crawl", "reparse"]
