"""The shapes of the API's answers, for ``/openapi.json``.

The handlers answer the dicts of :mod:`.data` as they are (the pages' JSON twins are the same
dicts), so these models describe the responses rather than build them: a client generator gets
usable types, and the schemathesis run in the tests checks every answer against them. Fields
that the record of an event carries in full (speeches, photos, tags) are typed one level down;
what is deeper stays an object, so that a new field in a record is not a broken contract.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class Operation(BaseModel):
    method: str
    path: str
    summary: str
    description: str


class ApiIndex(BaseModel):
    title: str
    version: str
    description: str
    openapi: str
    docs: str
    operations: list[Operation]


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    """Every error: ``{"error": {"code", "message"}}``, whatever the status."""

    error: ErrorDetail


class Pagination(BaseModel):
    page: int
    per_page: int
    total: int
    pages: int


class EventSummary(BaseModel):
    event_id: int
    source: str
    source_id: str | None
    title: str
    category: str | None
    summary: str | None
    date: str | None
    time: str | None
    place: str | None
    published: str | None
    speeches: int
    words: int
    permalink: str


class EventList(BaseModel):
    person: str | None = None
    events: list[EventSummary]
    pagination: Pagination


class Facet(BaseModel):
    value: str
    count: int
    query: str
    href: str


class Hit(BaseModel):
    kind: str
    event_id: int
    source_id: str | None
    speech_id: int | None
    speaker: str | None
    attribution: str | None
    role: str | None
    date: str | None
    place: str | None
    title: str
    snippet: str
    url: str | None
    score: float
    source: str
    language: str | None
    position: int | None
    speech_link: str | None


class SearchPage(BaseModel):
    query: str
    sort: str
    events: bool
    offset: int
    limit: int
    total: int
    results: list[Hit]
    facets: dict[str, list[Facet]]
    pagination: Pagination


class Speech(BaseModel):
    id: int
    attribution: str | None
    speaker: str | None
    role: str | None
    paragraphs: list[str]
    text: str
    person_id: str | None
    resolved_person_id: str | None
    permalink: str


class EventRecord(BaseModel):
    event_id: int
    revision: int
    revisions: int
    permalink: str
    source: str
    source_id: str | None
    url: str | None
    language: str | None
    title: str
    date: str | None
    place: str | None
    sections: list[str]
    tags: dict[str, list[str]]
    speeches: list[Speech]
    participants: list[dict[str, Any]]
    photos: list[dict[str, Any]]
    narrative: list[dict[str, Any]]


class RevisionInfo(BaseModel):
    number: int
    stored: str
    origin: str | None
    content_hash: str
    speeches: int
    words: int
    current: bool


class Citation(BaseModel):
    """How to cite an event or a speech (``stenogram show --cite``): ``text`` is ready to paste."""

    permalink: str
    source_url: str | None
    speaker: str | None
    role: str | None
    event: str
    date: str | None
    place: str | None
    publisher: str
    accessed: str
    text: str


class Correction(BaseModel):
    """The publisher's public note on a revision it made to an event it published."""

    revision: int
    note: str
    corrected: str


class EventPage(BaseModel):
    event: EventRecord
    date_line: str
    body: list[dict[str, Any]]
    revisions: list[RevisionInfo]
    diff: dict[str, Any] | None
    corrections: list[Correction]
    text_link: str
    citation: Citation


class SpeechInEvent(Speech):
    position: int
    anchor: str


class SpeechEvent(BaseModel):
    event_id: int
    source_id: str | None
    url: str | None
    title: str
    date: str | None
    time: str | None
    place: str | None


class SpeechPage(BaseModel):
    speech: SpeechInEvent
    before: Speech | None
    after: Speech | None
    current: bool
    permalink: str
    event: SpeechEvent
    date_line: str
    citation: Citation
    check_link: str


class PersonSummary(BaseModel):
    person_id: str
    name: str
    speeches: int
    words: int


class PersonList(BaseModel):
    persons: list[PersonSummary]
    pagination: Pagination


class PersonName(BaseModel):
    text: str
    kind: str
    language: str | None


class PersonRole(BaseModel):
    role: str
    first_seen: str | None
    last_seen: str | None
    count: int


class Person(BaseModel):
    id: str
    name: str
    names: list[PersonName]
    roles: list[PersonRole]


class YearCount(BaseModel):
    year: int
    speeches: int
    words: int


class PersonSpeech(BaseModel):
    speech_id: int
    event_id: int
    position: int
    title: str
    date: str | None
    place: str | None
    role: str | None
    words: int
    excerpt: str
    permalink: str


class PersonPage(BaseModel):
    person: Person
    years: list[YearCount]
    events: list[EventSummary]
    events_total: int
    speeches: list[PersonSpeech]
    pagination: Pagination


class TagCount(BaseModel):
    name: str
    events: int


class TagList(BaseModel):
    kind: str
    kinds: list[str]
    tags: list[TagCount]
    pagination: Pagination


class TagPage(BaseModel):
    kind: str
    name: str
    events: list[EventSummary]
    pagination: Pagination


class SectionList(BaseModel):
    sections: list[TagCount]


class SectionPage(BaseModel):
    name: str
    events: list[EventSummary]
    pagination: Pagination


class IngestResult(BaseModel):
    new: int
    updated: int
    unchanged: int
    failed: int


class MergeResult(BaseModel):
    person: Person


class CheckDifference(BaseModel):
    """How the quote departs from the passage: ``start``/``end`` are offsets into the
    match's ``text`` (where the quote's words would go, for ``added``)."""

    kind: str
    quote: str
    passage: str
    start: int
    end: int


class CheckMatch(BaseModel):
    source: str
    source_id: str | None
    speech_id: int | None
    event_id: int
    position: int | None
    speaker: str | None
    person_id: str | None
    role: str | None
    date: str | None
    place: str | None
    title: str
    language: str
    url: str
    source_url: str | None
    text: str
    start: int
    end: int
    score: float
    differences: list[CheckDifference]
    part: int | None
    original: bool | None


class CheckResult(BaseModel):
    """The verdict on a quote and the passages, best first (``stenogram check --json``)."""

    verdict: str
    score: float
    matches: list[CheckMatch]
    quote: str
    speaker: str | None
    date: str | None
    notes: list[str]


# --- /api/stats: the objects of stenogram.stats, as `stenogram stats ... --json` prints them ---


class TrendPoint(BaseModel):
    period: str
    speeches: int
    words: int
    per_million: float


class TrendSeries(BaseModel):
    """A term's use over time; split ``per`` speaker (``speaker``, ``person_id``) or ``role``."""

    term: str
    speaker: str | None = None
    person_id: str | None = None
    role: str | None = None
    points: list[TrendPoint]


class TrendStats(BaseModel):
    """``speeches``: speeches (speaker turns) of the period that contain the term; ``words``:
    words spoken in the period; ``per_million``: those speeches per million words."""

    series: list[TrendSeries]


class PeriodCount(BaseModel):
    period: str
    events: int
    speeches: int
    words: int


class SpeakerCount(BaseModel):
    person_id: str
    name: str
    events: int
    speeches: int
    words: int


class SpeakerStats(BaseModel):
    periods: list[PeriodCount]
    speakers: list[SpeakerCount]


class DistinctiveTerm(BaseModel):
    """``z``: the weighted log-odds over its standard error (Monroe et al. 2008); ``speeches``
    and ``background``: speeches using the term in the matched and the other speeches."""

    term: str
    speeches: int
    background: int
    z: float
    log_odds: float


class DistinctiveStats(BaseModel):
    query: str
    against: str
    speeches: int
    background: int
    terms: list[DistinctiveTerm]


class NetworkNode(BaseModel):
    id: str
    name: str
    events: int


class NetworkEdge(BaseModel):
    source: str
    target: str
    weight: int


class NetworkStats(BaseModel):
    """People who appear together in the matched events; ``weight``: events together."""

    query: str
    person_id: str | None
    events: int
    nodes: list[NetworkNode]
    edges: list[NetworkEdge]


class DayCount(BaseModel):
    date: str
    events: int


class CalendarStats(BaseModel):
    query: str
    year: int | None
    days: list[DayCount]


class NamedCount(BaseModel):
    name: str
    events: int


class PlacePeriod(BaseModel):
    period: str
    events: int
    places: list[NamedCount]
    countries: list[NamedCount]


class PlacesStats(BaseModel):
    periods: list[PlacePeriod]
