"""Term trends: how many speeches use a word or phrase, per year or month, per million words.

A term is matched as a quoted phrase is (its words as printed, lower-cased, in that order), so
"sanction" does not count "sanctions"; a term written in the query language (``sanction*``,
``~"national project"``, ``a OR b``) is read as such. Each term is one query whose matching
speeches are counted per period through the ``year``/``month`` column; the words of a period
are the sum of the speeches' ``words`` column under the same filter, so ``per_million`` is the
term's speeches per million words spoken in that period.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, get_args

import tantivy

from ..archive import Archive
from ..errors import QueryError
from ..search import index as ix
from ..search.engine import text_fields
from ..search.query import Compiler, parse
from .scope import (
    Period,
    Scope,
    both,
    buckets,
    check_period,
    check_query,
    per_period,
    terms_agg,
    total,
)

Per = Literal[None, "speaker", "role"]
PERS: Final = tuple(p for p in get_args(Per) if p)
MAX_TERMS: Final = 6
#: When a trend is split, the speakers (or roles) that use the term most, per term.
SPLIT_LIMIT: Final = 8
#: What makes a term a query rather than words to match as printed.
_SYNTAX: Final = re.compile(r'["*~()]|\b(?:AND|OR|NOT)\b|\w:')
#: The column each split reads.
_SPLIT_FIELD: Final[dict[str, str]] = {"speaker": "speaker", "role": "role"}


@dataclass(frozen=True, slots=True)
class Point:
    period: str
    speeches: int
    words: int
    per_million: float

    def to_json(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "speeches": self.speeches,
            "words": self.words,
            "per_million": self.per_million,
        }


@dataclass(frozen=True, slots=True)
class Series:
    """One term's points; with a split, of one speaker (``person_id``, ``speaker``) or role."""

    term: str
    points: tuple[Point, ...]
    speaker: str | None = None
    person_id: str | None = None
    role: str | None = None

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"term": self.term}
        if self.person_id is not None:
            found |= {"speaker": self.speaker, "person_id": self.person_id}
        if self.role is not None:
            found["role"] = self.role
        found["points"] = [p.to_json() for p in self.points]
        return found

    @property
    def label(self) -> str:
        split = self.speaker or self.role
        return f"{self.term} ({split})" if split else self.term


@dataclass(frozen=True, slots=True)
class Trend:
    terms: tuple[str, ...]
    by: Period
    per: Per
    query: str
    series: tuple[Series, ...]

    def to_json(self) -> dict[str, Any]:
        return {"series": [s.to_json() for s in self.series]}

    def table(self) -> tuple[list[str], list[list[str | int | float]]]:
        split = [self.per] if self.per else []
        header = ["term", *split, "period", "speeches", "words", "per_million"]
        rows: list[list[str | int | float]] = []
        for s in self.series:
            lead: list[str | int | float] = [s.term]
            if split:
                lead.append(s.speaker or s.role or "")
            rows += [[*lead, p.period, p.speeches, p.words, p.per_million] for p in s.points]
        return header, rows

    def caption(self) -> str:
        split = f", split by {self.per}" if self.per else ""
        where = f" among speeches matching {self.query}" if self.query else ""
        return (
            f"Speeches (speaker turns) using each term per {self.by}{where}{split}, "
            "and per million words spoken in that period."
        )


def check_terms(found: Sequence[str]) -> tuple[str, ...]:
    cleaned = tuple(t.strip() for t in found)
    if not cleaned:
        raise QueryError("give at least one term")
    if len(cleaned) > MAX_TERMS:
        raise QueryError(f"at most {MAX_TERMS} terms at a time, not {len(cleaned)}")
    if not all(cleaned):
        raise QueryError("a term is empty")
    return cleaned


def check_per(per: str | None) -> Per:
    if per is None:
        return None
    if per not in PERS:
        raise QueryError(f"split must be one of {', '.join(PERS)}, not {per!r}")
    return "speaker" if per == "speaker" else "role"


def term_query(scope: Scope, term: str) -> tantivy.Query:
    """The speeches using ``term`` (see the module docstring for how it is read)."""
    text = term if _SYNTAX.search(term) else '"' + term.replace('"', " ") + '"'
    compiler = Compiler(scope.opened, scope.searcher, *text_fields(False), scope.people)
    query, needs_text = compiler.compile(parse(text))
    if not needs_text:
        raise QueryError(f"term {term!r} has no word to count")
    return query


def trend(
    archive: Archive,
    terms: Sequence[str],
    *,
    by: Period = "year",
    per: Per = None,
    query: str = "",
) -> Trend:
    """Each term's speeches per period (module docstring); ``per`` splits by speaker or role."""
    return compute(Scope.of(archive), terms, by=by, per=per, query=query)


def compute(
    scope: Scope, terms: Sequence[str], *, by: Period = "year", per: Per = None, query: str = ""
) -> Trend:
    found = check_terms(terms)
    by = check_period(by)
    per = check_per(per)
    base = scope.speeches(check_query(query))
    queries = [term_query(scope, term) for term in found]
    if per is None:
        words = _words(scope, base, by)
        series = tuple(
            Series(term, _points(_periods(scope, both(base, q), by), words))
            for term, q in zip(found, queries, strict=True)
        )
    else:
        series = tuple(
            s
            for term, q in zip(found, queries, strict=True)
            for s in _split(scope, base, term, q, by, per)
        )
    return Trend(found, by, per, query, series)


def _periods(scope: Scope, query: tantivy.Query, by: Period) -> dict[str, int]:
    result = scope.aggregate(query, {"p": terms_agg(by)})
    return {label: int(b["doc_count"]) for label, b in per_period(by, buckets(result["p"])).items()}


def _words(scope: Scope, base: tantivy.Query, by: Period) -> dict[str, int]:
    result = scope.aggregate(base, {"p": terms_agg(by, aggs={"w": total("words")})})
    found = per_period(by, buckets(result["p"]))
    return {label: int(b["w"]["value"]) for label, b in found.items()}


def _points(speeches: dict[str, int], words: dict[str, int]) -> tuple[Point, ...]:
    """A point for every period with words under the filter, so that a series has its zeros."""
    return tuple(
        Point(period, speeches.get(period, 0), n, per_million(speeches.get(period, 0), n))
        for period, n in words.items()
    )


def per_million(count: int, words: int) -> float:
    return round(count * 1_000_000 / words, 3) if words else 0.0


def _split(
    scope: Scope, base: tantivy.Query, term: str, query: tantivy.Query, by: Period, per: str
) -> list[Series]:
    """The series of the speakers (roles) that use ``term`` most, each normalised by the words
    that speaker (role) spoke in the period."""
    field = _SPLIT_FIELD[per]
    used = scope.aggregate(
        both(base, query),
        {"s": terms_agg(field, size=SPLIT_LIMIT, exclude=[ix.NO_VALUE], aggs={"p": terms_agg(by)})},
    )
    top = buckets(used["s"])
    if not top:
        return []
    keys = [str(b["key"]) for b in top]
    spoken = scope.aggregate(
        base,
        {
            "s": terms_agg(
                field, include=keys, aggs={"p": terms_agg(by, aggs={"w": total("words")})}
            )
        },
    )
    words = {
        str(b["key"]): {
            label: int(p["w"]["value"]) for label, p in per_period(by, buckets(b["p"])).items()
        }
        for b in buckets(spoken["s"])
    }
    series = []
    for bucket in top:
        key = str(bucket["key"])
        counts = {
            label: int(p["doc_count"]) for label, p in per_period(by, buckets(bucket["p"])).items()
        }
        points = _points(counts, words.get(key, {}))
        if per == "speaker":
            series.append(Series(term, points, speaker=scope.name(key), person_id=key))
        else:
            series.append(Series(term, points, role=key))
    return series
