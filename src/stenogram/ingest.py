"""Ingest: sources -> parse -> resolve -> archive -> search index, for the CLI and the web.

How the work is split, and why:

- Parsing is the costly stage (~1 ms a page) and pure, so it runs in a worker process
  (``multiprocessing``, chunks of raw documents, results taken in order) while this process
  reads the sources, resolves people and writes. On two cores that overlaps the two halves.
- One :class:`~stenogram.resolve.PeopleDirectory` serves the whole run, loaded from the archive
  with its persons and hand overrides, so a re-ingest lands on the same persons and the fixes
  of ``persons merge``/``split`` are replayed.
- Documents are written :data:`BATCH_DOCS` at a time, each batch (documents and the persons it
  changed) in one transaction, and at least every :data:`BATCH_SECONDS`. Every commit is atomic,
  so a SIGKILL loses at most the batch in flight, never half a document, and the next ingest
  stores what is missing (what is stored comes out "unchanged").
- A document the archive already holds unchanged is neither resolved nor written: re-ingesting
  costs a hash per page, and changes nothing, not even ``seq``.
- The search index is caught up every :data:`INDEX_EVERY` written documents and at the end. A
  killed ingest leaves at most a lagging index, which :func:`open_archive` catches up.
- A document that cannot be read or parsed is counted with its reason; it never stops the batch
  nor touches stored data. A batch the database refuses is retried document by document, so
  only the document at fault fails.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from itertools import chain
from multiprocessing.pool import AsyncResult
from pathlib import Path

from .archive import Archive
from .archive.batch import Item
from .errors import NotFound, ParseError, StenogramError, StoreError
from .model import Document, Person
from .parse import FORMATS
from .resolve import PeopleDirectory
from .search import catch_up, read_seq, rebuild
from .settings import Settings
from .sources import RawDocument, iter_documents, parse_raw

#: Documents per transaction: large enough that per-commit costs vanish (~1 ms a page stored
#: one by one, ~0.1 ms in batches of 100), small enough that a kill loses little.
BATCH_DOCS = 100
#: A batch is committed after this long even if not full (slow sources, small runs).
BATCH_SECONDS = 2.0
#: Written documents between two index catch-ups (each costs a tantivy commit).
INDEX_EVERY = 2000
#: Raw documents per message to the parse worker (amortises the round trip), and how many
#: messages may wait for it (bounds memory: the worker must not read the corpus ahead).
CHUNK = 16
IN_FLIGHT = 8


@dataclass(frozen=True, slots=True)
class IngestProgress:
    done: int
    new: int
    updated: int
    unchanged: int
    failed: int
    current: str


@dataclass(frozen=True, slots=True)
class IngestSummary:
    new: int
    updated: int
    unchanged: int
    failed: int
    #: (document name, reason) of each failure, in the order met.
    failures: tuple[tuple[str, str], ...]
    seconds: float


def open_archive(settings: Settings, *, create: bool = False) -> Archive:
    """Open the archive of ``settings``; a search index that lags the database is caught up first.

    The catch-up is skipped when another process holds the index writer (an ingest running):
    that process brings the index up to date itself.
    """
    archive = Archive.open(settings.archive, create=create)
    try:
        _catch_up(archive)
    except StoreError:
        if not archive.index_path.exists():
            archive.close()
            raise
    except BaseException:
        archive.close()
        raise
    return archive


def _catch_up(archive: Archive) -> int:
    if archive.index_path.exists() and read_seq(archive.index_path) >= archive.max_seq():
        return 0
    return catch_up(archive.index_path, archive.index_rows)


def reindex(settings: Settings) -> int:
    """Rebuild the search index from the database; return how many rows were indexed."""
    with Archive.open(settings.archive, create=False) as archive:
        return rebuild(archive.index_path, archive.index_rows(0))


def people_directory(archive: Archive) -> PeopleDirectory:
    return PeopleDirectory(archive.persons(), archive.overrides())


def merge_persons(settings: Settings, a: str, b: str) -> Person:
    """Fold person ``b`` into ``a``, for good: the fix is recorded and every ingest replays it."""
    with open_archive(settings) as archive:
        directory = people_directory(archive)
        override = directory.merge(a, b)
        archive.apply_override(override, directory.changed(), [override.other_id])
        _catch_up_quietly(archive)
        return _person(directory, override.person_id)


def split_person(settings: Settings, person_id: str, names: Sequence[str]) -> Person:
    """Move the name forms ``names`` of a person to a new person, which is returned."""
    with open_archive(settings) as archive:
        directory = people_directory(archive)
        override = directory.split(person_id, names)
        archive.apply_override(override, directory.changed(), [])
        _catch_up_quietly(archive)
        return _person(directory, override.other_id)


def _person(directory: PeopleDirectory, person_id: str) -> Person:
    found = directory.find(person_id)
    if not found:
        raise NotFound(f"no person {person_id!r}", document=person_id)
    return found[0]


def _catch_up_quietly(archive: Archive) -> None:
    """Catch the index up unless an ingest holds it (that ingest will)."""
    with suppress(StoreError):
        _catch_up(archive)


def ingest(
    paths: Sequence[str | Path],
    settings: Settings,
    *,
    source: str = "auto",
    progress: Callable[[IngestProgress], None] | None = None,
) -> IngestSummary:
    """Parse, resolve and store every document under ``paths``; see the module docstring."""
    if source != "auto" and source not in FORMATS:
        known = ", ".join(["auto", *sorted(FORMATS)])
        raise ParseError(f"unknown source format {source!r} (known: {known})")
    started = time.perf_counter()
    raws = iter_documents(paths, max_bytes=settings.max_document_bytes)
    # The worker is forked before the archive (SQLite, tantivy threads) exists in this process.
    with (
        _parsing(raws, source, settings.max_document_bytes) as parsed,
        open_archive(settings, create=True) as archive,
    ):
        run = _Run(archive, people_directory(archive), progress)
        for item in parsed:
            run.take(item)
        run.finish()
    return run.summary(time.perf_counter() - started)


class _Run:
    """The state of one ingest: the open batch, the counts, the failures."""

    def __init__(
        self,
        archive: Archive,
        directory: PeopleDirectory,
        progress: Callable[[IngestProgress], None] | None,
    ) -> None:
        self.archive = archive
        self.directory = directory
        self.progress = progress
        self.batch: list[Document] = []
        self.since = time.monotonic()
        self.counts = {"new": 0, "updated": 0, "unchanged": 0}
        self.failures: list[tuple[str, str]] = []
        self.written = 0
        self.current = ""

    def take(self, item: Document | StenogramError) -> None:
        if isinstance(item, StenogramError):
            self.failures.append((item.document or "?", item.reason))
        else:
            self.batch.append(item)
            self.current = item.origin or item.url or item.title
        if len(self.batch) >= BATCH_DOCS or time.monotonic() - self.since >= BATCH_SECONDS:
            self.flush()

    def flush(self) -> None:
        docs, self.batch = self.batch, []
        self.since = time.monotonic()
        if docs:
            known = self.archive.unchanged(docs)
            self.counts["unchanged"] += sum(r is not None for r in known)
            fresh = [d for d, r in zip(docs, known, strict=True) if r is None]
            if fresh:
                self._store([(d, self.directory.resolve(d)) for d in fresh])
        if self.written >= INDEX_EVERY:
            self.written = 0
            _catch_up_quietly(self.archive)
        self._report()

    def _store(self, items: list[Item]) -> None:
        persons = self.directory.changed()
        try:
            results = self.archive.store_many(items, persons=persons)
        except StoreError:
            # Find the document at fault: the others are stored one by one.
            self.archive.save_persons(persons)
            for doc, people in items:
                try:
                    self.counts[self.archive.store(doc, people=people).status] += 1
                    self.written += 1
                except StoreError as exc:
                    self.failures.append((doc.origin or doc.url or doc.title, exc.reason))
            return
        for result in results:
            self.counts[result.status] += 1
        self.written += sum(r.status != "unchanged" for r in results)

    def finish(self) -> None:
        self.flush()
        _catch_up(self.archive)

    def _report(self) -> None:
        if self.progress is not None:
            c = self.counts
            done = c["new"] + c["updated"] + c["unchanged"] + len(self.failures)
            failed = len(self.failures)
            self.progress(
                IngestProgress(done, c["new"], c["updated"], c["unchanged"], failed, self.current)
            )

    def summary(self, seconds: float) -> IngestSummary:
        c = self.counts
        return IngestSummary(
            c["new"],
            c["updated"],
            c["unchanged"],
            len(self.failures),
            tuple(self.failures),
            seconds,
        )


# --- the parse worker ---------------------------------------------------------------------------

_Parsed = Document | tuple[str, str]


def _parse_chunk(jobs: list[RawDocument], source: str, max_bytes: int) -> list[_Parsed]:
    """In the worker: a Document, or (document name, reason), per raw document. Exceptions are
    not sent back as such because a StenogramError loses its ``document`` through pickling."""
    out: list[_Parsed] = []
    for raw in jobs:
        try:
            out.append(parse_raw(raw, source, max_bytes))
        except StenogramError as exc:
            out.append((exc.document or raw.name, exc.reason))
    return out


@dataclass(frozen=True, slots=True)
class _Done:
    """A chunk parsed inline, with the interface of the worker's AsyncResult."""

    value: list[_Parsed]

    def get(self) -> list[_Parsed]:
        return self.value


@contextmanager
def _parsing(
    raws: Iterable[RawDocument | StenogramError], source: str, max_bytes: int
) -> Iterator[Iterator[Document | StenogramError]]:
    """Parsed documents (or failures) in input order, parsed by a worker process when there is
    a second core; on one core a worker would only add pickling, so it parses inline.

    At most :data:`IN_FLIGHT` chunks wait for the worker, so memory stays bounded by a few
    hundred pages whatever the corpus size (``Pool.imap`` would read all the input ahead).
    """
    pool = multiprocessing.get_context("fork").Pool(1) if (os.cpu_count() or 1) > 1 else None

    def submit(chunk: list[RawDocument]) -> _Done | AsyncResult[list[_Parsed]]:
        if pool is None:
            return _Done(_parse_chunk(chunk, source, max_bytes))
        return pool.apply_async(_parse_chunk, (chunk, source, max_bytes))

    def parsed() -> Iterator[Document | StenogramError]:
        waiting: deque[_Done | AsyncResult[list[_Parsed]] | StenogramError] = deque()
        chunk: list[RawDocument] = []
        for raw in chain(raws, [None]):
            if isinstance(raw, RawDocument):
                chunk.append(raw)
            if chunk and (raw is None or isinstance(raw, StenogramError) or len(chunk) >= CHUNK):
                waiting.append(submit(chunk))
                chunk = []
            if isinstance(raw, StenogramError):
                waiting.append(raw)
            while waiting and (raw is None or len(waiting) > IN_FLIGHT):
                head = waiting.popleft()
                if isinstance(head, StenogramError):
                    yield head
                    continue
                for result in head.get():
                    if isinstance(result, tuple):
                        yield ParseError(result[1], document=result[0])
                    else:
                        yield result

    try:
        yield parsed()
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
