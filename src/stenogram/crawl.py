"""The crawl: walk a source's listings newest first, fetch each event politely, keep the raw
body, parse it and store it, as it goes; and ``reparse``, which redoes the last two steps from
the raw store without fetching.

How it behaves, and why:

- What to fetch is the source's frontier in the database (:mod:`stenogram.archive.frontier`):
  the start pages, then what each listing page read adds, items before the next page. Several
  crawlers of one source on PostgreSQL share it (each page is fetched once, the per-host delay
  holds between all of them, a killed crawler's pages are taken up after its lease); on SQLite
  one crawler at a time, and a second is refused.
- Items outside ``--since``/``--until`` are not fetched when the listing dates them; a walk
  stops following older pages once it has met an item older than ``--since``.
- Every item is asked for with the validators of the body already stored, so an unchanged page
  costs a 304 and no body; a changed one is kept as a new raw body and stored as a new revision
  by the archive. A failure (fetch or parse) is logged in one line and the crawl goes on; what
  the archive holds is never removed by a crawl.
- A crawl that did not finish (Ctrl-C, a kill, ``--max``, a host that blocks us or cannot be
  reached) leaves its round unfinished, and the next crawl with the same window takes it up
  where it was: what was stored is not fetched again, and a page fetched but not yet stored is
  read from the raw store.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx

from .archive import Archive
from .archive.frontier import DONE, FAILED, ITEM, LISTING, Claim, Frontier, Round
from .errors import FetchError, StenogramError, StoreError
from .ingest import IngestProgress, IngestSummary, ingest_documents
from .metrics import CRAWL_FETCHES
from .model import Document
from .settings import Settings
from .sources import RawDocument, parse_raw
from .sources.adapters import ADAPTERS, SourceAdapter, get_adapter
from .sources.http import Fetcher, FetchPolicy, HostStop, Response, StatusError
from .sources.rawstore import RawRecord, RawStore

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
    """Crawl ``source`` (see :data:`~stenogram.sources.adapters.ADAPTERS`) into the archive,
    alone or beside other crawlers of the same database (see the module docstring)."""
    adapter = get_adapter(source, base_url)
    say = log or _logger.info
    with (
        Archive.open(settings.archive, create=True, database=settings.database) as archive,
        archive.backend.one_crawler() as alone,
        Frontier(archive, adapter.name, settings.crawl_lease) as frontier,
        Fetcher(
            adapter.hosts,
            policy or FetchPolicy.from_settings(settings),
            transport=transport,
            log=say,
            # Alone (SQLite), the delay is this process's to keep; SQLite's one write lock
            # held during each request would stall every other writer of the archive.
            turns=None if alone else frontier,
        ) as fetcher,
    ):
        walk = _Walk(adapter, fetcher, RawStore(archive), frontier, settings, say)
        summary = walk.run(Window(since, until), max_items, alone=alone)
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
    """One crawler's part of a crawl, yielding what to store (see the module docstring).

    Each part decides one thing: :meth:`run` how long this crawler takes part, :meth:`documents`
    what it claims next and when it stops, :meth:`_listing` what a listing page adds to the
    frontier, :meth:`_item` what an item gives, :meth:`_body` whether a page is fetched or read
    from the raw store, :meth:`_outcome` what a fetch answered and what is kept of it.
    Politeness (robots.txt, delays, backoff) is the fetcher's; a host that cannot be crawled
    now (:class:`HostStop`) stops this crawler here.
    """

    def __init__(
        self,
        adapter: SourceAdapter,
        fetcher: Fetcher,
        raw: RawStore,
        frontier: Frontier,
        settings: Settings,
        log: Callable[[str], None],
    ) -> None:
        self.adapter = adapter
        self.fetcher = fetcher
        self.raw = raw
        self.frontier = frontier
        self.settings = settings
        self.log = log
        self.window = Window()
        self.max_items: int | None = None
        self.round = Round("", False)
        self.fetched = self.not_modified = self.reused = self.skipped = self.failed = 0
        self.taken = 0
        self.stopped: str | None = None
        self.resumed = False
        self.streak = OldStreak()
        #: The claim being worked on, given back if the walk ends before it is settled.
        self.current: Claim | None = None
        #: Items whose documents were handed to the ingest: done once it has stored them.
        self.pending: list[int] = []

    def run(self, window: Window, max_items: int | None, *, alone: bool) -> IngestSummary:
        """Join or start the round, then store what this crawler claims, pass after pass:
        a pass ends when nothing is claimable, and another follows while other crawlers hold
        pages (new ones may come of them, or their leases run out)."""
        self.window, self.max_items = window, max_items
        starts = self.adapter.start_urls(window.since, window.until)
        self.round = self.frontier.begin(window.saved(), starts, alone=alone)
        if self.round.resumed:
            self.resumed = True
            where = self.round.next_url or "the end"
            self.log(f"resuming at {where} (crawl started {self.round.started})")
        summary = self._pass()
        waiting = False
        while not self.stopped:
            wait = self.frontier.waiting(self.round.started)
            if wait is None:
                self.frontier.finish(self.round.started)
                break
            if wait > 0:
                if not waiting:
                    self.log("waiting for the pages other crawlers hold (or held: see their lease)")
                waiting = True
                time.sleep(wait)
                continue
            waiting = False
            summary = _added(summary, self._pass())
        return summary

    def _pass(self) -> IngestSummary:
        return ingest_documents(self.documents(), self.settings, progress=self._stored)

    def _stored(self, _progress: IngestProgress) -> None:
        """The ingest committed everything handed to it so far."""
        done, self.pending = self.pending, []
        self.frontier.close(done, DONE, "stored")

    def documents(self) -> Iterator[Document | StenogramError]:
        try:
            while not self.stopped:
                claim = self.current = self.frontier.claim()
                if claim is None:
                    return
                if claim.kind != ITEM:
                    self._listing(claim)
                elif self.max_items is not None and self.taken >= self.max_items:
                    self.stopped = f"--max {self.max_items} reached"
                else:
                    yield from self._item(claim)
        except HostStop as exc:
            self.stopped = exc.reason
            self.log(f"stopped: {exc.message}")
        finally:
            if self.current is not None:
                self.frontier.release([self.current.id])
                self.current = None

    def _listing(self, claim: Claim) -> None:
        """Queue the items of a listing page inside the window, and the next page unless the
        walk went past ``--since``; an unreadable page ends its chain (404, 410) or stops the
        crawl, leaving the page to the next crawl."""
        try:
            listing = self.adapter.read_listing(claim.url, self._body(claim))
        except HostStop:
            raise
        except StenogramError as exc:
            self.log(f"listing {claim.url}: {exc.reason}")
            self.stopped = listing_stop(exc)
            if self.stopped is None:
                self._settle(claim, FAILED, exc.reason)
            return
        wanted = []
        reached_since = False
        for item in listing.items:
            where = self.window.where(item.date)
            reached_since = reached_since or where == "older"
            if where is None:
                wanted.append((item.url, item.date))
            else:
                self.skipped += 1
        self.frontier.add(ITEM, wanted)
        if listing.next_url is not None and not reached_since:
            self.frontier.add(LISTING, [(listing.next_url, None)])
        self._settle(claim, DONE, "read")

    def _item(self, claim: Claim) -> Iterator[Document | StenogramError]:
        """An item parsed, for the ingest; a failure is counted, logged and settled, and the
        walk goes on."""
        self.taken += 1
        try:
            raw = RawDocument(claim.url, self._body(claim), self.adapter.format, claim.url)
            document = parse_raw(raw, "auto", self.settings.max_document_bytes)
        except HostStop:
            raise
        except StenogramError as exc:
            self.failed += 1
            CRAWL_FETCHES.labels("failed").inc()
            self.log(f"skip {claim.url}: {exc.reason}")
            self._settle(claim, FAILED, exc.reason)
            yield exc
            return
        if claim.date is None:
            where = self.window.where(document.date)
            if self.streak.ends_walk(where):
                self.frontier.drop_listings("past --since")
            if where is not None:
                self.skipped += 1
                self._settle(claim, DONE, "out of range")
                return
        self.pending.append(claim.id)
        self.current = None
        yield document

    def _settle(self, claim: Claim, state: str, status: str) -> None:
        self.frontier.close([claim.id], state, status)
        self.current = None

    def _body(self, claim: Claim) -> bytes:
        """The body of a claimed page: from the raw store when this round fetched it already
        (a crawler that had it was stopped before storing it), else fetched with the stored
        body's validators. A crawler on another machine kept that body in its own folder:
        then it is fetched again."""
        stored = self.raw.latest(claim.url)
        if stored is not None and stored.fetched_at >= self.round.started:
            with contextlib.suppress(StoreError):
                body = self.raw.read(stored)
                self.reused += claim.kind == ITEM
                return body
        response = self.fetcher.get(
            claim.url,
            etag=stored.etag if stored else None,
            last_modified=stored.last_modified if stored else None,
        )
        body, _same = self._outcome(claim.url, claim.kind, response, stored)
        return body

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


def _added(one: IngestSummary, other: IngestSummary) -> IngestSummary:
    """Two passes' ingest counts as one."""
    return IngestSummary(
        one.new + other.new,
        one.updated + other.updated,
        one.unchanged + other.unchanged,
        one.failed + other.failed,
        one.failures + other.failures,
        one.seconds + other.seconds,
    )


__all__ = ["CrawlSummary", "crawl", "reparse"]
