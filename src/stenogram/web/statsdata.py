"""The data behind ``/stats``: one checked question in, one plain dict out.

A question (:class:`Trend`, :class:`Speakers`, ...) is what a page's form or an API call asked,
checked and in canonical form, so that its permalink names every parameter and the same question
always has the same URL (and the same entry in the response cache). :func:`answer` runs it through
:mod:`stenogram.stats` and returns the dict the page renders and its JSON twin serialises; the API
answers the library's own object (``result``) unchanged, the one other tools rely on.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Final, Literal, Protocol
from urllib.parse import urlencode

from .. import stats
from ..archive import Archive
from ..archive.browse import BrowseKind
from ..errors import QueryError
from ..stats import Result, charts
from . import data
from .data import Paging, check_query

PeriodName = Literal["year", "month"]
PerName = Literal["none", "speaker", "role"]
#: The questions, in the order the index lists them: path name -> heading.
QUESTIONS: Final = {
    "trend": "Term trends",
    "speakers": "Speakers",
    "distinctive": "Distinctive terms",
    "network": "Co-attendance",
    "calendar": "Calendar",
    "places": "Places",
}
#: What each question answers, for the index and the page's lede.
ABOUT: Final = {
    "trend": "When words or phrases were used: speeches that contain each, per year or month, "
    "and per million words spoken in that period; split by speaker or role.",
    "speakers": "Events, speeches and words per period, and who spoke most.",
    "distinctive": "Words and two-word phrases that set the matched speeches apart from the "
    "rest (weighted log-odds with an informative Dirichlet prior).",
    "network": "Who appears with whom in the matched events, weighted by events together.",
    "calendar": "Events per day.",
    "places": "Events by place and country per period.",
}
#: What a question cannot be asked without, for the message of a download asked with nothing.
NEEDS: Final = {
    "trend": "one or more terms (term=...)",
    "distinctive": "a search query for the speeches to set apart (q=...)",
}
#: Files a question downloads as (beyond its JSON twin): extension -> media type.
DOWNLOADS: Final = {"svg": "image/svg+xml", "png": "image/png", "csv": "text/csv; charset=utf-8"}
#: What the network downloads as besides: extension -> media type.
GRAPH_DOWNLOADS: Final = {"graphml": "application/graphml+xml", "gexf": "application/gexf+xml"}
#: The policy of a chart's SVG: matplotlib styles its shapes with ``style`` attributes, which
#: the site's CSP refuses; the SVG is an image of the page (no script can run in it anyway).
SVG_POLICY: Final = "default-src 'none'; style-src 'unsafe-inline'"
#: The query filter that keeps the events of a tag of each browsable kind (persons: none).
TAG_FILTER: Final[dict[str, str]] = {"topics": "topic", "geography": "geo", "place": "place"}
#: Rows of the statistics a person or topic page shows, and the people of an ego network there
#: (the person and the most present others: more names no longer fit a phone's width).
PAGE_ROWS: Final = 15
EGO_PEOPLE: Final = 16


class Question(Protocol):
    name: ClassVar[str]

    def params(self) -> list[tuple[str, str]]: ...

    def run(self, archive: Archive) -> Result: ...


def check_filter(text: str) -> str:
    return check_query(text).strip()


@dataclass(frozen=True, slots=True)
class Trend:
    terms: tuple[str, ...]
    by: PeriodName = "year"
    per: PerName = "none"
    q: str = ""
    name: ClassVar[str] = "trend"

    @classmethod
    def checked(cls, terms: Sequence[str], by: PeriodName, per: PerName, q: str) -> Trend:
        """Blank terms are dropped (the empty boxes of the form) and repeats too; the count and
        length of the terms are bounded by :mod:`.params`."""
        kept = tuple(dict.fromkeys(" ".join(t.split()) for t in terms if t.strip()))
        if not kept:
            raise QueryError("name at least one term to count")
        return cls(kept, by, per, check_filter(q))

    def params(self) -> list[tuple[str, str]]:
        return [
            *(("term", t) for t in self.terms),
            ("by", self.by),
            ("per", self.per),
            ("q", self.q),
        ]

    def run(self, archive: Archive) -> Result:
        per = None if self.per == "none" else self.per
        return stats.trend(archive, self.terms, by=self.by, per=per, query=self.q)


@dataclass(frozen=True, slots=True)
class Speakers:
    by: PeriodName = "year"
    q: str = ""
    limit: int = 20
    name: ClassVar[str] = "speakers"

    def params(self) -> list[tuple[str, str]]:
        return [("by", self.by), ("q", self.q), ("limit", str(self.limit))]

    def run(self, archive: Archive) -> Result:
        return stats.speakers(archive, by=self.by, query=self.q, limit=self.limit)


@dataclass(frozen=True, slots=True)
class Distinctive:
    q: str
    against: str = ""
    limit: int = 30
    name: ClassVar[str] = "distinctive"

    @classmethod
    def checked(cls, q: str, against: str, limit: int) -> Distinctive:
        if not q.strip():
            raise QueryError("name what to set apart: a search query such as speaker:putin")
        return cls(check_filter(q), check_filter(against), limit)

    def params(self) -> list[tuple[str, str]]:
        return [("q", self.q), ("against", self.against), ("limit", str(self.limit))]

    def run(self, archive: Archive) -> Result:
        return stats.distinctive(archive, query=self.q, against=self.against, limit=self.limit)


@dataclass(frozen=True, slots=True)
class Network:
    q: str = ""
    person: str | None = None
    limit: int = 100
    name: ClassVar[str] = "network"

    def params(self) -> list[tuple[str, str]]:
        chosen = [("person", self.person)] if self.person else []
        return [("q", self.q), *chosen, ("limit", str(self.limit))]

    def run(self, archive: Archive) -> Result:
        return stats.network(archive, query=self.q, person_id=self.person, limit=self.limit)


@dataclass(frozen=True, slots=True)
class Calendar:
    q: str = ""
    year: int | None = None
    name: ClassVar[str] = "calendar"

    def params(self) -> list[tuple[str, str]]:
        return [("q", self.q), *([("year", str(self.year))] if self.year else [])]

    def run(self, archive: Archive) -> Result:
        return stats.calendar(archive, query=self.q, year=self.year)


@dataclass(frozen=True, slots=True)
class Places:
    by: PeriodName = "year"
    q: str = ""
    limit: int = 20
    name: ClassVar[str] = "places"

    def params(self) -> list[tuple[str, str]]:
        return [("by", self.by), ("q", self.q), ("limit", str(self.limit))]

    def run(self, archive: Archive) -> Result:
        return stats.places(archive, by=self.by, query=self.q, limit=self.limit)


def link(question: Question, suffix: str = "") -> str:
    """The site-relative URL of the question (``suffix``: ``.csv``, ``.svg``, ...), every
    parameter spelled out: a permalink that still means the same when a default changes."""
    return f"/stats/{question.name}{suffix}?{urlencode(question.params())}"


def downloads(question: Question) -> dict[str, str]:
    kinds = [*DOWNLOADS, "json", *(GRAPH_DOWNLOADS if question.name == "network" else ())]
    return {kind: link(question, f".{kind}") for kind in kinds}


def answer(archive: Archive, question: Question) -> dict[str, Any]:
    """The page of a question and its JSON twin: the library's object under ``result``, its
    table (the chart's text alternative), what was counted, the permalink and the downloads."""
    result = question.run(archive)
    header, rows = result.table()
    return {
        "question": question.name,
        "title": QUESTIONS[question.name],
        "about": ABOUT[question.name],
        "asked": _asked(question.params()),
        "caption": result.caption(),
        "permalink": link(question),
        "api": f"/api/stats/{question.name}?{urlencode(question.params())}",
        "downloads": downloads(question),
        "table": {"header": header, "rows": rows},
        "result": result.to_json(),
    }


def blank(name: str) -> dict[str, Any]:
    """The page of a question not asked yet: its form, nothing counted."""
    return {
        "question": name,
        "title": QUESTIONS[name],
        "about": ABOUT[name],
        "asked": {},
        "caption": None,
        "permalink": f"/stats/{name}",
        "api": None,
        "downloads": {},
        "table": None,
        "result": None,
    }


def download(archive: Archive, question: Question, kind: str) -> bytes:
    """A question's answer as a file: its chart (SVG, PNG), its table (CSV) or, for the
    network, its graph (GraphML, GEXF: for Gephi, Cytoscape or networkx)."""
    result = question.run(archive)
    for chart in charts.FORMATS:
        if kind == chart:
            return charts.render(result, chart)
    if kind == "csv":
        return table_csv(*result.table()).encode()
    assert isinstance(result, stats.Network), kind
    return (result.to_graphml() if kind == "graphml" else result.to_gexf()).encode()


def _asked(params: list[tuple[str, str]]) -> dict[str, Any]:
    """The parameters as the form shows them: a repeated one (``term``) as a list."""
    asked: dict[str, Any] = {}
    for key, value in params:
        if key == "term":
            asked.setdefault("terms", []).append(value)
        else:
            asked[key] = value
    return asked


def index() -> dict[str, Any]:
    return {
        "questions": [
            {"name": name, "title": title, "about": ABOUT[name], "href": f"/stats/{name}"}
            for name, title in QUESTIONS.items()
        ]
    }


def table_csv(header: list[str], rows: list[list[str | int | float]]) -> str:
    """The data table as CSV: the same header and rows as the page shows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


# --- the statistics of a person's page and a tag's page ------------------------------------------


def person_page(archive: Archive, person_id: str, at: Paging) -> dict[str, Any]:
    """The person's page with their statistics under ``stats``."""
    found = data.person_page(archive, person_id, at)
    return {**found, "stats": person_stats(archive, found["person"]["id"])}


def tag_page(archive: Archive, kind: str, name: str, at: Paging) -> dict[str, Any]:
    """A tag's events with its statistics under ``stats`` (None for the persons kind)."""
    found = data.tag_page(archive, kind, name, at)
    return {**found, "stats": tag_stats(archive, found["kind"], found["name"])}


def person_stats(archive: Archive, person_id: str) -> dict[str, Any]:
    """A person's activity with the roles held, the terms that set their speeches apart, and
    their ego network, each with the link to its full question under /stats."""
    activity = stats.person_activity(archive, person_id)
    # The activity's chart is the page's own words per year (``/persons/{id}/words.svg``).
    apart = Distinctive(f"speaker:{person_id}", limit=PAGE_ROWS)
    ego = Network(person=person_id, limit=EGO_PEOPLE)
    return {
        "activity": _part(activity, None),
        "distinctive": _part(apart.run(archive), apart),
        "network": _part(ego.run(archive), ego),
    }


def tag_stats(archive: Archive, kind: BrowseKind, name: str) -> dict[str, Any] | None:
    """A tag's speakers and speeches over time and its distinctive terms (None: a kind that
    has no filter in the query language)."""
    if kind not in TAG_FILTER:
        return None
    escaped = name.replace('"', " ")
    where = f'{TAG_FILTER[kind]}:"{escaped}"'
    over_time = Speakers(q=where, limit=PAGE_ROWS)
    apart = Distinctive(where, limit=PAGE_ROWS)
    return {
        "speakers": _part(over_time.run(archive), over_time),
        "distinctive": _part(apart.run(archive), apart),
    }


def _part(result: Result, question: Question | None) -> dict[str, Any]:
    header, rows = result.table()
    return {
        "caption": result.caption(),
        "table": {"header": header, "rows": rows},
        "result": result.to_json(),
        "permalink": link(question) if question else None,
        "chart": link(question, ".svg") if question else None,
    }
