"""Who speaks and how much: events, speeches and words per period, the top speakers, and one
person's activity with the roles printed beside their speeches at the time.

Speeches are speaker turns; words are the ``words`` column (the exact analyzer's word count of
each speech); events are counted on each event's own document, once per event. A speaker's
events are the events they spoke at (``event_speaker``); a person's activity also counts the
events they were present at (``attendee``: speakers and listed participants).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from ..archive import Archive
from ..search import index as ix
from .scope import (
    Period,
    Scope,
    any_of,
    both,
    buckets,
    check_limit,
    check_period,
    check_query,
    per_period,
    terms_agg,
    total,
)

MAX_SPEAKERS: Final = 1000


@dataclass(frozen=True, slots=True)
class PeriodCount:
    period: str
    events: int
    speeches: int
    words: int

    def to_json(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "events": self.events,
            "speeches": self.speeches,
            "words": self.words,
        }


@dataclass(frozen=True, slots=True)
class SpeakerCount:
    person_id: str
    name: str
    events: int
    speeches: int
    words: int

    def to_json(self) -> dict[str, Any]:
        return {
            "person_id": self.person_id,
            "name": self.name,
            "events": self.events,
            "speeches": self.speeches,
            "words": self.words,
        }


@dataclass(frozen=True, slots=True)
class SpeakerStats:
    by: Period
    query: str
    periods: tuple[PeriodCount, ...]
    speakers: tuple[SpeakerCount, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "periods": [p.to_json() for p in self.periods],
            "speakers": [s.to_json() for s in self.speakers],
        }

    def table(self) -> tuple[list[str], list[list[str | int | float]]]:
        """The top speakers (the periods are the chart's; ``to_json`` has both)."""
        header = ["person_id", "name", "events", "speeches", "words"]
        return header, [[s.person_id, s.name, s.events, s.speeches, s.words] for s in self.speakers]

    def caption(self) -> str:
        where = f" matching {self.query}" if self.query else ""
        return (
            f"Events, speeches (speaker turns) and words per {self.by}{where}; the top speakers "
            "by speeches, with the events they spoke at."
        )


@dataclass(frozen=True, slots=True)
class Activity:
    """One period of a person: events present at, events spoken at, speeches, words, and the
    roles printed with their speeches then (role, speeches)."""

    period: str
    present: int
    events: int
    speeches: int
    words: int
    roles: tuple[tuple[str, int], ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "present": self.present,
            "events": self.events,
            "speeches": self.speeches,
            "words": self.words,
            "roles": [{"role": r, "speeches": n} for r, n in self.roles],
        }


@dataclass(frozen=True, slots=True)
class PersonActivity:
    person_id: str
    name: str
    by: Period
    periods: tuple[Activity, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "person_id": self.person_id,
            "name": self.name,
            "periods": [p.to_json() for p in self.periods],
        }

    def table(self) -> tuple[list[str], list[list[str | int | float]]]:
        header = ["period", "present", "events", "speeches", "words", "roles"]
        rows: list[list[str | int | float]] = [
            [
                p.period,
                p.present,
                p.events,
                p.speeches,
                p.words,
                "; ".join(f"{r} ({n})" for r, n in p.roles),
            ]
            for p in self.periods
        ]
        return header, rows

    def caption(self) -> str:
        return (
            f"{self.name} per {self.by}: events present at, events spoken at, speeches, words, "
            "and the roles printed beside the speeches of that period."
        )


def speakers(
    archive: Archive, *, by: Period = "year", query: str = "", limit: int = 20
) -> SpeakerStats:
    """Events, speeches and words per period under the filter, and its top speakers."""
    return compute_speakers(Scope.of(archive), by=by, query=query, limit=limit)


def compute_speakers(scope: Scope, *, by: Period, query: str, limit: int) -> SpeakerStats:
    by = check_period(by)
    check_limit(limit, MAX_SPEAKERS)
    said = scope.speeches(check_query(query))
    held = scope.events(query)
    spoken = scope.aggregate(
        said,
        {
            "p": terms_agg(by, aggs={"w": total("words")}),
            "s": terms_agg(
                "speaker", size=limit, exclude=[ix.NO_VALUE], aggs={"w": total("words")}
            ),
        },
    )
    events = {
        label: int(b["doc_count"])
        for label, b in per_period(
            by, buckets(scope.aggregate(held, {"p": terms_agg(by)})["p"])
        ).items()
    }
    speech_periods = per_period(by, buckets(spoken["p"]))
    periods = tuple(
        PeriodCount(
            label,
            events.get(label, 0),
            int(speech_periods[label]["doc_count"]) if label in speech_periods else 0,
            int(speech_periods[label]["w"]["value"]) if label in speech_periods else 0,
        )
        for label in sorted({*events, *speech_periods})
    )
    top = buckets(spoken["s"])
    ids = [str(b["key"]) for b in top]
    at = {}
    if ids:
        found = scope.aggregate(held, {"s": terms_agg("event_speaker", include=ids)})
        at = {str(b["key"]): int(b["doc_count"]) for b in buckets(found["s"])}
    ranked = tuple(
        SpeakerCount(
            key, scope.name(key), at.get(key, 0), int(b["doc_count"]), int(b["w"]["value"])
        )
        for key, b in zip(ids, top, strict=True)
    )
    return SpeakerStats(by, query, periods, ranked)


def person_activity(archive: Archive, person_id: str, *, by: Period = "year") -> PersonActivity:
    """A person's activity per period (a publisher key such as ``en.kremlin.ru:119`` works too;
    an unknown person is :class:`~stenogram.errors.NotFound`)."""
    person = archive.person(person_id)
    return compute_activity(Scope.of(archive), person.id, person.name, by=by)


def compute_activity(scope: Scope, person_id: str, name: str, *, by: Period) -> PersonActivity:
    by = check_period(by)
    said = both(scope.speeches(), scope.term("speaker", person_id))
    spoken = scope.aggregate(
        said,
        {
            "p": terms_agg(
                by, aggs={"w": total("words"), "r": terms_agg("role", exclude=[ix.NO_VALUE])}
            )
        },
    )
    events = scope.events()
    at = scope.aggregate(both(events, scope.term("event_speaker", person_id)), {"p": terms_agg(by)})
    present = scope.aggregate(
        both(events, any_of(scope, "attendee", [person_id])), {"p": terms_agg(by)}
    )
    speech = per_period(by, buckets(spoken["p"]))
    spoke_at = _counts(by, at)
    there = _counts(by, present)
    periods = tuple(
        Activity(
            label,
            there.get(label, 0),
            spoke_at.get(label, 0),
            int(speech[label]["doc_count"]) if label in speech else 0,
            int(speech[label]["w"]["value"]) if label in speech else 0,
            _roles(speech.get(label)),
        )
        for label in sorted({*speech, *spoke_at, *there})
    )
    return PersonActivity(person_id, name, by, periods)


def _counts(by: Period, result: dict[str, Any]) -> dict[str, int]:
    return {label: int(b["doc_count"]) for label, b in per_period(by, buckets(result["p"])).items()}


def _roles(bucket: dict[str, Any] | None) -> tuple[tuple[str, int], ...]:
    if bucket is None:
        return ()
    found = [(str(b["key"]), int(b["doc_count"])) for b in buckets(bucket["r"])]
    return tuple(sorted(found, key=lambda item: (-item[1], item[0])))
