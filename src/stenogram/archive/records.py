"""Documents to rows and back, inside a transaction the caller holds.

Split from :mod:`store` so that the Archive class reads as the list of what an archive can do,
and these helpers as how one event is spread over the plain tables (and gathered for the index).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import (
    Connection,
    Row,
    Table,
    and_,
    bindparam,
    func,
    insert,
    or_,
    select,
    update,
)

from ..errors import NotFound
from ..ids import archive_id, in_range
from ..model import Document, DocumentPeople, Tag
from .diff import align, speech_key
from .prepared import Prepared
from .rows import IndexRow
from .schema import (
    event_tags,
    events,
    meta,
    narrative,
    participants,
    photos,
    revisions,
    sections,
    speeches,
    tags,
)

#: The publisher whose ids stand bare in permalinks (``/events/53016``). Every other publisher's
#: ids carry their source (``/events/kremlin.ru:53016``): kremlin.ru shares en.kremlin.ru's ids
#: and AU transcript ids overlap both, and a link once issued must not become ambiguous when
#: another publisher's item with the same number is ingested later.
BARE_ID_SOURCE = "en.kremlin.ru"


# The reading paths every page view runs (see ``prepared`` for why they are built once).
_BY_ID = Prepared(select(events.c.id).where(events.c.id == bindparam("id")))
_BY_SOURCE_ID = Prepared(
    select(events.c.id, events.c.source, events.c.source_id).where(
        events.c.source_id == bindparam("ref")
    )
)
_BY_QUALIFIED_ID = Prepared(
    select(events.c.id, events.c.source, events.c.source_id).where(
        or_(
            events.c.source_id == bindparam("ref"),
            and_(events.c.source == bindparam("source"), events.c.source_id == bindparam("local")),
        )
    )
)
_CURRENT_REVISION = Prepared(select(events.c.revision).where(events.c.id == bindparam("id")))
_REVISION = Prepared(
    select(revisions.c.record, revisions.c.speech_ids).where(
        revisions.c.event_id == bindparam("id"), revisions.c.number == bindparam("number")
    )
)
_SPEECH_PEOPLE = Prepared(
    select(speeches.c.person_id)
    .where(speeches.c.event_id == bindparam("id"))
    .order_by(speeches.c.position)
)
_PARTICIPANT_PEOPLE = Prepared(
    select(participants.c.person_id)
    .where(participants.c.event_id == bindparam("id"))
    .order_by(participants.c.position)
)


def event_ref(source: str, source_id: str | None, event_id: int) -> str:
    """The event's part of a permalink: ``53016``, ``kremlin.ru:53016``, or the archive id."""
    if not source_id:
        return str(event_id)
    return source_id if source == BARE_ID_SOURCE else f"{source}:{source_id}"


def permalink(
    source: str,
    source_id: str | None,
    event_id: int,
    position: int | None = None,
    revision: int | None = None,
) -> str:
    """``/events/53016#s3``: the publisher's id when there is one, so links read like the site.

    A speech that only an older revision has gets ``?revision=N``, so its link still shows it.
    """
    base = f"/events/{event_ref(source, source_id, event_id)}"
    if revision is not None:
        base += f"?revision={revision}"
    return f"{base}#s{position}" if position else base


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def words(text: str) -> int:
    return len(text.split())


def current_seq(conn: Connection) -> int:
    value = conn.scalar(select(meta.c.value).where(meta.c.key == "seq"))
    return int(value) if value is not None else 0


def save_seq(conn: Connection, seq: int, key: str = "seq") -> None:
    if conn.execute(update(meta).where(meta.c.key == key).values(value=str(seq))).rowcount == 0:
        conn.execute(insert(meta).values(key=key, value=str(seq)))


def pruned_seq(conn: Connection) -> int:
    """The last ``seq`` the change log no longer holds (0: it holds every change)."""
    value = conn.scalar(select(meta.c.value).where(meta.c.key == PRUNED))
    return int(value) if value is not None else 0


#: The ``meta`` key of :func:`pruned_seq`.
PRUNED = "pruned"


def event_values(
    doc: Document, digest: str, seq: int, now: str, word_count: int | None = None
) -> dict[str, Any]:
    """The ``events`` columns that every revision rewrites (``word_count`` when the caller
    counted the words of the speeches already: splitting every text twice showed)."""
    return {
        "source_id": doc.source_id,
        "url": doc.url,
        "language": doc.language,
        "format": doc.format,
        "category": doc.category,
        "title": doc.title,
        "summary": doc.summary,
        "date": doc.date,
        "time": doc.time.strftime("%H:%M") if doc.time else None,
        "place": doc.place,
        "published": doc.published.isoformat() if doc.published else None,
        "omissions": doc.omissions,
        "speech_count": len(doc.speeches),
        "word_count": (
            sum(words(s.text) for s in doc.speeches) if word_count is None else word_count
        ),
        "content_hash": digest,
        "seq": seq,
        "updated": now,
    }


def last_revision(conn: Connection, event_id: int) -> int:
    value = conn.scalar(
        select(func.max(revisions.c.number)).where(revisions.c.event_id == event_id)
    )
    return int(value or 0)


def kept_speech_ids(conn: Connection, event_id: int, doc: Document) -> list[int | None]:
    """Ids of the previous revision's speeches that come again unchanged, aligned on ``doc``."""
    previous = conn.execute(
        select(speeches.c.id, speeches.c.key)
        .where(speeches.c.event_id == event_id)
        .order_by(speeches.c.position)
    ).all()
    keys = [speech_key(s) for s in doc.speeches]
    kept: list[int | None] = [None] * len(keys)
    for tag, i1, i2, j1, _j2 in align([r.key for r in previous], keys):
        if tag == "equal":
            for offset in range(i2 - i1):
                kept[j1 + offset] = previous[i1 + offset].id
    return kept


def speech_rows(
    event_id: int, doc: Document, people: DocumentPeople | None
) -> list[dict[str, Any]]:
    said = people.speeches if people else (None,) * len(doc.speeches)
    return [
        {
            "event_id": event_id,
            "position": position,
            "attribution": speech.attribution,
            "speaker": speech.speaker,
            "role": speech.role,
            "person_id": person,
            "publisher_person_id": speech.person_id,
            "text": speech.text,
            "words": words(speech.text),
            "key": speech_key(speech),
        }
        for position, (speech, person) in enumerate(zip(doc.speeches, said, strict=True), 1)
    ]


def part_rows(
    event_id: int, doc: Document, people: DocumentPeople | None
) -> list[tuple[Table, list[dict[str, Any]]]]:
    """Rows of the event tables other than speeches and tags, per table."""
    listed = people.participants if people else (None,) * len(doc.participants)
    return [
        (
            participants,
            [
                {
                    "event_id": event_id,
                    "position": i,
                    "name": p.name,
                    "role": p.role,
                    "person_id": person,
                    "publisher_person_id": p.person_id,
                }
                for i, (p, person) in enumerate(zip(doc.participants, listed, strict=True), 1)
            ],
        ),
        (
            narrative,
            [
                {
                    "event_id": event_id,
                    "position": i,
                    "after_speech": n.position,
                    "kind": n.kind,
                    "text": n.text,
                }
                for i, n in enumerate(doc.narrative, 1)
            ],
        ),
        (
            photos,
            [
                {
                    "event_id": event_id,
                    "position": i,
                    "number": p.position,
                    "total": p.of,
                    "caption": p.caption,
                    "credit": p.credit,
                    "url": p.url,
                }
                for i, p in enumerate(doc.photos, 1)
            ],
        ),
        (
            sections,
            [
                {"event_id": event_id, "position": i, "name": name}
                for i, name in enumerate(dict.fromkeys(doc.sections), 1)
            ],
        ),
    ]


def insert_parts(
    conn: Connection,
    event_id: int,
    doc: Document,
    kept: Sequence[int | None],
    fresh: Sequence[int],
    people: DocumentPeople | None,
    tag_ids: TagIds,
) -> list[int]:
    """Write one event's parts (a new revision's path): the speech ids in ``kept``, and the
    ``fresh`` ones, in order, for the speeches that keep none."""
    new_ids = iter(fresh)
    said = speech_rows(event_id, doc, people)
    for values, speech_id in zip(said, kept, strict=True):
        values["id"] = next(new_ids) if speech_id is None else speech_id
    tagged = (event_tags, event_tag_rows(tag_ids, event_id, doc))
    for table, rows in [(speeches, said), *part_rows(event_id, doc, people), tagged]:
        if rows:
            conn.execute(insert(table), rows)
    return [values["id"] for values in said]


#: Rows per ``IN (...)`` list, well under SQLite's bound-parameter limit.
CHUNK = 500
TAG_KINDS = ("geography", "topics", "persons")
TagKey = tuple[str, str, str]


class TagIds:
    """Tag ids for one transaction: looked up (and created) for a whole batch in a few
    statements, because a per-tag SELECT was a third of the cost of storing a page."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._known: dict[TagKey, tuple[int, str | None]] = {}

    def prefetch(self, found: Iterable[tuple[str, str, Tag]]) -> None:
        """Know the ids of these (source, kind, tag) triples, creating the new tags."""
        wanted: dict[TagKey, Tag] = {}
        for source, kind, tag in found:
            key = (source, kind, tag.name)
            if key not in self._known:
                wanted.setdefault(key, tag)
        if not wanted:
            return
        names = sorted({name for _, _, name in wanted})
        for start in range(0, len(names), CHUNK):
            for row in self._conn.execute(
                select(
                    tags.c.id, tags.c.source, tags.c.kind, tags.c.name, tags.c.publisher_id
                ).where(tags.c.name.in_(names[start : start + CHUNK]))
            ):
                key = (row.source, row.kind, row.name)
                if key in wanted:
                    self._known[key] = (row.id, row.publisher_id)
        missing = [key for key in wanted if key not in self._known]
        if missing:
            rows = [
                {
                    "source": key[0],
                    "kind": key[1],
                    "name": key[2],
                    "publisher_id": wanted[key].id,
                    "url": wanted[key].url,
                }
                for key in missing
            ]
            ids = self._conn.scalars(
                insert(tags).returning(tags.c.id, sort_by_parameter_order=True), rows
            ).all()
            for key, tag_id in zip(missing, ids, strict=True):
                self._known[key] = (tag_id, wanted[key].id)

    def get(self, source: str, kind: str, tag: Tag) -> int:
        key = (source, kind, tag.name)
        if key not in self._known:
            self.prefetch([(source, kind, tag)])
        tag_id, publisher_id = self._known[key]
        if publisher_id is None and tag.id is not None:
            # A later page links a tag an earlier one printed bare: keep the link.
            self._conn.execute(
                update(tags).where(tags.c.id == tag_id).values(publisher_id=tag.id, url=tag.url)
            )
            self._known[key] = (tag_id, tag.id)
        return tag_id


def doc_tags(doc: Document) -> Iterator[tuple[str, str, Tag]]:
    for kind in TAG_KINDS:
        for tag in getattr(doc.tags, kind):
            yield doc.source, kind, tag


def event_tag_rows(tag_ids: TagIds, event_id: int, doc: Document) -> list[dict[str, Any]]:
    rows: dict[int, dict[str, Any]] = {}
    for source, kind, tag in doc_tags(doc):
        tag_id = tag_ids.get(source, kind, tag)
        if tag_id not in rows:
            rows[tag_id] = {"event_id": event_id, "tag_id": tag_id, "position": len(rows) + 1}
    return list(rows.values())


def people_of(conn: Connection, event_id: int) -> DocumentPeople:
    said = tuple(row[0] for row in _SPEECH_PEOPLE.rows(conn, id=event_id))
    listed = tuple(row[0] for row in _PARTICIPANT_PEOPLE.rows(conn, id=event_id))
    return DocumentPeople(said, listed)


def set_people(conn: Connection, changed: Sequence[tuple[int, DocumentPeople]]) -> None:
    """Rewrite the resolved person ids of several events (one executemany per table)."""
    for table, side in ((speeches, "speeches"), (participants, "participants")):
        rows = [
            {"e": event_id, "p": position, "v": person}
            for event_id, people in changed
            for position, person in enumerate(getattr(people, side), 1)
        ]
        if rows:
            conn.execute(
                update(table)
                .where(table.c.event_id == bindparam("e"), table.c.position == bindparam("p"))
                .values(person_id=bindparam("v")),
                rows,
            )


def resolve(conn: Connection, ref: str | int) -> int:
    """An archive id (int), a source id ("53016"), or "source:source_id" when ambiguous."""
    if isinstance(ref, int):
        found = _BY_ID.scalar(conn, id=ref) if in_range(ref) else None
        if found is None:
            raise NotFound(f"no such event: {ref}")
        return int(found)
    text = ref.strip()
    source, sep, local = text.rpartition(":")
    if sep and source:
        matches = _BY_QUALIFIED_ID.rows(conn, ref=text, source=source, local=local)
    else:
        matches = _BY_SOURCE_ID.rows(conn, ref=text)
    ids = sorted({int(event_id) for event_id, _, _ in matches})
    if len(ids) > 1 and not sep:
        # A bare id is first the bare-id publisher's (the form permalinks use).
        bare = [int(event_id) for event_id, where, _ in matches if where == BARE_ID_SOURCE]
        ids = bare or ids
    if len(ids) == 1:
        return ids[0]
    if len(ids) > 1:
        which = ", ".join(f"{where}:{local_id}" for _, where, local_id in matches)
        raise NotFound(f"event {text!r} is ambiguous; say which: {which}")
    number = archive_id(text)
    if number is not None:
        return resolve(conn, number)
    raise NotFound(f"no such event: {text}")


def current_revision(conn: Connection, event_id: int) -> int:
    return int(_CURRENT_REVISION.scalar(conn, id=event_id) or 1)


def revision(conn: Connection, event_id: int, number: int) -> tuple[dict[str, Any], list[int]]:
    """The stored record of one revision and the speech ids it had."""
    row = _REVISION.first(conn, id=event_id, number=number) if in_range(number) else None
    if row is None:
        raise NotFound(f"event {event_id} has no revision {number}")
    record: dict[str, Any] = orjson.loads(row[0])
    speech_ids: list[int] = orjson.loads(row[1])
    return record, speech_ids


def index_batch(conn: Connection, batch: Sequence[Row[Any]]) -> Iterator[IndexRow]:
    ids = [row.id for row in batch]
    said: dict[int, list[Row[Any]]] = {i: [] for i in ids}
    for row in conn.execute(
        select(speeches).where(speeches.c.event_id.in_(ids)).order_by(speeches.c.position)
    ):
        said[row.event_id].append(row)
    tagged: dict[tuple[int, str], list[str]] = {}
    for row in conn.execute(
        select(event_tags.c.event_id, tags.c.kind, tags.c.name)
        .join(tags, tags.c.id == event_tags.c.tag_id)
        .where(event_tags.c.event_id.in_(ids))
        .order_by(event_tags.c.position)
    ):
        tagged.setdefault((row.event_id, row.kind), []).append(row.name)
    listed: dict[int, list[str]] = {}
    for row in conn.execute(
        select(sections.c.event_id, sections.c.name)
        .where(sections.c.event_id.in_(ids))
        .order_by(sections.c.position)
    ):
        listed.setdefault(row.event_id, []).append(row.name)
    present: dict[int, list[Row[Any]]] = {}
    for row in conn.execute(
        select(participants.c.event_id, participants.c.name, participants.c.person_id)
        .where(participants.c.event_id.in_(ids))
        .order_by(participants.c.position)
    ):
        present.setdefault(row.event_id, []).append(row)
    told: dict[int, list[str]] = {}
    for row in conn.execute(
        select(narrative.c.event_id, narrative.c.text)
        .where(narrative.c.event_id.in_(ids), narrative.c.kind == "narrative")
        .order_by(narrative.c.position)
    ):
        told.setdefault(row.event_id, []).append(row.text)
    for ev in batch:
        yield from _event_index_rows(
            ev,
            said[ev.id],
            {kind: tuple(tagged.get((ev.id, kind), ())) for kind in TAG_KINDS},
            tuple(listed.get(ev.id, ())),
            told.get(ev.id, ()),
            [(p.name, p.person_id) for p in present.get(ev.id, ())],
        )


def new_index_rows(
    event_id: int,
    seq: int,
    doc: Document,
    said: Sequence[dict[str, Any]],
    people: DocumentPeople | None = None,
) -> list[IndexRow]:
    """The rows :func:`index_batch` would read back for a new event, from what was written:
    ``said`` are its speech rows (with their ids), ``people`` the resolved participants. Tags
    keep the first of a repeated name."""
    listed = people.participants if people else (None,) * len(doc.participants)
    event = _EventRow(
        id=event_id,
        seq=seq,
        source=doc.source,
        source_id=doc.source_id,
        language=doc.language,
        title=doc.title,
        date=doc.date,
        place=doc.place,
        summary=doc.summary,
        category=doc.category,
    )
    return list(
        _event_index_rows(
            event,
            [_SpeechRow(**{k: row[k] for k in _SpeechRow.__dataclass_fields__}) for row in said],
            {
                kind: tuple(dict.fromkeys(t.name for t in getattr(doc.tags, kind)))
                for kind in TAG_KINDS
            },
            tuple(dict.fromkeys(doc.sections)),
            [n.text for n in doc.narrative if n.kind == "narrative"],
            [(p.name, person) for p, person in zip(doc.participants, listed, strict=True)],
        )
    )


@dataclass(frozen=True, slots=True)
class _EventRow:
    """The ``events`` columns the index uses (a database row has the same attributes)."""

    id: int
    seq: int
    source: str
    source_id: str | None
    language: str
    title: str
    date: dt.date | None
    place: str | None
    summary: str | None
    category: str | None


@dataclass(frozen=True, slots=True)
class _SpeechRow:
    """The ``speeches`` columns the index uses (a database row has the same attributes)."""

    id: int
    position: int
    speaker: str | None
    attribution: str | None
    role: str | None
    person_id: str | None
    text: str


def _event_index_rows(
    ev: Any,
    said: Iterable[Any],
    tagged: dict[str, tuple[str, ...]],
    listed: tuple[str, ...],
    told: Iterable[str],
    present: Sequence[tuple[str, str | None]],
) -> Iterator[IndexRow]:
    """``present``: each listed participant's printed name and resolved person id."""
    said = list(said)
    common: dict[str, Any] = {
        "seq": ev.seq,
        "event_id": ev.id,
        "source": ev.source,
        "source_id": ev.source_id,
        "language": ev.language,
        "title": ev.title,
        "date": ev.date,
        "place": ev.place,
        "topics": tagged["topics"],
        "geography": tagged["geography"],
        "persons": tagged["persons"],
        "sections": listed,
        "category": ev.category,
        "present": tuple(
            dict.fromkeys(
                p for p in (*(sp.person_id for sp in said), *(p for _, p in present)) if p
            )
        ),
        "participants": tuple(name for name, _ in present),
    }
    for sp in said:
        yield IndexRow(
            kind="speech",
            speech_id=sp.id,
            position=sp.position,
            speaker=sp.speaker,
            attribution=sp.attribution,
            role=sp.role,
            person_id=sp.person_id,
            text=sp.text,
            url=permalink(ev.source, ev.source_id, ev.id, sp.position),
            **common,
        )
    text = "\n\n".join([ev.summary or "", *told]).strip()
    yield IndexRow(
        kind="event",
        speech_id=None,
        position=None,
        speaker=None,
        attribution=None,
        role=None,
        person_id=None,
        text=text,
        url=permalink(ev.source, ev.source_id, ev.id),
        **common,
    )
