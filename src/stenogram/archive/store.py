"""The archive: an SQLite database (PostgreSQL later) holding every revision of every event.

Design choices that the rest of the project relies on:

- one transaction per batch of documents (:meth:`Archive.store_many`; one for :meth:`store`), in
  WAL mode with ``synchronous=NORMAL``: a killed ingest loses at most the batch it was writing,
  never part of a document, and readers keep seeing the last committed state;
- every read method runs in one explicit transaction, so a reader never sees half an event even
  while a writer commits (pysqlite would otherwise run each SELECT in its own snapshot);
- a document whose content hash is already current is not written at all, so re-ingesting is
  free and changes nothing (not even ``seq``, so the search index has nothing to redo);
- speech ids survive revisions when the turn is unchanged (see :func:`diff.speech_key`), which is
  what keeps ``/speeches/{id}`` permalinks valid.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import (
    Connection,
    Engine,
    bindparam,
    create_engine,
    event,
    func,
    select,
    update,
)
from sqlalchemy.exc import SQLAlchemyError

from ..errors import NotFound, StoreError
from ..ids import in_range
from ..model import Document, DocumentPeople, Override, Person
from ..resolve import Mention
from . import batch, browse, records
from . import people as people_rows
from . import translations as translation_rows
from .activity import Activity, person_activity
from .batch import BatchWriter, Item
from .batch import StoreResult as StoreResult
from .batch import content_hash as content_hash
from .diff import EventDiff, diff_documents
from .holdings import SourceSpan, source_spans
from .identity import event_key as event_key
from .migrate import upgrade
from .prepared import Prepared
from .records import permalink
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
    events: int
    speeches: int
    people: int
    revisions: int
    sources: int
    bytes: int
    by_source: tuple[SourceSpan, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "events": self.events,
            "speeches": self.speeches,
            "people": self.people,
            "revisions": self.revisions,
            "sources": self.sources,
            "bytes": self.bytes,
            "by_source": [span.to_dict() for span in self.by_source],
        }


class Archive:
    """One archive folder: ``stenogram.db`` plus the search index directory beside it."""

    def __init__(self, path: Path, engine: Engine) -> None:
        self.path = path
        self._engine = engine

    @property
    def db_path(self) -> Path:
        return self.path / DB_NAME

    @property
    def index_path(self) -> Path:
        return self.path / INDEX_DIR

    @classmethod
    def open(cls, path: Path, *, create: bool = True) -> Archive:
        """Open (or create) the archive at ``path`` and bring its schema up to date."""
        path = Path(path)
        db = path / DB_NAME
        if not create and not db.is_file():
            raise StoreError("no archive here (no stenogram.db)", document=str(path))
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create the archive folder: {exc}", document=str(path)
            ) from exc
        engine = create_engine(f"sqlite:///{db}", connect_args={"timeout": 30.0})
        _sqlite_transactions(engine)
        try:
            with engine.connect().execution_options(immediate=True) as conn, conn.begin():
                upgrade(conn)
        except StoreError as exc:
            engine.dispose()
            raise StoreError(exc.reason, document=str(path)) from exc
        except SQLAlchemyError as exc:
            engine.dispose()
            raise StoreError(_reason(exc), document=str(path)) from exc
        return cls(path, engine)

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- transactions ---------------------------------------------------------------------

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        try:
            with self._engine.connect() as conn, conn.begin():
                yield conn
        except SQLAlchemyError as exc:
            raise StoreError(_reason(exc), document=str(self.path)) from exc

    @contextmanager
    def _write(self, what: str | None = None) -> Iterator[Connection]:
        try:
            with self._engine.connect().execution_options(immediate=True) as conn, conn.begin():
                yield conn
        except SQLAlchemyError as exc:
            where = f"{self.path} ({what})" if what else str(self.path)
            raise StoreError(_reason(exc), document=where) from exc

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
        with self._write(what) as conn:
            self._save_persons(conn, persons)
            return BatchWriter(conn).write(items)

    def unchanged(self, docs: Sequence[Document]) -> list[StoreResult | None]:
        """Which of ``docs`` the archive already holds as they are (one read for all), so that
        a re-ingest can skip resolving and writing them."""
        with self._read() as conn:
            return batch.unchanged(conn, docs)

    def _save_persons(self, conn: Connection, persons: Sequence[Person]) -> None:
        for start in range(0, len(persons), BATCH):
            people_rows.save_persons(conn, persons[start : start + BATCH])

    def save_persons(self, persons: Sequence[Person]) -> None:
        with self._write("people") as conn:
            self._save_persons(conn, persons)

    def overrides(self) -> list[Override]:
        """The hand fixes of people, in the order they were made (to be replayed so)."""
        with self._read() as conn:
            return people_rows.load_overrides(conn)

    def add_override(self, override: Override) -> None:
        with self._write("person overrides") as conn:
            people_rows.add_override(conn, override, records.now())

    def apply_override(
        self, override: Override, persons: Sequence[Person], gone: Sequence[str]
    ) -> int:
        """Record ``override`` and its effect in one transaction: save the changed ``persons``,
        drop the ``gone`` ones, and re-point the stored mentions it moves. Returns the number of
        events touched (their ``seq`` is bumped, so the index follows)."""
        with self._write("person overrides") as conn:
            now = records.now()
            people_rows.add_override(conn, override, now)
            self._save_persons(conn, persons)
            touched = people_rows.reroute(conn, override)
            people_rows.delete_persons(conn, gone)
            seq = records.current_seq(conn)
            for event_id in sorted(touched):
                seq += 1
                conn.execute(
                    update(events).where(events.c.id == event_id).values(seq=seq, updated=now)
                )
            records.save_seq(conn, seq)
            return len(touched)

    # --- reading --------------------------------------------------------------------------

    def persons(self) -> list[Person]:
        with self._read() as conn:
            return people_rows.load_persons(conn)

    def mentions(self) -> list[Mention]:
        """The stored mentions with a role, which the resolver rebuilds roles from."""
        with self._read() as conn:
            return people_rows.load_mentions(conn)

    def person_activity(self) -> dict[str, Activity]:
        """Events, speeches and words per resolved person id (see :mod:`.activity`)."""
        with self._read() as conn:
            return person_activity(conn)

    def event(self, ref: str | int, revision: int | None = None) -> StoredEvent:
        """The current revision, or an older one (whose resolved people are not kept: None)."""
        with self._read() as conn:
            return _stored_event(conn, records.resolve(conn, ref), revision)

    def event_with_revisions(
        self, ref: str | int, revision: int | None = None
    ) -> tuple[StoredEvent, list[RevisionInfo]]:
        """:meth:`event` and :meth:`revisions` in one read: what an event page shows."""
        with self._read() as conn:
            event_id = records.resolve(conn, ref)
            infos = _revision_infos(conn, event_id)
            return _stored_event(conn, event_id, revision, infos), infos

    def events_after(self, after: int = 0, limit: int = BATCH) -> list[StoredEvent]:
        """The current revision of up to ``limit`` events with archive ids above ``after``, in id
        order, from one snapshot: an export pages through the archive with these in constant
        memory, reading each batch in a few queries rather than a few per event."""
        with self._read() as conn:
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
        with self._read() as conn:
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
        raise NotFound(f"no speech with id {speech_id}", document=str(self.path))

    def revisions(self, ref: str | int) -> list[RevisionInfo]:
        with self._read() as conn:
            return _revision_infos(conn, records.resolve(conn, ref))

    def diff(self, ref: str | int, a: int | None = None, b: int | None = None) -> EventDiff:
        """Changes from revision ``a`` to ``b`` (default: the previous one to the current one)."""
        with self._read() as conn:
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
        with self._read() as conn:
            counts = [
                int(conn.scalar(select(func.count()).select_from(table)) or 0)
                for table in (events, speeches, people, revisions, sources)
            ]
            spans = source_spans(conn)
        size = sum(p.stat().st_size for p in self.path.rglob("*") if p.is_file())
        events_n, speeches_n, people_n, revisions_n, sources_n = counts
        return ArchiveInfo(
            self.path, events_n, speeches_n, people_n, revisions_n, sources_n, size, spans
        )

    def holdings(self) -> tuple[SourceSpan, ...]:
        """Per source, the events and their dates: :meth:`info` without sizing the folder."""
        with self._read() as conn:
            return source_spans(conn)

    def counts(self) -> dict[str, int]:
        """Events, speeches and people: :meth:`info` without sizing every file of the folder,
        for the front page, which shows them on every request."""
        with self._read() as conn:
            return {
                name: int(conn.scalar(select(func.count()).select_from(table)) or 0)
                for name, table in (("events", events), ("speeches", speeches), ("people", people))
            }

    # --- translations (paired by :mod:`stenogram.translations`) -----------------------------

    def events_by_source_id(self, source_ids: Sequence[str]) -> list[translation_rows.EventHead]:
        """Every stored event with one of these publisher ids, whatever its source."""
        with self._read() as conn:
            return translation_rows.heads_by_source_id(conn, sorted(set(source_ids)))

    def speech_turns(self, event_id: int) -> list[translation_rows.SpeechTurn]:
        with self._read() as conn:
            return translation_rows.turns(conn, event_id)

    def save_translation(
        self, event_id: int, other_event_id: int, pairs: Sequence[tuple[int, int, float]]
    ) -> None:
        """Record two events as one item in two languages, replacing their speech pairs."""
        with self._write("translations") as conn:
            translation_rows.save_pair(conn, event_id, other_event_id, pairs, records.now())

    def translations(self, event_id: int) -> list[translation_rows.Translation]:
        with self._read() as conn:
            return translation_rows.translations_of(conn, event_id)

    # --- browsing (the web pages page through these; see :mod:`.browse`) ------------------

    def event_list(
        self, wanted: browse.EventFilter | None = None, *, offset: int = 0, limit: int = 20
    ) -> tuple[int, list[browse.EventSummary]]:
        with self._read() as conn:
            return browse.event_summaries(conn, wanted or browse.EventFilter(), offset, limit)

    def tag_counts(
        self, kind: browse.BrowseKind, *, offset: int = 0, limit: int = 100
    ) -> tuple[int, list[tuple[str, int]]]:
        with self._read() as conn:
            return browse.tag_counts(conn, kind, offset, limit)

    def section_counts(self) -> list[tuple[str, int]]:
        with self._read() as conn:
            return browse.section_counts(conn)

    def person(self, person_id: str) -> Person:
        with self._read() as conn:
            return browse.person(conn, person_id)

    def person_list(
        self, *, offset: int = 0, limit: int = 50
    ) -> tuple[int, list[browse.PersonSummary]]:
        with self._read() as conn:
            return browse.person_summaries(conn, offset, limit)

    def person_speeches(
        self, person_id: str, *, offset: int = 0, limit: int = 20
    ) -> tuple[int, list[browse.SpeechSummary]]:
        with self._read() as conn:
            return browse.person_speeches(conn, person_id, offset, limit)

    def person_years(self, person_id: str) -> list[browse.YearWords]:
        with self._read() as conn:
            return browse.person_years(conn, person_id)

    def max_seq(self) -> int:
        with self._read() as conn:
            return records.current_seq(conn)

    def index_rows(self, after_seq: int = 0) -> Iterator[IndexRow]:
        """Rows of every event changed after ``after_seq``, from one consistent snapshot."""
        with self._read() as conn:
            changed = conn.execute(
                select(events).where(events.c.seq > after_seq).order_by(events.c.seq)
            ).all()
            for start in range(0, len(changed), BATCH):
                yield from records.index_batch(conn, changed[start : start + BATCH])


# --- helpers that run inside a caller's transaction -------------------------------------------


def _sqlite_transactions(engine: Engine) -> None:
    """Real transactions for pysqlite: BEGIN for reads, BEGIN IMMEDIATE for writes.

    IMMEDIATE takes the write lock up front, so two writers queue on ``busy_timeout`` instead of
    one failing with "database is locked" halfway through a document.
    """

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _connection_record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            "busy_timeout=30000",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _reason(exc: SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None)
    return f"database error: {orig or exc}"


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
