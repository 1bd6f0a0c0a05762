"""What a reader asks of an archive: search, an event and its history, people, counts.

The CLI now and the web pages later call these and only format what comes back, so each
function opens the archive named by the settings, answers, and closes it again; results are
plain dataclasses (with ``to_dict`` for JSON) that hold no connection.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from .archive import Activity, Archive, ArchiveInfo, EventDiff, RevisionInfo, StoredEvent, permalink
from .check import CheckResult, check_quote, vectors
from .errors import NotFound
from .export.cite import Citation, cite
from .ingest import open_archive, open_settings, people_directory
from .model import Person
from .search import SearchResult, read_seq, search
from .search.engine import FACET_SIZE, Sort
from .search.people import People, archive_people
from .settings import Settings


def search_archive(
    settings: Settings,
    query: str,
    *,
    limit: int = 10,
    offset: int = 0,
    sort: Sort = "relevance",
    events: bool = False,
    facet_limit: int = FACET_SIZE,
    reported: bool = False,
) -> SearchResult:
    """Speeches (or events) matching ``query``, with facets; opening the archive catches the
    index up, so a search never misses what an interrupted ingest already stored. ``reported``
    adds the narrative a ``speaker:`` search leaves out (reported speech), marked so."""
    with open_archive(settings) as archive:
        return search(
            archive.index_path,
            query,
            limit=limit,
            offset=offset,
            sort=sort,
            events=events,
            facet_limit=facet_limit,
            people=search_people(archive),
            reported=reported,
        )


def check_archive(
    settings: Settings,
    quote: str,
    *,
    speaker: str | None = None,
    date: dt.date | None = None,
    limit: int = 5,
) -> CheckResult:
    """Whether, where and by whom ``quote`` was said (``stenogram check``, ``/check``)."""
    with open_archive(settings) as archive:
        return check_quote(archive, quote, speaker=speaker, date=date, limit=limit)


def search_people(archive: Archive) -> People:
    """The archive's persons for ``speaker:``/``participant:`` and the speaker facet's names,
    as of the archive change the index has caught up to (the ids it holds are of that state;
    a small file read, where asking the database costs a connection per search)."""
    return archive_people(archive.index_path, read_seq(archive.index_path), archive.persons)


def show_event(settings: Settings, ref: str, revision: int | None = None) -> StoredEvent:
    """An event by archive id or publisher id (``53016``, ``en.kremlin.ru:53016``)."""
    with open_archive(settings) as archive:
        return archive.event(ref, revision)


def event_citation(
    settings: Settings, ref: str, revision: int | None = None, speech: int | None = None
) -> Citation:
    """The citation of an event, or of its ``speech``-th speech, accessed today.

    The permalink is absolute on the configured ``public_url``; without one it stays
    site-relative (``/events/53016#s3``), as a command line has no host of its own to name.
    """
    stored = show_event(settings, ref, revision)
    said = stored.document.speeches
    if speech is not None and not 1 <= speech <= len(said):
        raise NotFound(f"event {ref} has no speech {speech} (it has {len(said)})")
    return cite(
        stored.document,
        pinned_permalink(stored, speech),
        speech=said[speech - 1] if speech else None,
        base=settings.public_url,
        accessed=dt.date.today(),
    )


def pinned_permalink(stored: StoredEvent, position: int | None = None) -> str:
    """The permalink of the event (or of its speech at ``position``) as stored, pinned to its
    revision when that is not the current one, so that a citation shows what was cited."""
    doc = stored.document
    pinned = stored.revision if stored.revision != stored.revisions else None
    return permalink(doc.source, doc.source_id, stored.event_id, position, pinned)


def event_record(stored: StoredEvent) -> dict[str, Any]:
    """The stored record with each speech's permalink, the anchor a citation points at."""
    record = stored.to_dict()
    for position, speech in enumerate(record["speeches"], 1):
        speech["permalink"] = stored.speech_permalink(position)
    return record


@dataclass(frozen=True, slots=True)
class RevisionSummary:
    """A stored revision and what changed from the one before it (nothing for the first)."""

    info: RevisionInfo
    fields: tuple[str, ...] = ()
    speeches_changed: int = 0
    speeches_added: int = 0
    speeches_removed: int = 0
    words_added: int = 0
    words_removed: int = 0

    def to_dict(self) -> dict[str, Any]:
        info = self.info
        return {
            "number": info.number,
            "stored": info.stored,
            "origin": info.origin,
            "content_hash": info.content_hash,
            "speeches": info.speeches,
            "words": info.words,
            "current": info.current,
            "fields_changed": list(self.fields),
            "speeches_changed": self.speeches_changed,
            "speeches_added": self.speeches_added,
            "speeches_removed": self.speeches_removed,
            "words_added": self.words_added,
            "words_removed": self.words_removed,
        }


def _summary(info: RevisionInfo, diff: EventDiff) -> RevisionSummary:
    def count(status: str) -> int:
        return sum(s.status == status for s in diff.speeches)

    return RevisionSummary(
        info,
        tuple(f.name for f in diff.fields),
        count("changed"),
        count("added"),
        count("removed"),
        sum(s.words_added for s in diff.speeches),
        sum(s.words_removed for s in diff.speeches),
    )


def event_revisions(settings: Settings, ref: str) -> list[RevisionSummary]:
    with open_archive(settings) as archive:
        infos = archive.revisions(ref)
        return [
            _summary(info, archive.diff(ref, info.number - 1, info.number))
            if info.number > 1
            else RevisionSummary(info)
            for info in infos
        ]


def event_diff(
    settings: Settings, ref: str, a: int | None = None, b: int | None = None
) -> EventDiff:
    """Revision ``a`` to ``b``; by default the previous revision to the current one."""
    with open_archive(settings) as archive:
        return archive.diff(ref, a, b)


@dataclass(frozen=True, slots=True)
class PersonSummary:
    """A person with every name form, roles over time, and how much they appear."""

    person: Person
    activity: Activity

    def to_dict(self) -> dict[str, Any]:
        return {
            **person_record(self.person),
            "events": self.activity.events,
            "speeches": self.activity.speeches,
            "words": self.activity.words,
        }


def person_record(person: Person) -> dict[str, Any]:
    return {
        "id": person.id,
        "name": person.name,
        "names": [{"text": n.text, "kind": n.kind, "language": n.language} for n in person.names],
        "roles": [
            {
                "role": m.role,
                "first_seen": _iso(m.first_seen),
                "last_seen": _iso(m.last_seen),
                "count": m.count,
            }
            for m in person.memberships
        ],
        "publisher_ids": list(person.publisher_ids),
    }


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def list_persons(settings: Settings, name: str | None = None) -> list[PersonSummary]:
    """Everybody, most words first; or the persons ``name`` (an id or any name form) may mean."""
    with open_archive(settings) as archive:
        activity = archive.person_activity()
        if name is None:
            persons = archive.persons()
        else:
            # The directory knows merged ids and every name form.
            directory = people_directory(archive)
            persons = directory.find(name)
            if not persons:
                raise NotFound(_no_person(name, directory.near(name)))
    found = [PersonSummary(p, activity.get(p.id, Activity())) for p in persons]
    return sorted(found, key=lambda s: (-s.activity.words, -s.activity.events, s.person.name))


def _no_person(name: str, near: list[Person]) -> str:
    hint = "; ".join(f"{p.name} [{p.id}]" for p in near)
    return f"no person matches {name!r}" + (f"; did you mean: {hint}" if hint else "")


@dataclass(frozen=True, slots=True)
class DoubtfulPair:
    """Two persons that may be one (``persons merge A B`` settles it)."""

    a: str
    a_name: str
    b: str
    b_name: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "a_name": self.a_name,
            "b": self.b,
            "b_name": self.b_name,
            "reason": self.reason,
        }


def doubtful_persons(settings: Settings) -> list[DoubtfulPair]:
    with open_archive(settings) as archive:
        directory = people_directory(archive)
    names = {p.id: p.name for p in directory.persons()}
    return [
        DoubtfulPair(d.a, names.get(d.a, d.a), d.b, names.get(d.b, d.b), d.reason)
        for d in directory.doubtful()
    ]


def archive_info(settings: Settings) -> ArchiveInfo:
    """The archive's counts and its search index's lag, as they are: opened without catching
    the index up, so that the lag shown is the one this node's searches see."""
    with open_settings(settings) as archive:
        facts = archive.info()
        lag = archive.change_lag(read_seq(archive.index_path))
        kept = vectors.info(archive)
        return replace(
            facts,
            index=archive.index_path,
            index_lag=lag,
            vectors=kept.to_dict() if kept else None,
        )


__all__ = [
    "DoubtfulPair",
    "PersonSummary",
    "RevisionSummary",
    "archive_info",
    "check_archive",
    "doubtful_persons",
    "event_diff",
    "event_record",
    "event_revisions",
    "list_persons",
    "person_record",
    "search_archive",
    "search_people",
    "show_event",
]
