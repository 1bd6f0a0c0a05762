"""Writing documents to the archive a batch at a time: one transaction, a few statements a table.

Why: with one transaction per document and one statement per row, storing cost ~9 ms a page,
nearly all of it SQLAlchemy compiling and pysqlite round trips rather than SQLite's own work.
Here the new events of a batch go in with one bulk insert per table (the backend's fastest: see
:mod:`.dialects`), and sources and tags are looked up once per batch. Every change is logged by
:func:`.changes.append`, which also numbers it (``seq``). Their ids are
handed out in blocks by the backend before the rows are written, which saves RETURNING and
SQLAlchemy's per-row processing, the largest cost left, and is the one way ids are made: a new
revision's new speeches take theirs the same way. An event that already exists takes the
per-document path, because a new revision must find the previous speech ids to keep their
permalinks; a re-ingest of unchanged pages never gets there.

A new event's search index rows are built from what was just written and travel with its
result, so that the ingester need not read them back.

A batch is one transaction, so a SIGKILL loses at most the batch being written and never part of
a document, and readers see the whole batch appear at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson
from sqlalchemy import Connection, Row, Table, delete, insert, select, update

from ..errors import StoreError
from ..model import Document, DocumentPeople
from . import changes, records
from .dialects import Backend
from .identity import event_key, identified
from .rows import IndexRow
from .schema import EVENT_PARTS, event_tags, events, participants, revisions, sources, speeches

Status = Literal["new", "updated", "unchanged"]
#: A document to store and, when the resolve stage ran, its people.
Item = tuple[Document, DocumentPeople | None]


@dataclass(frozen=True, slots=True)
class StoreResult:
    status: Status
    event_id: int
    revision: int
    #: A new event's search index rows (None otherwise: the index reads those from the archive).
    index_rows: tuple[IndexRow, ...] | None = field(default=None, compare=False, repr=False)


def content_hash(doc: Document) -> str:
    """Hash of the canonical record minus ``origin`` (where a copy was read from is not content)."""
    return _canonical(doc)[0]


def _canonical(doc: Document) -> tuple[str, dict[str, Any]]:
    """The content hash and the record a revision stores, from one ``to_dict`` (the largest
    per-document cost of storing after the SQL itself)."""
    record = doc.to_dict()
    content = {name: value for name, value in record.items() if name != "origin"}
    return hashlib.sha256(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).hexdigest(), record


def check_people(doc: Document, people: DocumentPeople | None) -> None:
    if people is not None and (
        len(people.speeches) != len(doc.speeches)
        or len(people.participants) != len(doc.participants)
    ):
        raise StoreError(
            "people do not line up with the document's speeches/participants",
            document=doc.origin or doc.url or doc.title,
        )


@dataclass(slots=True)
class _New:
    at: int
    doc: Document
    key: str
    digest: str
    record: dict[str, Any]
    people: DocumentPeople | None


class BatchWriter:
    """Stores one batch inside the caller's write transaction."""

    def __init__(self, conn: Connection, backend: Backend) -> None:
        self._conn = conn
        self._backend = backend
        self._now = records.now()
        self._sources: set[str] = set(conn.scalars(select(sources.c.name)))
        self._tags = records.TagIds(conn)
        self._new: list[_New] = []
        self._results: list[StoreResult | None] = []

    def write(self, items: Sequence[Item]) -> list[StoreResult]:
        # A text version without a publisher id is stored under its content id (see identity).
        items = [(identified(doc), people) for doc, people in items]
        for doc, people in items:
            check_people(doc, people)
        prepared = [(doc, people, event_key(doc), *_canonical(doc)) for doc, people in items]
        self._results = [None] * len(prepared)
        current = current_rows(self._conn, {(doc.source, key) for doc, _, key, _, _ in prepared})
        waiting: set[tuple[str, str]] = set()
        recheck: list[tuple[int, DocumentPeople]] = []
        for at, (doc, people, key, digest, record) in enumerate(prepared):
            ident = (doc.source, key)
            if ident in waiting:  # the same event twice in one batch: write the first one now
                self._flush()
                waiting.clear()
                current.update(current_rows(self._conn, {ident}))
            row = current.get(ident)
            if row is not None and row.content_hash == digest:
                self._results[at] = StoreResult("unchanged", row.id, row.revision)
                if people is not None:
                    recheck.append((at, people))
                continue
            self._source(doc)
            if row is None:
                self._new.append(_New(at, doc, key, digest, record, people))
                waiting.add(ident)
            else:
                result = self._revise(doc, digest, record, row, people)
                self._results[at] = result
                current.update(current_rows(self._conn, {ident}))
        self._flush()
        self._repeople(recheck)
        results = [r for r in self._results if r is not None]
        assert len(results) == len(prepared)
        return results

    def _source(self, doc: Document) -> None:
        if doc.source not in self._sources:
            self._conn.execute(
                insert(sources).values(name=doc.source, language=doc.language, first_seen=self._now)
            )
            self._sources.add(doc.source)

    def _flush(self) -> None:
        """Write the waiting new events, one executemany per table."""
        if not self._new:
            return
        new, self._new = self._new, []
        conn = self._conn
        event_ids = self._backend.allocate_ids(conn, events, len(new))
        seqs = changes.append(conn, self._backend, event_ids, "new")
        speech_ids = iter(
            self._backend.allocate_ids(conn, speeches, sum(len(n.doc.speeches) for n in new))
        )
        self._tags.prefetch(tag for n in new for tag in records.doc_tags(n.doc))
        rows: dict[Table, list[dict[str, Any]]] = {}
        for event_id, seq, n in zip(event_ids, seqs, new, strict=True):
            said = records.speech_rows(event_id, n.doc, n.people)
            columns = records.event_values(
                n.doc, n.digest, seq, self._now, sum(row["words"] for row in said)
            )
            columns["date"] = _sql_date(columns["date"])
            rows.setdefault(events, []).append(
                {
                    "id": event_id,
                    "source": n.doc.source,
                    "key": n.key,
                    "revision": 1,
                    "created": self._now,
                    **columns,
                }
            )
            for row in said:
                row["id"] = next(speech_ids)
            rows.setdefault(speeches, []).extend(said)
            for table, values in records.part_rows(event_id, n.doc, n.people):
                rows.setdefault(table, []).extend(values)
            rows.setdefault(event_tags, []).extend(
                records.event_tag_rows(self._tags, event_id, n.doc)
            )
            rows.setdefault(revisions, []).append(
                self._revision_row(n.record, event_id, 1, n.digest, [row["id"] for row in said])
            )
            index_rows = records.new_index_rows(event_id, seq, n.doc, said, n.people)
            self._results[n.at] = StoreResult("new", event_id, 1, tuple(index_rows))
        for table, values in rows.items():
            self._backend.insert_many(conn, table, values)

    def _revise(
        self,
        doc: Document,
        digest: str,
        record: dict[str, Any],
        current: Row[Any],
        people: DocumentPeople | None,
    ) -> StoreResult:
        """A new revision of a stored event: the speech ids of unchanged turns are kept."""
        conn, event_id = self._conn, current.id
        number = records.last_revision(conn, event_id) + 1
        kept = records.kept_speech_ids(conn, event_id, doc)
        (seq,) = changes.append(conn, self._backend, [event_id], "revision")
        values = records.event_values(doc, digest, seq, self._now)
        conn.execute(update(events).where(events.c.id == event_id), {"revision": number, **values})
        for table in EVENT_PARTS:
            conn.execute(delete(table).where(table.c.event_id == event_id))
        fresh = self._backend.allocate_ids(conn, speeches, kept.count(None))
        speech_ids = records.insert_parts(conn, event_id, doc, kept, fresh, people, self._tags)
        conn.execute(
            insert(revisions), self._revision_row(record, event_id, number, digest, speech_ids)
        )
        return StoreResult("updated", event_id, number)

    def _revision_row(
        self,
        record: dict[str, Any],
        event_id: int,
        number: int,
        digest: str,
        speech_ids: Sequence[int],
    ) -> dict[str, Any]:
        return {
            "event_id": event_id,
            "number": number,
            "content_hash": digest,
            "stored": self._now,
            "origin": record.get("origin"),
            "record": orjson.dumps(record).decode(),
            "speech_ids": json.dumps(list(speech_ids)),
        }

    def _repeople(self, recheck: Sequence[tuple[int, DocumentPeople]]) -> None:
        """Unchanged documents whose people the resolver now sees otherwise: rewrite those ids
        (and log the change, so the index picks up the new person ids)."""
        wanted: dict[int, DocumentPeople] = {}
        for at, people in recheck:
            result = self._results[at]
            assert result is not None
            wanted[result.event_id] = people
        if not wanted:
            return
        stored = _stored_people(self._conn, sorted(wanted))
        changed = [(e, p) for e, p in wanted.items() if stored.get(e) != p]
        if not changed:
            return
        records.set_people(self._conn, changed)
        changes.touch(self._conn, self._backend, [event_id for event_id, _ in changed], "people")


def current_rows(
    conn: Connection, idents: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], Row[Any]]:
    """The stored events with these (source, key) identities, in a few statements.

    Asked as ``source IN (…) AND key IN (…)`` (a batch has one or two sources), which both
    backends answer from the (source, key) index; PostgreSQL planned a list of row values
    poorly (17 ms for 500 of them)."""
    found: dict[tuple[str, str], Row[Any]] = {}
    wanted = set(idents)
    keys = sorted({key for _, key in wanted})
    names = sorted({source for source, _ in wanted})
    for start in range(0, len(keys), records.CHUNK):
        for row in conn.execute(
            select(
                events.c.id,
                events.c.source,
                events.c.key,
                events.c.content_hash,
                events.c.revision,
            ).where(
                events.c.source.in_(names), events.c.key.in_(keys[start : start + records.CHUNK])
            )
        ):
            if (row.source, row.key) in wanted:
                found[(row.source, row.key)] = row
    return found


def unchanged(conn: Connection, docs: Sequence[Document]) -> list[StoreResult | None]:
    """Per document, its "unchanged" result if the archive holds it already, else None."""
    docs = [identified(doc) for doc in docs]  # hashed as :meth:`BatchWriter.write` stores them
    idents = [(doc.source, event_key(doc)) for doc in docs]
    current = current_rows(conn, idents)
    results: list[StoreResult | None] = []
    for doc, ident in zip(docs, idents, strict=True):
        row = current.get(ident)
        same = row is not None and row.content_hash == content_hash(doc)
        results.append(StoreResult("unchanged", row.id, row.revision) if same and row else None)
    return results


def _stored_people(conn: Connection, event_ids: Sequence[int]) -> dict[int, DocumentPeople]:
    found: dict[int, dict[str, list[str | None]]] = {
        e: {"speeches": [], "participants": []} for e in event_ids
    }
    for start in range(0, len(event_ids), records.CHUNK):
        chunk = event_ids[start : start + records.CHUNK]
        for table, side in ((speeches, "speeches"), (participants, "participants")):
            for row in conn.execute(
                select(table.c.event_id, table.c.person_id)
                .where(table.c.event_id.in_(chunk))
                .order_by(table.c.event_id, table.c.position)
            ):
                found[row.event_id][side].append(row.person_id)
    return {
        e: DocumentPeople(tuple(sides["speeches"]), tuple(sides["participants"]))
        for e, sides in found.items()
    }


def _sql_date(value: dt.date | None) -> str | None:
    """A date as ISO text, which both backends' bulk inserts take for a Date column."""
    return value.isoformat() if value is not None else None
