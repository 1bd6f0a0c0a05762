"""The tantivy index beside the archive database: derived data, rebuilt or caught up from rows.

The archive hands over flat :class:`IndexRow` values and knows nothing of tantivy; this module
owns the schema and the text analysis. Each language with a stemmer gets its own text field
(``body_en``, ``body_ru``; everything else goes to ``body_xx`` unstemmed) because an analyzer
is bound to a field: a query term is then analysed once per field with that field's analyzer.

An event's own text (narrative, outside any speech) goes to ``note_*`` when the event has
speeches, so that the ``body_*`` fields hold exactly what a speech-level search may return: a
word query then needs no intersection with the ``level`` term, which at a million speeches cost
more than the match itself. Pages without speeches keep their text in ``body_*``.

Beside each stemmed text an unstemmed twin (``exact_body``, ``exact_note``, ``exact_title``,
one analyzer for every language) holds the words as printed, with positions: a quoted phrase
is matched there, so "national projects" is not "national project", while unquoted words keep
their stems. Speakers are indexed by resolved person id (``speaker``, ``event_speaker``), and
``participant`` holds everybody present, so that a person is found however the page printed them.

Facet columns are shaped for the aggregation's speed, measured over 1.4M documents: a string
column that every document fills ("full") costs ~0.3 ms per 400,000 matches, one that some
documents leave empty ~3 ms, and a multi-valued one ~12 ms however few documents have values.
So every document carries a ``speaker`` person id (or :data:`NO_VALUE`) and a ``year`` (0 without a
date), and an event's tags go in a few single-valued slot columns per kind (:data:`TAG_SLOTS`,
the sorted names, one a column). The few events with more tags than slots carry the others in a
multi-valued column (:data:`REST_COLUMN`, "facet + KIND_SEPARATOR + name" values) and the term
:data:`MORE_TAGS`, so the search counts that column in a second aggregation restricted to them:
a few thousand documents instead of every match. Adding up slot and rest counts per name stays
exact. Each column an aggregation reads costs ~1 ms more per 400,000 matches, so the slots are as
few as the corpus allows. (Tried and dropped: one column holding the whole tag set, since the
synthetic corpus has too many distinct sets to return them all to Python; and one column for
the tags beyond the slots, whose long values cost more to expand than the columns saved.)

Display values travel in one stored ``meta`` blob (JSON), so a hit costs one document fetch and
no per-field Python calls. The last applied ``seq`` of the archive's change log lives in
``state.json`` beside the segments, written only after a commit: a crash between the two
re-indexes a few events, which is harmless because every event is deleted before its rows are
added again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import itertools
import json
import os
import re
import shutil
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Protocol

import orjson
import tantivy

from ..archive.changes import Pending
from ..archive.rows import IndexRow
from ..errors import IndexBusy, StoreError
from .vocab import speech_terms

#: 8: an unstemmed ``exact_*`` text beside the stemmed one (quoted phrases), speakers and
#: participants by resolved person id, ``category_key``, ``participant_words``.
#: 9: the statistics columns (``month``, ``words``, ``terms``, ``term``, ``role``, ``sample``,
#: ``place``, ``attendee``).
SCHEMA_VERSION: Final = 9
STATE_FILE: Final = "state.json"
COMMIT_EVERY: Final = 50_000
WRITER_HEAP: Final = 96_000_000
#: The writer's memory when (re)building a whole index, on one thread: every time a thread's
#: share fills, tantivy writes a segment, and a search pays per segment (facets over 1.4M
#: documents ran 2-3x slower in 17 segments than in one). tantivy grows its arena as it needs,
#: so a small archive never takes this much.
BULK_HEAP: Final = 1_500_000_000

#: Languages that get a stemmed field of their own, with the Snowball stemmer's name.
STEMMED: Final[dict[str, str]] = {"en": "english", "ru": "russian"}
OTHER: Final = "xx"
LANG_KEYS: Final[tuple[str, ...]] = (*STEMMED, OTHER)

#: Analyzer for names, roles and places: words, lower-cased, never stemmed.
WORDS: Final = "sg_words"
#: Analyzer for exact phrases: words lower-cased, never stemmed. The tokenizer cuts at every
#: character that is not a letter or digit, so punctuation, typographic quotes and dashes never
#: tell two texts apart, in any language (``ё`` stays a letter of its own in text and query).
EXACT: Final = "sg_exact"
#: Analyzer for tag names: the whole value lower-cased, so ``topic:"foreign policy"`` matches.
KEY: Final = "sg_key"

#: The facet value of a document without a speaker (or tags): no printed name holds it.
NO_VALUE: Final = "\x1e"
#: Prefixes a tag beyond the slots with its facet; no tag name holds it.
KIND_SEPARATOR: Final = "\x1d"
#: Slot columns per tag kind. On en.kremlin.ru 97 % of events have at most two topics and
#: 98.5 % at most one place (bench/synth-model.json): only the rest meets the shared column.
TAG_SLOTS: Final[dict[str, int]] = {"topic": 2, "geography": 1}
#: Facet name -> its slot columns.
SLOT_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    facet: tuple(f"{facet}_{n}" for n in range(1, slots + 1)) for facet, slots in TAG_SLOTS.items()
}
#: The multi-valued column of the tags beyond the slots, for every kind.
REST_COLUMN: Final = "tag_rest"
#: An indexed field holding "yes" on the documents that have tags beyond the slots.
MORE_TAGS: Final = "more_tags"
#: Year of a document without a date (no real date has it).
NO_YEAR: Final = 0
#: Prefixes a Persons tag's name in the ``attendee`` column (a person id never starts so).
TAGGED: Final = "\x1f"
#: A speech's ``sample`` is one of this many buckets, from its id by a multiplicative hash: the
#: speeches of a few buckets are a uniform sample of any set.
SAMPLES: Final = 64


def sample_of(speech_id: int) -> int:
    return (speech_id * 2_654_435_761) % 2**32 % SAMPLES


#: Words longer than this are noise (URLs, base64) and would only bloat the term dictionary.
MAX_WORD: Final = 40
#: Below this much free space, a write the index lost is taken for a full disk (see
#: :func:`index_error`).
NEARLY_FULL: Final = 1024 * 1024


def lang_key(language: str | None) -> str:
    return language if language in STEMMED else OTHER


def body_field(key: str) -> str:
    return f"body_{key}"


def note_field(key: str) -> str:
    return f"note_{key}"


def title_field(key: str) -> str:
    return f"title_{key}"


#: The unstemmed twins of the text fields, one per kind of text (the analyzer is the same for
#: every language): what a quoted phrase is matched against.
EXACT_BODY: Final = "exact_body"
EXACT_NOTE: Final = "exact_note"
EXACT_TITLE: Final = "exact_title"


def _analyzer(tokenizer: tantivy.Tokenizer, *filters: tantivy.Filter) -> tantivy.TextAnalyzer:
    builder = tantivy.TextAnalyzerBuilder(tokenizer)
    for item in filters:
        builder = builder.filter(item)
    return builder.build()


def build_analyzers() -> dict[str, tantivy.TextAnalyzer]:
    """Every analyzer the schema names: tantivy does not store them, so each open needs them."""
    words = (tantivy.Filter.remove_long(MAX_WORD), tantivy.Filter.lowercase())
    analyzers = {
        f"sg_{key}": _analyzer(tantivy.Tokenizer.simple(), *words, tantivy.Filter.stemmer(name))
        for key, name in STEMMED.items()
    }
    analyzers[f"sg_{OTHER}"] = _analyzer(tantivy.Tokenizer.simple(), *words)
    analyzers[WORDS] = _analyzer(tantivy.Tokenizer.simple(), *words)
    analyzers[EXACT] = _analyzer(tantivy.Tokenizer.simple(), *words)
    analyzers[KEY] = _analyzer(tantivy.Tokenizer.raw(), tantivy.Filter.lowercase())
    return analyzers


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    # "speech" on speech docs, "event" on event docs, and both on events without any speech so
    # that a speech-level search still finds pages that are all narrative.
    sb.add_text_field("level", tokenizer_name="raw", index_option="basic")
    sb.add_integer_field("event_id", indexed=True, fast=True)
    sb.add_text_field("lang", tokenizer_name="raw", index_option="basic")
    for key in LANG_KEYS:
        sb.add_text_field(body_field(key), stored=True, tokenizer_name=f"sg_{key}")
        sb.add_text_field(note_field(key), stored=True, tokenizer_name=f"sg_{key}")
        sb.add_text_field(title_field(key), tokenizer_name=f"sg_{key}")
    for name in (EXACT_BODY, EXACT_NOTE, EXACT_TITLE):
        sb.add_text_field(name, tokenizer_name=EXACT)
    # Facets: exact values from the fast columns (see the module docstring for their shape).
    # Speakers are resolved person ids (a label naming a role or a crowd has none), so a facet
    # counts persons. An event's speakers get a column of their own, read only by event-level
    # searches; ``participant`` holds everybody present (spoke or listed), on every document.
    tag_columns = [column for columns in SLOT_COLUMNS.values() for column in columns]
    for name in ("speaker", "event_speaker", *tag_columns, REST_COLUMN):
        sb.add_text_field(name, fast=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field(MORE_TAGS, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("participant", tokenizer_name="raw", index_option="basic")
    for name in ("speaker_words", "role_words", "place_words", "participant_words"):
        sb.add_text_field(name, tokenizer_name=WORDS)
    for name in ("topic_key", "geo_key", "section_key", "category_key"):
        sb.add_text_field(name, tokenizer_name=KEY, index_option="basic")
    sb.add_integer_field("day", indexed=True, fast=True)  # YYYYMMDD: ranges and date order
    # Indexed too: a date filter over whole years is a union of a few postings (see ``query``).
    sb.add_integer_field("year", indexed=True, fast=True)
    sb.add_bytes_field("meta", stored=True)
    _statistics_columns(sb)
    return sb.build()


def _statistics_columns(sb: tantivy.SchemaBuilder) -> None:
    """The columns only ``stenogram.stats`` aggregates (docs/stats.md): ``month`` (YYYYMM, 0
    without a date), a speech's ``words`` (its exact analyzer's word count), its distinct
    ``term`` values (words and two-word phrases, see ``vocab``) and how many (``terms``, so
    that a total is a sum over one integer column), its printed ``role``, its ``sample``
    bucket (:func:`sample_of`, indexed: a term query picks a uniform share of speeches), an
    event's ``place`` and ``attendee`` (person ids, and Persons tags as ``TAGGED`` + name, on
    the event's own document only so that an event counts once)."""
    sb.add_integer_field("month", fast=True)
    sb.add_integer_field("words", fast=True)
    sb.add_integer_field("terms", fast=True)
    sb.add_integer_field("sample", indexed=True)
    for name in ("term", "role", "place", "attendee"):
        sb.add_text_field(name, fast=True, tokenizer_name="raw", index_option="basic")


@dataclass(frozen=True, slots=True)
class OpenIndex:
    """An opened index with its analyzers registered (tantivy does not persist them)."""

    path: Path
    index: tantivy.Index
    schema: tantivy.Schema
    analyzers: dict[str, tantivy.TextAnalyzer]


def index_path(archive: Path) -> Path:
    return Path(archive) / "index"


def _state(path: Path) -> dict[str, Any] | None:
    """The state file if it was written by this schema version, else None."""
    try:
        state = json.loads((Path(path) / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) and state.get("version") == SCHEMA_VERSION else None


def read_seq(path: Path) -> int:
    """The last archive ``seq`` the index at ``path`` has committed (0 if none or stale)."""
    seq = (_state(path) or {}).get("seq")
    return seq if isinstance(seq, int) else 0


def _write_seq(path: Path, seq: int) -> None:
    tmp = path / (STATE_FILE + ".tmp")
    try:
        tmp.write_text(json.dumps({"version": SCHEMA_VERSION, "seq": seq}), encoding="utf-8")
        os.replace(tmp, path / STATE_FILE)
    except OSError as exc:
        raise index_error(exc, path) from exc


def index_error(exc: Exception, path: Path, action: str = "write") -> StoreError:
    """One line for a failed index write, naming the folder and the OS reason.

    tantivy raises ValueError with Rust's text: a failed commit carries "(os error 28)", but an
    ``add`` only learns that its worker thread died ("index writer was killed"), so a folder
    left with almost no free space is taken for the reason. Which folder matters: the index may
    sit on another file system than the database, which a full index leaves intact.
    """
    text = " ".join(str(exc).split())
    found = re.search(r"os error (\d+)", text)
    if isinstance(exc, OSError) and exc.errno:
        reason = os.strerror(exc.errno)
    elif found:
        reason = os.strerror(int(found.group(1)))
    elif "LockBusy" in text:
        reason = "another process (an ingest or a follower) is writing it"
        return IndexBusy(f"cannot {action} the search index: {reason}", document=str(path))
    elif _free_bytes(path) < NEARLY_FULL:
        reason = os.strerror(errno.ENOSPC)
    else:
        reason = text
    return StoreError(f"cannot {action} the search index: {reason.lower()}", document=str(path))


def _free_bytes(path: Path) -> int:
    try:
        stat = os.statvfs(path)
    except OSError:
        return NEARLY_FULL
    return stat.f_bavail * stat.f_frsize


def _wipe(path: Path) -> None:
    """Empty an index folder, refusing one that holds anything but a tantivy index of ours."""
    if not path.exists():
        return
    if not path.is_dir():
        raise StoreError("exists and is not a folder", document=str(path))
    names = {p.name for p in path.iterdir()}
    if names and "meta.json" not in names and STATE_FILE not in names:
        raise StoreError("is not a search index folder; refusing to empty it", document=str(path))
    shutil.rmtree(path)


def open_index(path: Path, *, create: bool = True) -> OpenIndex:
    """Open the index at ``path``; a missing, foreign-version or unreadable one is recreated empty.

    Recreating is safe because the index is derived data: its ``seq`` restarts at 0 and the next
    catch-up reindexes everything from the archive.
    """
    path = Path(path)
    if not create and not (path / "meta.json").exists():
        raise StoreError("no search index here (run `stenogram reindex`)", document=str(path))
    if (path / "meta.json").exists() and _state(path) is None:
        _wipe(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        schema = build_schema()
        index = tantivy.Index(schema, str(path), reuse=True)
    except (OSError, ValueError) as exc:
        raise index_error(exc, path, "open") from exc
    analyzers = build_analyzers()
    for name, analyzer in analyzers.items():
        index.register_tokenizer(name, analyzer)
    if not (path / STATE_FILE).exists():
        _write_seq(path, 0)
    return OpenIndex(path, index, schema, analyzers)


def day_number(value: dt.date) -> int:
    """A date as YYYYMMDD: an integer column orders, ranges and buckets by year for free."""
    return value.year * 10_000 + value.month * 100 + value.day


def _meta(row: IndexRow) -> bytes:
    return orjson.dumps(
        {
            "kind": row.kind,
            "event_id": row.event_id,
            "speech_id": row.speech_id,
            "position": row.position,
            "source": row.source,
            "source_id": row.source_id,
            "language": row.language,
            "title": row.title,
            "date": row.date.isoformat() if row.date else None,
            "place": row.place,
            "speaker": row.speaker,
            "attribution": row.attribution,
            "role": row.role,
            "person_id": row.person_id,
            "url": row.url,
        }
    )


def tag_values(tags: dict[str, Iterable[str]]) -> list[tuple[str, str]]:
    """(column, value) for the tag columns, from each facet's names (see the module docstring)."""
    values: list[tuple[str, str]] = []
    rest: list[tuple[str, str]] = []
    for facet, columns in SLOT_COLUMNS.items():
        ordered = sorted(set(tags.get(facet, ())))
        for n, column in enumerate(columns):
            values.append((column, ordered[n] if n < len(ordered) else NO_VALUE))
        extra = ordered[len(columns) :]
        rest += ((REST_COLUMN, f"{facet}{KIND_SEPARATOR}{name}") for name in extra)
    return values + rest + ([(MORE_TAGS, "yes")] if rest else [])


@dataclass(frozen=True, slots=True)
class _EventPeople:
    """Who an event's documents name: speakers' labels and person ids, everybody present."""

    labels: tuple[str, ...]
    persons: tuple[str, ...]
    present: tuple[str, ...]
    present_words: tuple[str, ...]
    solo: bool

    @classmethod
    def of(cls, rows: Sequence[IndexRow]) -> _EventPeople:
        said = [r for r in rows if r.kind == "speech"]
        labels = tuple(dict.fromkeys(r.speaker for r in said if r.speaker))
        persons = tuple(dict.fromkeys(r.person_id for r in said if r.person_id))
        present = tuple(dict.fromkeys(p for r in rows for p in (*r.present, r.person_id) if p))
        listed = [name for r in rows[:1] for name in (*r.participants, *r.persons)]
        words = tuple(dict.fromkeys((*labels, *listed)))
        return cls(labels, persons, present, words, not said)


def _text(doc: tantivy.Document, row: IndexRow, solo: bool) -> None:
    key = lang_key(row.language)
    body = row.kind == "speech" or solo
    doc.add_text(body_field(key) if body else note_field(key), row.text)
    doc.add_text(EXACT_BODY if body else EXACT_NOTE, row.text)
    doc.add_text(title_field(key), row.title)
    doc.add_text(EXACT_TITLE, row.title)


def _statistics(doc: tantivy.Document, row: IndexRow, words: Sequence[str] | None) -> None:
    """The values of :func:`_statistics_columns`; ``words`` of a speech, None for an event."""
    doc.add_integer("month", row.date.year * 100 + row.date.month if row.date else NO_YEAR)
    if words is not None:
        doc.add_integer("words", len(words))
        terms = speech_terms(words)
        doc.add_integer("terms", len(terms))
        for term in terms:
            doc.add_text("term", term)
        doc.add_text("role", row.role or NO_VALUE)
        doc.add_integer("sample", sample_of(row.speech_id or 0))
        return
    doc.add_text("place", row.place or NO_VALUE)
    for person in row.present:
        doc.add_text("attendee", person)
    for name in row.persons:
        doc.add_text("attendee", TAGGED + name)


def _document(
    row: IndexRow, people: _EventPeople, words: Sequence[str] | None = None
) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_text("level", row.kind)
    if people.solo:
        doc.add_text("level", "speech")
    doc.add_integer("event_id", row.event_id)
    doc.add_text("lang", row.language)
    _text(doc, row, people.solo)
    if row.kind == "speech":
        doc.add_text("speaker", row.person_id or NO_VALUE)
        labels = [label for label in (row.speaker, row.attribution) if label]
    else:
        doc.add_text("speaker", NO_VALUE)
        for person in people.persons:
            doc.add_text("event_speaker", person)
        labels = list(people.labels)
    for label in labels:
        doc.add_text("speaker_words", label)
    for person in people.present:
        doc.add_text("participant", person)
    for name in people.present_words:
        doc.add_text("participant_words", name)
    if row.role:
        doc.add_text("role_words", row.role)
    if row.place:
        doc.add_text("place_words", row.place)
    for column, value in tag_values({"topic": row.topics, "geography": row.geography}):
        doc.add_text(column, value)
    for field, values in (
        ("topic_key", row.topics),
        ("geo_key", row.geography),
        ("section_key", row.sections),
        ("category_key", (row.category,) if row.category else ()),
    ):
        for value in values:
            doc.add_text(field, value)
    if row.date is not None:
        doc.add_integer("day", day_number(row.date))
    doc.add_integer("year", row.date.year if row.date is not None else NO_YEAR)
    doc.add_bytes("meta", _meta(row))
    _statistics(doc, row, words)
    return doc


class ChangeSource(Protocol):
    """What a catch-up reads: the archive's change log and its events' rows (this module never
    imports the store)."""

    def pending_changes(self, after: int) -> Pending: ...

    def index_rows_of(self, event_ids: Sequence[int]) -> Iterable[IndexRow]: ...


class Indexer:
    """Writes rows into the index, one event at a time, and records how far along the archive's
    change log it is (:meth:`applied`), written with each commit.

    Rows of one event must come together (the archive yields them that way); a later group for
    the same event is a newer revision and replaces the earlier one. Use as a context manager so
    that the final commit happens and the writer's lock is released.
    """

    def __init__(self, path: Path, *, bulk: bool = False) -> None:
        """``bulk``: a whole index in one go (see :data:`BULK_HEAP`), committed only at the end."""
        self._open = open_index(path)
        self._seq = read_seq(self._open.path)
        self._pending = 0
        self._commit_every = None if bulk else COMMIT_EVERY
        try:
            index = self._open.index
            self._writer = index.writer(BULK_HEAP, 1) if bulk else index.writer(WRITER_HEAP)
        except ValueError as exc:
            raise index_error(exc, self._open.path) from exc

    @property
    def last_seq(self) -> int:
        return self._seq

    def add(self, rows: Iterable[IndexRow], *, new: bool = False) -> int:
        """Index ``rows``, replacing each event they touch; return how many rows were written.

        ``new``: the events were just created, so the index cannot hold them and nothing is
        deleted first (each delete is a term lookup in every segment at the next commit).
        """
        count = 0
        exact = self._open.analyzers[EXACT]
        for event_id, group in itertools.groupby(rows, key=attrgetter("event_id")):
            batch = list(group)
            people = _EventPeople.of(batch)
            try:
                if not new:
                    self._writer.delete_documents_by_term("event_id", event_id)
                for row in batch:
                    words = exact.analyze(row.text) if row.kind == "speech" else None
                    self._writer.add_document(_document(row, people, words))
            except ValueError as exc:
                raise index_error(exc, self._open.path) from exc
            count += len(batch)
            self._pending += len(batch)
            if self._commit_every is not None and self._pending >= self._commit_every:
                self.commit()
        return count

    def applied(self, seq: int) -> None:
        """Everything up to change ``seq`` is in: the next commit records it. Rows read from a
        later snapshot than ``seq`` are fine (a later catch-up redoes them); recording a later
        ``seq`` than the snapshot of the change list is not (it would skip changes)."""
        self._seq = max(self._seq, seq)

    def apply(self, source: ChangeSource) -> int:
        """Apply what the archive changed since the last applied ``seq``; return the rows
        written. An event that is no longer stored loses its documents."""
        pending = source.pending_changes(self._seq)
        if pending.upto <= self._seq:
            return 0
        seen: set[int] = set()

        def noted(rows: Iterable[IndexRow]) -> Iterator[IndexRow]:
            for row in rows:
                seen.add(row.event_id)
                yield row

        if pending.everything:  # the log no longer reaches back to this index's seq
            try:
                self._writer.delete_all_documents()
            except ValueError as exc:
                raise index_error(exc, self._open.path) from exc
        count = self.add(noted(source.index_rows_of(pending.event_ids)))
        for event_id in set(pending.event_ids) - seen:
            self.delete_event(event_id)
        self.applied(pending.upto)
        return count

    def delete_event(self, event_id: int) -> None:
        try:
            self._writer.delete_documents_by_term("event_id", event_id)
        except ValueError as exc:
            raise index_error(exc, self._open.path) from exc
        self._pending += 1

    def commit(self) -> None:
        try:
            self._writer.commit()
        except ValueError as exc:
            raise index_error(exc, self._open.path) from exc
        _write_seq(self._open.path, self._seq)
        self._pending = 0

    def close(self) -> None:
        try:
            self.commit()
            try:
                self._writer.wait_merging_threads()
            except ValueError as exc:
                raise index_error(exc, self._open.path) from exc
        except StoreError:
            self._abandon()
            raise

    def _abandon(self) -> None:
        """Give the writer up after a failure: the last commit stands. A writer killed by the
        failure may refuse to roll back too; the error on its way out already says why. It is
        dropped here rather than with this object, which the traceback keeps alive: until
        then it holds the index lock, and every catch-up in this process would find it busy."""
        writer = self.__dict__.pop("_writer", None)
        if writer is not None:
            with contextlib.suppress(ValueError):
                writer.rollback()

    def __enter__(self) -> Indexer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self._abandon()


def catch_up(path: Path, source: ChangeSource) -> int:
    """Apply what the archive changed since this index's last ``seq``; return the row count."""
    with Indexer(path) as indexer:
        return indexer.apply(source)


def rebuild(path: Path, rows: Iterable[IndexRow], upto: int | None = None) -> int:
    """Throw the index away and index ``rows`` (all of the archive, read at change ``upto`` or
    later; default: the latest change among the rows) from scratch."""
    _wipe(Path(path))
    latest = 0

    def noted(rows: Iterable[IndexRow]) -> Iterator[IndexRow]:
        nonlocal latest
        for row in rows:
            latest = max(latest, row.seq)
            yield row

    with Indexer(path, bulk=True) as indexer:
        count = indexer.add(noted(rows))
        indexer.applied(latest if upto is None else upto)
        return count
