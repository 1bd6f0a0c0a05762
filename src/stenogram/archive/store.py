"""The archive: a database (SQLite in the folder, or PostgreSQL) holding every revision of every
event, and a folder beside it for the search index and raw bodies.

Design choices that the rest of the project relies on:

- one transaction per batch of documents (:meth:`Archive.store_many`; one for :meth:`store`): a
  killed ingest loses at most the batch it was writing, never part of a document, and readers
  keep seeing the last committed state; writers queue one at a time (see :mod:`.dialects`);
- every read method runs in one explicit transaction, so a reader never sees half an event even
  while a writer commits;
- a document whose content hash is already current is not written at all, so re-ingesting is
  free and changes nothing (not even ``seq``, so the search index has nothing to redo);
- speech ids survive revisions when the turn is unchanged (see :func:`diff.speech_key`), which is
  what keeps ``/speeches/{id}`` permalinks valid.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, bindparam, func, select
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError

from ..errors import NotFound, StenogramError, StoreError, Unavailable
from ..ids import in_range
from ..model import Document, DocumentPeople, Override, Person
from ..resolve import Mention
from . import batch, browse, changes, migrate, records
from . import people as people_rows
from . import translations as translation_rows
from .activity import Activity, person_activity
from .batch import BatchWriter, Item
from .batch import StoreResult as StoreResult
from .batch import content_hash as content_hash
from .dialects import Backend, ChangeWatch, open_backend
from .diff import EventDiff, diff_documents
from .holdings import SourceSpan, source_spans
from .identity import event_key as event_key
from .prepared import Prepared
from .records import permalink
from .replicas import Replica, ReplicaPolicy, ReplicaSet
from .rows import IndexRow
from .schema import (
    event_translations,
    events,
    participants,
    people,
    revisions,
    sources,
    speeches,
)

DB_NAME = "stenogram.db"
INDEX_DIR = "index"
BATCH = 500


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event as stored now: its current revision, the ids of its speeches and their people."""

    event_id: int
    document: Document
    speech_ids: tuple[int, ...]
    revision: int
    revisions: int
    speech_people: tuple[str | None, ...]
    participant_people: tuple[str | None, ...]
    #: The other-language records of this item, and each speech's counterpart there (or None).
    translations: tuple[translation_rows.Translation, ...] = ()
    counterparts: tuple[translation_rows.Counterpart | None, ...] = ()

    @property
    def permalink(self) -> str:
        return permalink(self.document.source, self.document.source_id, self.event_id)

    def speech_permalink(self, position: int) -> str:
        return permalink(self.document.source, self.document.source_id, self.event_id, position)

    def to_dict(self) -> dict[str, Any]:
        """The record of ``show --json``: the parse record plus the archive's ids."""
        record = self.document.to_dict()
        for speech, speech_id, person in zip(
            record["speeches"], self.speech_ids, self.speech_people, strict=True
        ):
            speech["id"] = speech_id
            speech["resolved_person_id"] = person
        for participant, person in zip(
            record["participants"], self.participant_people, strict=True
        ):
            participant["resolved_person_id"] = person
        counterparts = self.counterparts or (None,) * len(record["speeches"])
        for speech, counterpart in zip(record["speeches"], counterparts, strict=True):
            speech["counterpart"] = counterpart.to_dict() if counterpart else None
        return {
            "event_id": self.event_id,
            "revision": self.revision,
            "revisions": self.revisions,
            "permalink": self.permalink,
            **record,
            "translations": [t.to_dict() for t in self.translations],
        }


# Built once (see ``records`` on prebuilt statements): every event page runs these.
_REVISION_COUNT = Prepared(
    select(func.count()).select_from(revisions).where(revisions.c.event_id == bindparam("id"))
)
_EVENT_COUNTS = Prepared(
    select(events.c.revision, events.c.speech_count, events.c.word_count).where(
        events.c.id == bindparam("id")
    )
)
_REVISIONS = Prepared(
    select(revisions.c.number, revisions.c.stored, revisions.c.origin, revisions.c.content_hash)
    .where(revisions.c.event_id == bindparam("id"))
    .order_by(revisions.c.number)
)
_OLD_RECORDS = Prepared(
    select(revisions.c.number, revisions.c.record).where(
        revisions.c.event_id == bindparam("id"), revisions.c.number != bindparam("current")
    )
)


@dataclass(frozen=True, slots=True)
class RevisionInfo:
    number: int
    stored: str
    origin: str | None
    content_hash: str
    speeches: int
    words: int
    current: bool


@dataclass(frozen=True, slots=True)
class SpeechRef:
    """Where a speech id points: its event, its position there, and whether it is current."""

    speech_id: int
    event_id: int
    position: int
    revision: int
    current: bool
    permalink: str


@dataclass(frozen=True, slots=True)
class ArchiveInfo:
    path: Path
    #: Where the database is: a file, or a URL without its password.
    database: str
    events: int
    speeches: int
    people: int
    revisions: int
    sources: int
    bytes: int
    by_source: tuple[SourceSpan, ...] = ()
    #: This node's search index and how far it is behind the change log.
    index: Path | None = None
    index_lag: changes.Lag | None = None
    #: This node's passage vectors (count, lag), when it keeps them (``check.vectors.info``).
    vectors: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "database": self.database,
            "events": self.events,
            "speeches": self.speeches,
            "people": self.people,
            "revisions": self.revisions,
            "sources": self.sources,
            "bytes": self.bytes,
            "by_source": [span.to_dict() for span in self.by_source],
            "index": {
                "path": str(self.index) if self.index else None,
                **(self.index_lag.to_dict() if self.index_lag else {}),
            },
            "vectors": self.vectors,
        }


class Archive:
    """One archive: its database, and a folder for the search index and raw bodies."""

    def __init__(
        self,
        path: Path,
        backend: Backend,
        index: Path | None = None,
        replicas: ReplicaSet | None = None,
    ) -> None:
        self.path = path
        self.backend = backend
        self._engine = backend.engine
        self._index = index
        #: Where the read methods may read instead of the primary (see :meth:`reading`).
        self.replicas = replicas

    @property
    def index_path(self) -> Path:
        """Where this node keeps its search index (``--index``; default: beside the database)."""
        return self._index if self._index is not None else self.path / INDEX_DIR

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        create: bool = True,
        database: str | None = None,
        index: Path | None = None,
        replicas: ReplicaPolicy | None = None,
    ) -> Archive:
        """Open (or create) the archive at ``path`` and bring its schema up to date.

        ``database``: a ``postgresql://`` URL, or a folder of a SQLite archive; default
        ``path``'s own ``stenogram.db``. ``replicas``: hot standbys of that database for the
        read methods (:mod:`.replicas`).
        """
        path = Path(path)
        backend = open_backend(path, database, db_name=DB_NAME)
        _schema_step(path, backend, create, migrate.prepare)
        try:
            standbys = ReplicaSet(backend.engine, replicas) if replicas and replicas.urls else None
        except StenogramError:
            backend.engine.dispose()
            raise
        return cls(path, backend, index, standbys)

    def close(self) -> None:
        if self.replicas is not None:
            self.replicas.close()
        self._engine.dispose()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def watch(self) -> ChangeWatch:
        """A number that changes whenever anyone commits to this archive's database, or (with
        replicas) whenever a replica replays more of it: what is read may change then too."""
        found = self.backend.watch()
        return found if self.replicas is None else _ReplicatedWatch(found, self.replicas)

    # --- transactions ---------------------------------------------------------------------

    @contextmanager
    def reading(self, *, primary: bool = False) -> Iterator[Connection]:
        """One read transaction: one snapshot for everything read in it.

        With replicas, on one of them that is up and not lagging (else on the primary);
        ``primary``: on the primary whatever the replicas, to read back one's own write."""
        wanted = None if primary or self.replicas is None else self.replicas.pick()
        used: Replica | None = None
        try:
            opened, used = self._connect(wanted)
            options = self.backend.read_options
            with opened.execution_options(**options) as conn, conn.begin():
                yield conn
        except SQLAlchemyError as exc:
            lost = _lost(exc, self.backend.name)
            if lost and used is not None and self.replicas is not None:
                self.replicas.failed(used, exc)
            where = self.backend.where if used is None else used.where
            raise _store_error(exc, where, self.backend.name) from exc

    def _connect(self, replica: Replica | None) -> tuple[Connection, Replica | None]:
        """A connection to ``replica``, or to the primary when there is none or it fails; and
        the replica it is to (None: the primary)."""
        if replica is not None and self.replicas is not None:
            try:
                return replica.engine.connect(), replica
            except SQLAlchemyError as exc:
                self.replicas.failed(replica, exc)
        return self._engine.connect(), None

    @contextmanager
    def writing(self, what: str | None = None, *, queue: bool = True) -> Iterator[Connection]:
        """One write transaction, after the writers before it (see :mod:`.dialects`).

        ``queue=False`` skips the writers' queue where the backend has one (PostgreSQL): for
        writes that touch no ``seq`` nor id block and lock their own rows (the crawl frontier),
        so that they do not wait behind a batch of documents being stored."""
        try:
            options = self.backend.write_options
            with self._engine.connect().execution_options(**options) as conn, conn.begin():
                if queue:
                    self.backend.lock_writes(conn)
                yield conn
        except SQLAlchemyError as exc:
            where = f"{self.backend.where} ({what})" if what else self.backend.where
            raise _store_error(exc, where, self.backend.name) from exc

    # --- writing --------------------------------------------------------------------------

    def store(
        self,
        doc: Document,
        *,
        people: DocumentPeople | None = None,
        persons: Sequence[Person] = (),
    ) -> StoreResult:
        """Store one document in its own transaction; see the module docstring for the rules."""
        return self.store_many([(doc, people)], persons=persons)[0]

    def store_many(
        self, items: Sequence[Item], *, persons: Sequence[Person] = ()
    ) -> list[StoreResult]:
        """Store documents (with their people) and ``persons`` in ONE transaction.

        All or nothing: on a :class:`StoreError` nothing of the batch is kept, so a caller that
        must not lose the good documents retries them one by one.
        """
        if not items and not persons:
            return []
        first = items[0][0] if items else None
        what = (first.origin or first.url or first.title) if first else "people"
        if len(items) > 1:
            what = f"{len(items)} documents from {what}"
        with self.writing(what) as conn:
            self._save_persons(conn, persons)
            return BatchWriter(conn, self.backend).write(items)

    def unchanged(self, docs: Sequence[Document]) -> list[StoreResult | None]:
        """Which of ``docs`` the archive already holds as they are (one read for all), so that
        a re-ingest can skip resolving and writing them."""
        with self.reading() as conn:
            return batch.unchanged(conn, docs)

    def _save_persons(self, conn: Connection, persons: Sequence[Person]) -> None:
        for start in range(0, len(persons), BATCH):
            people_rows.save_persons(conn, persons[start : start + BATCH])
        if persons:
            changes.append(conn, self.backend, [changes.NO_EVENT], "persons")

    def save_persons(self, persons: Sequence[Person]) -> None:
        with self.writing("people") as conn:
            self._save_persons(conn, persons)

    def overrides(self) -> list[Override]:
        """The hand fixes of people, in the order they were made (to be replayed so)."""
        with self.reading() as conn:
            return people_rows.load_overrides(conn)

    def add_override(self, override: Override) -> None:
        with self.writing("person overrides") as conn:
            people_rows.add_override(conn, override, records.now())
            changes.append(conn, self.backend, [changes.NO_EVENT], "persons")

    def apply_override(
        self, override: Override, persons: Sequence[Person], gone: Sequence[str]
    ) -> int:
        """Record ``override`` and its effect in one transaction: save the changed ``persons``,
        drop the ``gone`` ones, and re-point the stored mentions it moves. Returns the number of
        events touched (logged as changed, so every index follows)."""
        with self.writing("person overrides") as conn:
            people_rows.add_override(conn, override, records.now())
            self._save_persons(conn, persons)
            touched = people_rows.reroute(conn, override)
            people_rows.delete_persons(conn, gone)
            return changes.touch(conn, self.backend, touched, "people")

    # --- reading --------------------------------------------------------------------------

    def persons(self) -> list[Person]:
        with self.reading() as conn:
            return people_rows.load_persons(conn)

    def mentions(self) -> list[Mention]:
        """The stored mentions with a role, which the resolver rebuilds roles from."""
        with self.reading() as conn:
            return people_rows.load_mentions(conn)

    def person_activity(self) -> dict[str, Activity]:
        """Events, speeches and words per resolved person id (see :mod:`.activity`)."""
        with self.reading() as conn:
            return person_activity(conn)

    def event(self, ref: str | int, revision: int | None = None) -> StoredEvent:
        """The current revision, or an older one (whose resolved people are not kept: None)."""
        with self.reading() as conn:
            return _stored_event(conn, records.resolve(conn, ref), revision)

    def event_with_revisions(
        self, ref: str | int, revision: int | None = None
    ) -> tuple[StoredEvent, list[RevisionInfo]]:
        """:meth:`event` and :meth:`revisions` in one read: what an event page shows."""
        with self.reading() as conn:
            event_id = records.resolve(conn, ref)
            infos = _revision_infos(conn, event_id)
            return _stored_event(conn, event_id, revision, infos), infos

    def events_after(self, after: int = 0, limit: int = BATCH) -> list[StoredEvent]:
        """The current revision of up to ``limit`` events with archive ids above ``after``, in id
        order, from one snapshot: an export pages through the archive with these in constant
        memory, reading each batch in a few queries rather than a few per event."""
        with self.reading() as conn:
            heads = conn.execute(
                select(events.c.id, events.c.revision)
                .where(events.c.id > after)
                .order_by(events.c.id)
                .limit(limit)
            ).all()
            return _stored_batch(conn, [(row.id, row.revision) for row in heads])

    def speech(self, speech_id: int) -> SpeechRef:
        """Resolve ``/speeches/{id}``, also for a speech that a later revision dropped."""
        if not in_range(speech_id):
            raise NotFound(f"no speech with id {speech_id}", document=str(self.path))
        with self.reading() as conn:
            row = conn.execute(
                select(
                    speeches.c.event_id,
                    speeches.c.position,
                    events.c.revision,
                    events.c.source,
                    events.c.source_id,
                )
                .join(events, events.c.id == speeches.c.event_id)
                .where(speeches.c.id == speech_id)
            ).first()
            if row is not None:
                link = permalink(row.source, row.source_id, row.event_id, row.position)
                return SpeechRef(speech_id, row.event_id, row.position, row.revision, True, link)
            needle = str(speech_id)
            candidates = conn.execute(
                select(
                    revisions.c.event_id,
                    revisions.c.number,
                    revisions.c.speech_ids,
                    events.c.source,
                    events.c.source_id,
                )
                .join(events, events.c.id == revisions.c.event_id)
                .where(revisions.c.speech_ids.contains(needle))
                .order_by(revisions.c.number.desc())
            ).all()
        for cand in candidates:
            ids: list[int] = json.loads(cand.speech_ids)
            if speech_id in ids:
                position = ids.index(speech_id) + 1
                link = permalink(cand.source, cand.source_id, cand.event_id, position, cand.number)
                return SpeechRef(speech_id, cand.event_id, position, cand.number, False, link)
        raise NotFound(f"no speech with id {speech_id}", document=self.backend.where)

    def revisions(self, ref: str | int) -> list[RevisionInfo]:
        with self.reading() as conn:
            return _revision_infos(conn, records.resolve(conn, ref))

    def diff(self, ref: str | int, a: int | None = None, b: int | None = None) -> EventDiff:
        """Changes from revision ``a`` to ``b`` (default: the previous one to the current one)."""
        with self.reading() as conn:
            event_id = records.resolve(conn, ref)
            current = records.current_revision(conn, event_id)
            new = current if b is None else b
            old = max(new - 1, 1) if a is None else a
            old_record = records.revision(conn, event_id, old)[0]
            new_record = records.revision(conn, event_id, new)[0]
        return diff_documents(
            Document.from_dict(old_record),
            Document.from_dict(new_record),
            event_id=event_id,
            old_revision=old,
            new_revision=new,
        )

    def info(self) -> ArchiveInfo:
        with self.reading() as conn:
            counts = [
                int(conn.scalar(select(func.count()).select_from(table)) or 0)
                for table in (events, speeches, people, revisions, sources)
            ]
            spans = source_spans(conn)
            size = self.backend.size(conn)
        # The folder's own files: raw bodies and the index (a database file in it is counted
        # above, whichever database this archive uses).
        size += sum(
            p.stat().st_size
            for p in self.path.rglob("*")
            if p.is_file() and not (p.parent == self.path and p.name.startswith(DB_NAME))
        )
        events_n, speeches_n, people_n, revisions_n, sources_n = counts
        return ArchiveInfo(
            self.path,
            self.backend.where,
            events_n,
            speeches_n,
            people_n,
            revisions_n,
            sources_n,
            size,
            spans,
        )

    def holdings(self) -> tuple[SourceSpan, ...]:
        """Per source, the events and their dates: :meth:`info` without sizing the folder."""
        with self.reading() as conn:
            return source_spans(conn)

    def counts(self) -> dict[str, int]:
        """Events, speeches and people: :meth:`info` without sizing every file of the folder,
        for the front page, which shows them on every request."""
        with self.reading() as conn:
            return {
                name: int(conn.scalar(select(func.count()).select_from(table)) or 0)
                for name, table in (("events", events), ("speeches", speeches), ("people", people))
            }

    # --- translations (paired by :mod:`stenogram.translations`) -----------------------------

    def events_by_source_id(self, source_ids: Sequence[str]) -> list[translation_rows.EventHead]:
        """Every stored event with one of these publisher ids, whatever its source."""
        with self.reading() as conn:
            return translation_rows.heads_by_source_id(conn, sorted(set(source_ids)))

    def speech_turns(self, event_id: int) -> list[translation_rows.SpeechTurn]:
        with self.reading() as conn:
            return translation_rows.turns(conn, event_id)

    def save_translation(
        self, event_id: int, other_event_id: int, pairs: Sequence[tuple[int, int, float]]
    ) -> None:
        """Record two events as one item in two languages, replacing their speech pairs."""
        with self.writing("translations") as conn:
            translation_rows.save_pair(conn, event_id, other_event_id, pairs, records.now())
            changes.append(conn, self.backend, [event_id, other_event_id], "translation")

    def translations(self, event_id: int) -> list[translation_rows.Translation]:
        with self.reading() as conn:
            return translation_rows.translations_of(conn, event_id)

    # --- browsing (the web pages page through these; see :mod:`.browse`) ------------------

    def event_list(
        self, wanted: browse.EventFilter | None = None, *, offset: int = 0, limit: int = 20
    ) -> tuple[int, list[browse.EventSummary]]:
        with self.reading() as conn:
            return browse.event_summaries(conn, wanted or browse.EventFilter(), offset, limit)

    def tag_counts(
        self, kind: browse.BrowseKind, *, offset: int = 0, limit: int = 100
    ) -> tuple[int, list[tuple[str, int]]]:
        with self.reading() as conn:
            return browse.tag_counts(conn, kind, offset, limit)

    def section_counts(self) -> list[tuple[str, int]]:
        with self.reading() as conn:
            return browse.section_counts(conn)

    def person(self, person_id: str) -> Person:
        with self.reading() as conn:
            return browse.person(conn, person_id)

    def person_list(
        self, *, offset: int = 0, limit: int = 50
    ) -> tuple[int, list[browse.PersonSummary]]:
        with self.reading() as conn:
            return browse.person_summaries(conn, offset, limit)

    def person_speeches(
        self, person_id: str, *, offset: int = 0, limit: int = 20
    ) -> tuple[int, list[browse.SpeechSummary]]:
        with self.reading() as conn:
            return browse.person_speeches(conn, person_id, offset, limit)

    def person_years(self, person_id: str) -> list[browse.YearWords]:
        with self.reading() as conn:
            return browse.person_years(conn, person_id)

    # --- the change log (see :mod:`.changes`) ------------------------------------------------

    def max_seq(self, *, primary: bool = False) -> int:
        """The position of the change log: the ``seq`` of the last committed change (as a
        replica has it, unless ``primary``)."""
        with self.reading(primary=primary) as conn:
            return changes.position(conn)

    def pending_changes(self, after: int) -> changes.Pending:
        """What a search index that applied the log up to ``after`` must redo."""
        with self.reading() as conn:
            return changes.pending(conn, after)

    def change_lag(self, applied: int) -> changes.Lag:
        with self.reading() as conn:
            return changes.lag(conn, applied)

    def index_rows(self, after_seq: int = 0) -> Iterator[IndexRow]:
        """Rows of every event changed after ``after_seq``, from one consistent snapshot."""
        if after_seq > 0:
            yield from self.index_rows_of(self.pending_changes(after_seq).event_ids)
            return
        with self.reading() as conn:
            changed = conn.execute(select(events).order_by(events.c.seq)).all()
            for start in range(0, len(changed), BATCH):
                yield from records.index_batch(conn, changed[start : start + BATCH])

    def index_rows_of(self, event_ids: Sequence[int]) -> Iterator[IndexRow]:
        """The current rows of these events, grouped by event (an event no longer stored has
        none), from one snapshot."""
        with self.reading() as conn:
            for start in range(0, len(event_ids), BATCH):
                chunk = event_ids[start : start + BATCH]
                found = conn.execute(
                    select(events).where(events.c.id.in_(chunk)).order_by(events.c.seq)
                ).all()
                yield from records.index_batch(conn, found)


def migrate_archive(path: Path, database: str | None = None) -> tuple[str | None, str | None]:
    """Upgrade the archive's schema to this code's (``stenogram migrate``): before and after."""
    backend = open_backend(Path(path), database, db_name=DB_NAME)
    versions: list[str | None] = []
    try:
        _schema_step(
            Path(path), backend, False, lambda conn: versions.extend(migrate.upgrade(conn))
        )
    finally:
        backend.engine.dispose()
    return versions[0], versions[1]


def _schema_step(
    path: Path, backend: Backend, create: bool, step: Callable[[Connection], object]
) -> None:
    """Run ``step`` on the schema in a write transaction; any failure closes the engine."""
    try:
        if not create and not backend.exists():
            raise StoreError("no archive here", document=backend.where)
        if create:
            path.mkdir(parents=True, exist_ok=True)
        options = backend.write_options
        with backend.engine.connect().execution_options(**options) as conn, conn.begin():
            backend.lock_writes(conn)
            step(conn)
    except OSError as exc:
        backend.engine.dispose()
        raise StoreError(f"cannot create the archive folder: {exc}", document=str(path)) from exc
    except StoreError as exc:
        backend.engine.dispose()
        raise StoreError(exc.reason, document=backend.where) from exc
    except SQLAlchemyError as exc:
        backend.engine.dispose()
        raise StoreError(_reason(exc), document=backend.where) from exc


# --- helpers that run inside a caller's transaction -------------------------------------------


def _reason(exc: SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None)
    return f"database error: {orig or exc}"


def _lost(exc: SQLAlchemyError, dialect: str) -> bool:
    """Whether ``exc`` is a lost or refused connection to a database server. None of SQLite's
    errors is: it is a file, not a server ("locked" and "disk I/O error" are no outage)."""
    return (isinstance(exc, DBAPIError) and exc.connection_invalidated) or (
        dialect != "sqlite" and isinstance(exc, OperationalError | InterfaceError)
    )


def _store_error(exc: SQLAlchemyError, where: str, dialect: str) -> StoreError:
    """A lost connection is :class:`Unavailable` (retry shortly; its detail goes to the log,
    not to a client); any other failure is a :class:`StoreError`."""
    if _lost(exc, dialect):
        detail = " ".join(str(getattr(exc, "orig", None) or exc).split())
        return Unavailable("the database cannot be reached now", document=f"{where} ({detail})")
    return StoreError(_reason(exc), document=where)


class _ReplicatedWatch:
    """The primary's change counter and the replicas' (:attr:`ReplicaSet.version`) as one."""

    def __init__(self, primary: ChangeWatch, replicas: ReplicaSet) -> None:
        self._primary = primary
        self._replicas = replicas

    def current(self) -> int:
        return hash((self._primary.current(), self._replicas.version))

    def close(self) -> None:
        self._primary.close()


def _stored_event(
    conn: Connection,
    event_id: int,
    revision: int | None,
    infos: Sequence[RevisionInfo] | None = None,
) -> StoredEvent:
    """``infos``: the event's revisions when the caller has read them already; they give the
    current number and the count."""
    if infos is None:
        current = records.current_revision(conn, event_id)
        count = _REVISION_COUNT.scalar(conn, id=event_id)
    else:
        current = next((info.number for info in infos if info.current), 1)
        count = len(infos)
    number = current if revision is None else revision
    record, speech_ids = records.revision(conn, event_id, number)
    people = records.people_of(conn, event_id) if number == current else None
    translated = translation_rows.translations_of(conn, event_id)
    found = translation_rows.counterparts_of(conn, speech_ids) if translated else {}
    document = Document.from_dict(record)
    if people is None:
        people = DocumentPeople(
            (None,) * len(document.speeches), (None,) * len(document.participants)
        )
    return StoredEvent(
        event_id,
        document,
        tuple(speech_ids),
        number,
        int(count or 0),
        people.speeches,
        people.participants,
        tuple(translated),
        tuple(found.get(speech_id) for speech_id in speech_ids),
    )


def _stored_batch(conn: Connection, heads: Sequence[tuple[int, int]]) -> list[StoredEvent]:
    """:func:`_stored_event` of the current revision of several events, batched by table."""
    ids = [event_id for event_id, _ in heads]
    current = dict(heads)
    records: dict[int, tuple[bytes | str, bytes | str]] = {}
    counts: dict[int, int] = {}
    for row in conn.execute(
        select(
            revisions.c.event_id, revisions.c.number, revisions.c.record, revisions.c.speech_ids
        ).where(revisions.c.event_id.in_(ids))
    ):
        counts[row.event_id] = counts.get(row.event_id, 0) + 1
        if row.number == current[row.event_id]:
            records[row.event_id] = (row.record, row.speech_ids)
    people: dict[tuple[str, int], list[str | None]] = {}
    for name, table in (("speeches", speeches), ("participants", participants)):
        for row in conn.execute(
            select(table.c.event_id, table.c.person_id)
            .where(table.c.event_id.in_(ids))
            .order_by(table.c.event_id, table.c.position)
        ):
            people.setdefault((name, row.event_id), []).append(row.person_id)
    paired: set[int] = set(
        conn.scalars(
            select(event_translations.c.event_id).where(event_translations.c.event_id.in_(ids))
        )
    )
    found = []
    for event_id in ids:
        record, speech_ids = records[event_id]
        said: list[int] = orjson.loads(speech_ids)
        translated = translation_rows.translations_of(conn, event_id) if event_id in paired else []
        pairs = translation_rows.counterparts_of(conn, said) if translated else {}
        found.append(
            StoredEvent(
                event_id,
                Document.from_dict(orjson.loads(record)),
                tuple(said),
                current[event_id],
                counts[event_id],
                tuple(people.get(("speeches", event_id), ())),
                tuple(people.get(("participants", event_id), ())),
                tuple(translated),
                tuple(pairs.get(speech_id) for speech_id in said),
            )
        )
    return found


def _revision_infos(conn: Connection, event_id: int) -> list[RevisionInfo]:
    """The stored revisions, oldest first. The current one's counts are the event row's; an
    older one's come from its record (every event page lists them: most have one)."""
    found = _EVENT_COUNTS.first(conn, id=event_id)
    if found is None:
        raise NotFound(f"no event with id {event_id}")
    current, speeches_now, words_now = found
    old = {
        number: orjson.loads(record)["speeches"]
        for number, record in _OLD_RECORDS.rows(conn, id=event_id, current=current)
    }
    infos = []
    for number, stored, origin, digest in _REVISIONS.rows(conn, id=event_id):
        said = old.get(number)
        speech_count, word_count = (
            (speeches_now, words_now)
            if said is None
            else (len(said), sum(records.words(s["text"]) for s in said))
        )
        infos.append(
            RevisionInfo(
                number, stored, origin, digest, speech_count, word_count, number == current
            )
        )
    return infos
