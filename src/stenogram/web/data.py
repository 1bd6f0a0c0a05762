"""The data behind every page: one function per page, returning a plain dict.

A page's HTML view renders exactly this dict and its JSON twin serialises it, so the two can
never disagree. Everything here reads through :class:`~stenogram.archive.Archive` and the search
engine; the web layer never sees SQL or tantivy. The limits are checked here, once, so the pages,
the JSON twins, the API and the feeds refuse the same requests with the same message.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final, cast
from urllib.parse import quote_plus, urlencode

from ..archive import Archive, StoredEvent
from ..archive.browse import BROWSE_KINDS, BrowseKind, EventFilter
from ..errors import NotFound, PastTheEnd, QueryError
from ..export.cite import cite
from ..export.textversion import format_date, render_text
from ..model import Document
from ..queries import event_record, person_record, pinned_permalink, search_people
from ..search import Hit, search
from ..search.engine import FACET_SIZE, MAX_FACET, SORTS, Sort
from ..search.query import date_bound
from .charts import year_chart

MAX_PER_PAGE: Final = 100
#: Hits on a search page and in an API answer unless asked otherwise: as many as ``stenogram
#: search`` prints, so the three show the same first answer (and a snippet costs ~60 µs each).
HITS_PER_PAGE: Final = 10
MAX_PAGE: Final = 1000
MAX_QUERY_CHARS: Final = 1000
#: The search engine pages through at most this many hits (``engine.MAX_WINDOW``).
MAX_SEARCH_WINDOW: Final = 10_000
#: Values per facet unless asked otherwise, and the most a page may ask for.
FACET_LIMIT: Final = FACET_SIZE
MAX_FACET_LIMIT: Final = MAX_FACET
#: Facets that become a query filter when clicked: facet name -> filter name in the language.
FACET_FILTERS: Final = {"speaker": "speaker", "topic": "topic", "geography": "geo"}
#: How a link to the other-language record of an event names that language, in that language.
LANGUAGE_NAMES: Final = {"ru": "Русский", "en": "English"}
#: What a speech page tells of its event.
_SPEECH_EVENT_KEYS: Final = (
    "event_id",
    "source_id",
    "url",
    "language",
    "title",
    "date",
    "time",
    "place",
)


@dataclass(frozen=True, slots=True)
class Paging:
    page: int = 1
    per_page: int = 20

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def paging(page: int, per_page: int) -> Paging:
    """Checked paging: a deep or huge page is a 400, never a slow query."""
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise QueryError(f"per_page must be between 1 and {MAX_PER_PAGE}, not {per_page}")
    if not 1 <= page <= MAX_PAGE:
        raise QueryError(f"page must be between 1 and {MAX_PAGE}, not {page}")
    return Paging(page, per_page)


def _pagination(total: int, at: Paging) -> dict[str, Any]:
    """The pages of a list of ``total``; a page past its end is an error that names the last
    page, rather than an empty page that looks like a list with nothing in it."""
    pages = max(1, min(MAX_PAGE, -(-total // at.per_page)))
    if at.page > pages:
        raise PastTheEnd(at.page, pages)
    return {"page": at.page, "per_page": at.per_page, "total": total, "pages": pages}


def check_query(text: str) -> str:
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is longer than {MAX_QUERY_CHARS} characters")
    return text


def browse_kind(kind: str) -> BrowseKind:
    if kind not in BROWSE_KINDS:
        raise NotFound(f"no tag kind {kind!r} (choose from: {', '.join(BROWSE_KINDS)})")
    return kind


def _events(archive: Archive, wanted: EventFilter, at: Paging) -> dict[str, Any]:
    total, found = archive.event_list(wanted, offset=at.offset, limit=at.per_page)
    return {
        "events": [dataclasses.asdict(e) for e in found],
        "pagination": _pagination(total, at),
    }


def home(archive: Archive, at: Paging) -> dict[str, Any]:
    return {"counts": archive.counts(), **_events(archive, EventFilter(), at)}


def event_list(
    archive: Archive,
    at: Paging,
    person: str | None = None,
    start: str | None = None,
    end: str | None = None,
) -> dict[str, Any]:
    """Events, newest first; ``start``/``end`` (``YYYY[-MM[-DD]]``, a year or month meaning its
    first or last day, as ``from:``/``to:`` in a search) keep a date range."""
    first = date_bound("from", start) if start else None
    last = date_bound("to", end) if end else None
    wanted = EventFilter(person=person, start=first, end=last)
    return {"person": person, "from": start, "to": end, **_events(archive, wanted, at)}


def _body(stored: StoredEvent, record: dict[str, Any]) -> list[dict[str, Any]]:
    """Speeches and narrative interleaved in page order (narrative ``position`` = speeches before
    it), each speech with its ``s{n}`` anchor."""
    items: list[dict[str, Any]] = []
    told = list(stored.document.narrative)
    for position, speech in enumerate(record["speeches"], 1):
        while told and told[0].position < position:
            item = told.pop(0)
            items.append({"kind": item.kind, "text": item.text})
        items.append({"kind": "speech", "anchor": f"s{position}", **speech})
    items += [{"kind": n.kind, "text": n.text} for n in told]
    return items


def _date_line(doc: Document) -> str | None:
    return (
        format_date(doc.date, doc.language if doc.language in ("en", "ru") else "en")
        if (doc.date)
        else None
    )


@dataclass(frozen=True, slots=True)
class Citing:
    """What a citation needs beyond the record: the base its permalink is absolute on (the public
    URL or the request's own) and the day the reader accessed the page."""

    base: str | None = None
    accessed: dt.date = dataclasses.field(default_factory=dt.date.today)


def event_page(
    archive: Archive, ref: str, revision: int | None = None, citing: Citing | None = None
) -> dict[str, Any]:
    at = citing or Citing()
    stored, revisions = archive.event_with_revisions(ref, revision)
    record = event_record(stored)
    diff = None
    if len(revisions) > 1:
        newest = stored.revision if stored.revision > 1 else 2
        diff = archive.diff(stored.event_id, newest - 1, newest).to_dict()
    return {
        "event": record,
        "date_line": _date_line(stored.document),
        "body": _body(stored, record),
        "revisions": [dataclasses.asdict(r) for r in revisions],
        "diff": diff,
        "text_link": f"/events/{stored.document.source_id or stored.event_id}/text",
        "citation": cite(
            stored.document, pinned_permalink(stored), base=at.base, accessed=at.accessed
        ).to_dict(),
        "translations": [
            {**t, "label": LANGUAGE_NAMES.get(t["language"], t["language"])}
            for t in record["translations"]
        ],
    }


def event_text(archive: Archive, ref: str, revision: int | None = None) -> dict[str, Any]:
    stored = archive.event(ref, revision)
    return {
        "event_id": stored.event_id,
        "revision": stored.revision,
        "text": render_text(stored.document),
    }


def tags_index(archive: Archive, kind: str, at: Paging) -> dict[str, Any]:
    wanted = browse_kind(kind)
    total, found = archive.tag_counts(wanted, offset=at.offset, limit=at.per_page)
    return {
        "kind": wanted,
        "kinds": list(BROWSE_KINDS),
        "tags": [{"name": name, "events": n} for name, n in found],
        "pagination": _pagination(total, at),
    }


def tag_page(archive: Archive, kind: str, name: str, at: Paging) -> dict[str, Any]:
    wanted = browse_kind(kind)
    page = _events(archive, EventFilter(tag_kind=wanted, tag=name), at)
    if not page["events"] and at.page == 1:
        raise NotFound(f"no events tagged {name!r} ({wanted})")
    return {"kind": wanted, "name": name, **page}


def about(archive: Archive) -> dict[str, Any]:
    """What the archive holds, per source: a sample must not pass for a publisher's record."""
    return {"counts": archive.counts(), "sources": [s.to_dict() for s in archive.holdings()]}


def sections_index(archive: Archive) -> dict[str, Any]:
    return {"sections": [{"name": n, "events": c} for n, c in archive.section_counts()]}


def section_page(archive: Archive, name: str, at: Paging) -> dict[str, Any]:
    page = _events(archive, EventFilter(section=name), at)
    if not page["events"] and at.page == 1:
        raise NotFound(f"no section {name!r}")
    return {"name": name, **page}


def persons_index(archive: Archive, at: Paging) -> dict[str, Any]:
    total, found = archive.person_list(offset=at.offset, limit=at.per_page)
    return {
        "persons": [dataclasses.asdict(p) for p in found],
        "pagination": _pagination(total, at),
    }


def person_page(archive: Archive, person_id: str, at: Paging) -> dict[str, Any]:
    person = archive.person(person_id)
    total, said = archive.person_speeches(person.id, offset=at.offset, limit=at.per_page)
    events_total, events = archive.event_list(EventFilter(person=person.id), limit=10)
    years = archive.person_years(person.id)
    return {
        "person": person_record(person),
        "years": [dataclasses.asdict(y) for y in years],
        "events": [dataclasses.asdict(e) for e in events],
        "events_total": events_total,
        "speeches": [dataclasses.asdict(s) for s in said],
        "pagination": _pagination(total, at),
    }


def person_chart(archive: Archive, person_id: str) -> str:
    person = archive.person(person_id)
    years = archive.person_years(person.id)
    return year_chart(
        [(str(y.year), y.words) for y in years], title=f"Words spoken per year: {person.name}"
    )


def speech_page(archive: Archive, speech_id: int, citing: Citing | None = None) -> dict[str, Any]:
    """A speech with the turns before and after it, and a citation ready to paste."""
    at = citing or Citing()
    ref = archive.speech(speech_id)
    stored = archive.event(ref.event_id, ref.revision)
    record = event_record(stored)
    said = record["speeches"]
    index = ref.position - 1
    speech = said[index]
    doc = stored.document
    return {
        "speech": {**speech, "position": ref.position, "anchor": f"s{ref.position}"},
        "before": said[index - 1] if index > 0 else None,
        "after": said[index + 1] if index + 1 < len(said) else None,
        "current": ref.current,
        "permalink": ref.permalink,
        "event": {key: record[key] for key in _SPEECH_EVENT_KEYS},
        "date_line": _date_line(doc),
        "citation": cite(
            doc,
            ref.permalink,
            speech=doc.speeches[index],
            base=at.base,
            accessed=at.accessed,
        ).to_dict(),
        "counterpart": _counterpart(archive, speech.get("counterpart")),
        "check_link": "/check?" + urlencode({"q": _opening(speech["text"])}),
    }


#: Words of a speech's opening that a "check this quote" link carries (a long speech is rarely
#: quoted whole; its opening finds it, and the reader trims it to what circulates).
CHECK_WORDS: Final = 40


def _opening(text: str) -> str:
    words = text.split()
    return " ".join(words[:CHECK_WORDS]) + (" …" if len(words) > CHECK_WORDS else "")


def _counterpart(archive: Archive, link: dict[str, Any] | None) -> dict[str, Any] | None:
    """The other-language speech in full, so that a quote can be checked against its original
    ("the original Russian of this quote") without leaving the page."""
    if link is None:
        return None
    other = archive.event(link["event_id"])
    said = other.document.speeches[link["position"] - 1]
    return {
        **link,
        "label": LANGUAGE_NAMES.get(link["language"], link["language"]),
        "speaker": said.speaker,
        "attribution": said.attribution,
        "paragraphs": list(said.paragraphs),
        "text": said.text,
        "title": other.document.title,
    }


# --- search -------------------------------------------------------------------------------------


def _sort(value: str) -> Sort:
    if value not in SORTS:
        raise QueryError(f"sort must be one of {', '.join(SORTS)}, not {value!r}")
    return cast(Sort, value)


def _clause(name: str, value: str) -> str:
    return f'{name}:"{value}"' if re.search(r'[\s():"]', value) else f"{name}:{value}"


@lru_cache(maxsize=8192)
def _quoted(text: str) -> str:
    """``quote_plus``, kept: a search page links ~80 facet values, most of them seen before,
    and quoting in Python walks the text byte by byte."""
    return quote_plus(text)


def snippet_markup(hit: Hit) -> str:
    """The snippet as HTML: text escaped, each matched passage in ``<b>``."""
    parts: list[str] = []
    last = 0
    for start, end in hit.highlights:
        parts += (html.escape(hit.snippet[last:start]), "<b>", html.escape(hit.snippet[start:end]))
        parts.append("</b>")
        last = end
    parts.append(html.escape(hit.snippet[last:]))
    return "".join(parts)


def _facet_link(query: str, clause: str, sort: str) -> dict[str, str]:
    """The query that adds ``clause`` to ``query``, and the search page's URL for it (the same
    as urlencode of the joined query: a space encodes as ``+``)."""
    return {
        "query": f"{query} {clause}",
        "href": f"/search?q={_quoted(query)}+{_quoted(clause)}&sort={_quoted(sort)}",
    }


def search_page(
    archive: Archive,
    query: str,
    *,
    offset: int = 0,
    limit: int = HITS_PER_PAGE,
    sort: str = "relevance",
    events: bool = False,
    facet_limit: int = FACET_LIMIT,
    reported: bool = False,
) -> dict[str, Any]:
    """Hits with the fields of ``stenogram search --json`` under ``results`` (``snippet`` as
    HTML here, ``snippet_text`` + ``highlights`` as the engine gives them); each facet value
    carries the query that adds it as a filter, so a facet is a plain link. ``facet_sizes``
    say how many values each facet has, ``widen`` links to the facets shown in full.
    ``reported``: how many events' narrative a ``speaker:`` search left out (``include_reported``
    links to the search with it, each such hit marked ``reported``)."""
    check_query(query)
    order = _sort(sort)
    if not 1 <= limit <= MAX_PER_PAGE:
        raise QueryError(f"limit must be between 1 and {MAX_PER_PAGE}, not {limit}")
    if offset < 0 or offset + limit > MAX_SEARCH_WINDOW:
        raise QueryError(f"results beyond the first {MAX_SEARCH_WINDOW} are not paged")
    at = Paging(offset // limit + 1, limit)
    base = {"query": query, "sort": order, "events": events, "offset": offset, "limit": limit}
    if not query.strip():
        empty = {"total": 0, "results": [], "facets": {}, "facet_sizes": {}, "nearest": None}
        nothing = {"widen": None, "reported": 0, "include_reported": None}
        return {**base, **empty, **nothing, "pagination": _pagination(0, at)}
    found = search(
        archive.index_path,
        query,
        limit=limit,
        offset=offset,
        sort=order,
        events=events,
        facet_limit=facet_limit,
        people=search_people(archive),
        reported=reported,
    )
    results = []
    for hit in found.hits:
        row = hit.to_dict()
        row["snippet_text"] = hit.snippet
        row["snippet"] = snippet_markup(hit)
        row["speech_link"] = f"/speeches/{hit.speech_id}" if hit.speech_id is not None else None
        results.append(row)
    cut = any(found.facet_sizes.get(name, 0) > len(b) for name, b in found.facets.items())
    widen = None
    if cut and facet_limit < MAX_FACET:
        widen = (
            f"/search?q={_quoted(query.strip())}&sort={_quoted(order)}"
            f"{'&events=true' if events else ''}&facet_limit={MAX_FACET}"
        )
    shown: dict[str, list[dict[str, Any]]] = {}
    query = query.strip()
    for name, buckets in found.facets.items():
        # A speaker is linked by person id: two persons may share a name.
        keys = found.speaker_ids if name == "speaker" else [value for value, _ in buckets]
        shown[name] = [
            {
                "value": value,
                "count": count,
                **_facet_link(
                    query,
                    _clause(FACET_FILTERS[name], key)
                    if name in FACET_FILTERS
                    else f"from:{value} to:{value}",
                    order,
                ),
            }
            for (value, count), key in zip(buckets, keys, strict=True)
        ]
    return {
        **base,
        "total": found.total,
        "results": results,
        "facets": shown,
        "facet_sizes": found.facet_sizes,
        "widen": widen,
        "nearest": found.nearest,
        "reported": found.reported,
        "include_reported": (
            f"/search?q={_quoted(query)}&sort={_quoted(order)}&reported=true"
            if found.reported
            else None
        ),
        "pagination": _pagination(found.total, at),
    }
