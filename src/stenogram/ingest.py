"""Ingest: sources -> parse -> resolve -> archive -> search index, for the CLI and the web.

How the work is split, and why:

- Reading the sources (xz decompression) runs once, in a reader process that deals chunks of
  raw documents to :data:`WORKERS` parse processes in turn; they send parsed documents back in
  order through bounded queues while this process resolves people, writes and indexes. On two
  cores that overlaps parsing with storing, which cost about the same.
- One :class:`~stenogram.resolve.PeopleDirectory` serves the whole run, loaded from the archive
  with its persons and hand overrides, so a re-ingest lands on the same persons and the fixes
  of ``persons merge``/``split`` are replayed.
- Documents are written :data:`BATCH_DOCS` at a time, each batch (documents and the persons it
  changed) in one transaction, and at least every :data:`BATCH_SECONDS`. Every commit is atomic,
  so a SIGKILL loses at most the batch in flight, never half a document, and the next ingest
  stores what is missing (what is stored comes out "unchanged").
- A document the archive already holds unchanged is neither resolved nor written: re-ingesting
  costs a hash per page, and changes nothing, not even ``seq``.
- The search index is written by one writer held for the whole run, from the rows each new
  event's store result carries (nothing is read back), and committed every
  :data:`INDEX_EVERY` written documents and at the end. A batch with anything else (revisions,
  re-resolved people) is caught up from the database. A killed ingest leaves at most a lagging
  index, which :func:`open_archive` catches up.
- A document that cannot be read or parsed is counted with its reason; it never stops the batch
  nor touches stored data. A batch the database refuses is retried document by document, so
  only the document at fault fails.
"""

from __future__ import annotations

import ctypes
import gc
import itertools
import logging
import multiprocessing
import os
import queue
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from .archive import Archive, event_key
from .archive.batch import Item, StoreResult
from .archive.people import mention_key
from .archive.replicas import ReplicaPolicy
from .check import vectors
from .errors import IndexBusy, NotFound, ParseError, SourceError, StenogramError, StoreError
from .follow import catch_up_index, index_lag
from .metrics import INGESTED
from .model import Document, Person
from .parse import FORMATS
from .resolve import PeopleDirectory
from .search import Indexer, rebuild
from .settings import Settings
from .sources import RawDocument, iter_documents, parse_raw
from .translations import pair_translations

#: Documents per transaction: large enough that per-commit costs vanish (~1 ms a page stored
#: one by one, ~0.1 ms in batches of 100), small enough that a kill loses little.
BATCH_DOCS = 100
#: A batch is committed after this long even if not full (slow sources, small runs).
BATCH_SECONDS = 2.0
#: Written documents between two index commits.
INDEX_EVERY = 5000
#: Seconds an ingest waits for the index writer another process holds (see :func:`_when_free`).
INDEX_WAIT = 10.0
#: Parsed documents per message from the worker (amortises the round trip), and how many
#: messages may wait (bounds memory: the worker must not read the corpus far ahead).
CHUNK = 16
IN_FLIGHT = 8
#: Parse worker processes (with two cores, the parsing is the larger half of the work).
WORKERS = 2

_logger = logging.getLogger(__name__)
T = TypeVar("T")


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


def open_archive(settings: Settings, *, create: bool = False, replicas: bool = False) -> Archive:
    """Open the archive of ``settings``; a search index that lags the database is caught up first.

    With ``create`` (a writer: ingest, crawl) and the ``vectors`` setting, a node without
    passage vectors gets an empty store, which this catch-up and every later one fill: on an
    archive that already holds much, that is a long first catch-up (docs/check.md). A reader
    (``serve``) never starts one: ``stenogram reindex`` builds them.

    When the index cannot be caught up (another process holds its writer, its disk is full),
    the archive opens anyway and the index is read as it is, with a warning that says how far
    behind it is and why: a reader must not be refused because a derived copy cannot be written.
    """
    archive = open_settings(settings, create=create, replicas=replicas)
    try:
        if (
            create
            and settings.vectors
            and not vectors.exists(vectors.vectors_path(archive.index_path))
        ):
            vectors.create(vectors.vectors_path(archive.index_path))  # the catch-up fills it
        catch_up_index(archive)
    except StoreError as exc:
        if not archive.index_path.exists():
            archive.close()
            raise
        _warn_lag(archive, exc)
    except BaseException:
        archive.close()
        raise
    return archive


def _warn_lag(archive: Archive, exc: StoreError) -> None:
    lag = index_lag(archive, archive.index_path)[0]
    if lag > 0:
        _logger.warning(
            "the search index is %d changes behind the archive: %s; searches answer from "
            "what it holds until it is caught up",
            lag,
            exc.message,
        )


def open_settings(settings: Settings, *, create: bool = False, replicas: bool = False) -> Archive:
    """The archive that ``settings`` name: its folder, database and search index; with
    ``replicas``, its read replicas too (a web node's reads; writers never use them)."""
    policy = (
        ReplicaPolicy(
            settings.read_replicas, settings.replica_max_lag, settings.replica_check_seconds
        )
        if replicas and settings.read_replicas
        else None
    )
    return Archive.open(
        settings.archive,
        create=create,
        database=settings.database,
        index=settings.index,
        replicas=policy,
    )


def reindex(settings: Settings) -> int:
    """Rebuild the search index from the database, and the passage vectors if the node keeps
    them (the ``vectors`` setting; off, they are dropped); return how many rows were indexed."""
    with open_settings(settings, create=False) as archive:
        rows = rebuild(archive.index_path, archive.index_rows(0), archive.max_seq())
        if settings.vectors:
            vectors.rebuild(archive)
        else:
            vectors.remove(vectors.vectors_path(archive.index_path))
        return rows


def people_directory(archive: Archive) -> PeopleDirectory:
    """The archive's persons with their roles rebuilt from the stored mentions, so that a split
    moves the roles of the names it moves and a re-read document counts once."""
    return PeopleDirectory(archive.persons(), archive.overrides(), archive.mentions())


def resolve_key(doc: Document) -> str:
    """The name a document goes by in the resolver: its identity in the archive."""
    return mention_key(doc.source, event_key(doc))


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
        catch_up_index(archive)


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
    # The worker is forked before the archive (SQLite, tantivy threads) exists in this process.
    with (
        _parsing(paths, source, settings.max_document_bytes) as parsed,
        open_archive(settings, create=True) as archive,
        _Run(archive, people_directory(archive), progress) as run,
    ):
        for item in parsed:
            run.take(item)
        run.finish()
    return run.summary(time.perf_counter() - started)


def ingest_documents(
    docs: Iterable[RawDocument | Document | StenogramError],
    settings: Settings,
    *,
    progress: Callable[[IngestProgress], None] | None = None,
) -> IngestSummary:
    """Store documents that do not come from files (the crawler's fetches, the raw store), as
    they come: raw ones are parsed inline (their format hint decides the parser), parsed ones
    and failures go straight to the same batches, resolution and counts as :func:`ingest`.

    Inline because such sources are far slower than the parser, and a worker would hold
    documents back until a whole chunk had arrived.
    """
    started = time.perf_counter()
    with (
        open_archive(settings, create=True) as archive,
        _Run(archive, people_directory(archive), progress) as run,
    ):
        try:
            for doc in docs:
                if isinstance(doc, RawDocument):
                    try:
                        doc = parse_raw(doc, "auto", settings.max_document_bytes)
                    except StenogramError as exc:
                        doc = exc
                run.take(doc)
        except KeyboardInterrupt:
            # What arrived before Ctrl-C is kept: a resumed crawl starts after it.
            run.flush()
            raise
        run.finish()
    return run.summary(time.perf_counter() - started)


def _when_free(step: Callable[[], T]) -> T:
    """Run ``step`` on the index, waiting out a node's follower that holds the writer for a
    moment (an ingest, which holds it for its whole run, still ends the wait with IndexBusy):
    what is ingested through a node is then searchable there when the ingest returns."""
    deadline = time.monotonic() + INDEX_WAIT
    while True:
        try:
            return step()
        except IndexBusy:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


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
        self.indexer: Indexer | None = None
        #: Set when another process holds the index writer: it catches up what we store.
        self.index_busy = False

    def __enter__(self) -> _Run:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        """Commit the index on success; after a failure its last commit stands (it lags, and
        the next open catches it up)."""
        if self.indexer is not None:
            indexer, self.indexer = self.indexer, None
            indexer.__exit__(exc_type, None, None)

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
                self._store([(d, self.directory.resolve(d, resolve_key(d))) for d in fresh])
                pair_translations(self.archive, fresh)
        if self.written >= INDEX_EVERY and self.indexer is not None:
            self.written = 0
            self.indexer.commit()
        self._report()

    def _index(self, results: Sequence[StoreResult]) -> None:
        """Index what a batch wrote: from the rows its new events carry when they are all the
        index has to redo (other changes, such as translation pairs, leave it untouched), else
        from the database."""
        if self.index_busy:
            return
        if self.indexer is None:
            try:
                self.indexer = _when_free(lambda: Indexer(self.archive.index_path))
            except StoreError:
                self.index_busy = True
                return
        pending = self.archive.pending_changes(self.indexer.last_seq)
        rows = [row for r in results if r.index_rows for row in r.index_rows]
        if rows and {row.event_id for row in rows} == set(pending.event_ids):
            self.indexer.add(rows, new=True)
            self.indexer.applied(pending.upto)
        else:
            self.indexer.apply(self.archive)

    def _store(self, items: list[Item]) -> None:
        persons = self.directory.changed()
        try:
            results = self.archive.store_many(items, persons=persons)
        except StoreError:
            # Find the document at fault: the others are stored one by one.
            self.archive.save_persons(persons)
            results = []
            for doc, people in items:
                try:
                    results.append(self.archive.store(doc, people=people))
                except StoreError as exc:
                    self.failures.append((doc.origin or doc.url or doc.title, exc.reason))
        for result in results:
            self.counts[result.status] += 1
        self.written += sum(r.status != "unchanged" for r in results)
        self._index(results)

    def finish(self) -> None:
        self.flush()
        if self.indexer is not None:
            indexer, self.indexer = self.indexer, None
            indexer.close()
        with suppress(IndexBusy):  # its holder follows the change log
            _when_free(lambda: catch_up_index(self.archive))

    def _report(self) -> None:
        if self.progress is not None:
            c = self.counts
            done = c["new"] + c["updated"] + c["unchanged"] + len(self.failures)
            failed = len(self.failures)
            self.progress(
                IngestProgress(done, c["new"], c["updated"], c["unchanged"], failed, self.current)
            )

    def summary(self, seconds: float) -> IngestSummary:
        """The run's counts, also added to the process's ``/metrics`` counters (once, here:
        every ingest ends with its summary)."""
        c = self.counts
        for outcome in ("new", "updated", "unchanged"):
            INGESTED.labels(outcome).inc(c[outcome])
        INGESTED.labels("failed").inc(len(self.failures))
        return IngestSummary(
            c["new"],
            c["updated"],
            c["unchanged"],
            len(self.failures),
            tuple(self.failures),
            seconds,
        )


# --- the parse worker ---------------------------------------------------------------------------

#: What the worker sends per document: a Document, or (kind, document name, reason) for a
#: failure, because a StenogramError loses its ``document`` through pickling.
_Parsed = Document | tuple[str, str, str]
_FAILURES: dict[str, type[StenogramError]] = {"source": SourceError, "parse": ParseError}


def _read_and_parse(paths: Sequence[str | Path], source: str, max_bytes: int) -> Iterator[_Parsed]:
    for raw in iter_documents(paths, max_bytes=max_bytes):
        yield _parse_one(raw, source, max_bytes)


def _parse_one(raw: RawDocument | _Parsed | StenogramError, source: str, max_bytes: int) -> _Parsed:
    if isinstance(raw, StenogramError):
        return _failure("source", raw, "?")
    if not isinstance(raw, RawDocument):
        return raw  # a failure already
    try:
        return parse_raw(raw, source, max_bytes)
    except StenogramError as exc:
        return _failure("parse", exc, raw.name)


def _failure(kind: str, exc: StenogramError, name: str) -> tuple[str, str, str]:
    return (kind, exc.document or name, exc.reason)


#: prctl(2): the signal a process gets when the thread that forked it ends.
_PR_SET_PDEATHSIG = 1


def _end_with(parent: int) -> None:
    """Make this child die with the ingesting process. A reader or parser blocked on a full
    queue would otherwise wait forever for a parent killed with SIGKILL (three such orphans,
    ~60 MB each, were left by the SIGKILL test)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before the line above
        os._exit(1)


def _reader(
    paths: Sequence[str | Path], max_bytes: int, inboxes: Sequence[Any], parent: int
) -> None:
    """Read (decompress) the input once and deal it out in chunks of :data:`CHUNK` documents to
    the parse workers in turn; None ends each worker's stream, a string reports a crash (a bug:
    it is re-raised in the ingesting process).

    One reader for all workers because a compressed tar stream cannot be split: each worker
    reading the whole input itself cost ~1 s of CPU per worker per 100 MB of xz.
    """
    _end_with(parent)
    gc.freeze()
    try:
        chunk: list[RawDocument | _Parsed] = []
        at = 0
        for raw in iter_documents(paths, max_bytes=max_bytes):
            # A StenogramError loses its ``document`` through pickling: send it as a tuple.
            chunk.append(_failure("source", raw, "?") if isinstance(raw, StenogramError) else raw)
            if len(chunk) >= CHUNK:
                inboxes[at % len(inboxes)].put(chunk)
                chunk, at = [], at + 1
        if chunk:
            inboxes[at % len(inboxes)].put(chunk)
        for inbox in inboxes:
            inbox.put(None)
    except BaseException as exc:
        for inbox in inboxes:
            inbox.put(f"{type(exc).__name__}: {exc}")


def _worker(source: str, max_bytes: int, inbox: Any, out: Any, parent: int) -> None:
    """Parse the chunks the reader deals to this worker and send them on, in order; the end
    (None) and a crash report (a string) are passed through."""
    _end_with(parent)
    # The objects inherited from the parent are never freed here: keep the collector off them.
    gc.freeze()
    try:
        while True:
            chunk = inbox.get()
            if chunk is None or isinstance(chunk, str):
                out.put(chunk)
                return
            out.put([_parse_one(raw, source, max_bytes) for raw in chunk])
    except BaseException as exc:
        out.put(f"{type(exc).__name__}: {exc}")


def _document_or_error(item: _Parsed) -> Document | StenogramError:
    if isinstance(item, tuple):
        kind, name, reason = item
        return _FAILURES[kind](reason, document=name)
    return item


@contextmanager
def _parsing(
    paths: Sequence[str | Path], source: str, max_bytes: int
) -> Iterator[Iterator[Document | StenogramError]]:
    """Parsed documents (or failures) in input order: read by one process, parsed by
    :data:`WORKERS` processes taking chunks in turn, when there is a second core. Inline on one
    core (workers would only add pickling) and for standard input (a child process does not
    get it).

    At most :data:`IN_FLIGHT` chunks wait before and after each worker, so memory stays
    bounded by a few hundred pages whatever the corpus size.
    """
    if (os.cpu_count() or 1) < 2 or any(str(p) == "-" for p in paths):
        yield map(_document_or_error, _read_and_parse(paths, source, max_bytes))
        return
    context = multiprocessing.get_context("fork")
    inboxes = [context.Queue(IN_FLIGHT) for _ in range(WORKERS)]
    queues = [context.Queue(IN_FLIGHT) for _ in range(WORKERS)]
    reader = context.Process(
        target=_reader,
        args=(paths, max_bytes, inboxes, os.getpid()),
        name="stenogram-read",
        daemon=True,
    )
    workers = [
        context.Process(
            target=_worker,
            args=(source, max_bytes, inbox, out, os.getpid()),
            name=f"stenogram-parse-{turn}",
            daemon=True,
        )
        for turn, (inbox, out) in enumerate(zip(inboxes, queues, strict=True))
    ]
    for process in (reader, *workers):
        process.start()

    def parsed() -> Iterator[Document | StenogramError]:
        # Chunks go round the workers in order, so the first worker to end, in turn, ends all.
        for turn in itertools.cycle(range(WORKERS)):
            while True:
                try:
                    chunk = queues[turn].get(timeout=1.0)
                    break
                except queue.Empty:
                    if not workers[turn].is_alive():
                        raise RuntimeError("a parse worker died") from None
                    if reader.exitcode not in (None, 0):
                        raise RuntimeError("the reading process died") from None
            if chunk is None:
                return
            if isinstance(chunk, str):
                raise RuntimeError(f"a parse worker failed: {chunk}")
            yield from map(_document_or_error, chunk)

    try:
        yield parsed()
    finally:
        for process in (reader, *workers):
            process.terminate()
            process.join()
        for channel in (*inboxes, *queues):
            channel.close()
