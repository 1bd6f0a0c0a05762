"""What every statistic shares: the index searcher, the filter in the search query language,
periods, and exact terms aggregations over the index's fast columns.

A statistic is a few tantivy aggregations, never a pass over texts: the columns it reads are
written when a speech or event is indexed (``search.index``, the statistics columns), so the
figures follow the archive's change log exactly as the search does. Every terms aggregation is
asked for all its values (``EVERY``), which makes its counts exact; tantivy says when they are
not (a non-zero error bound), and that is an error rather than a figure quietly off.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal, get_args

import tantivy

from ..archive import Archive
from ..errors import QueryError, StoreError
from ..queries import search_people
from ..search import index as ix
from ..search.engine import compile_match, open_searcher
from ..search.people import People
from ..search.query import parse

Period = Literal["year", "month"]
PERIODS: Final = get_args(Period)
#: Asked of every terms aggregation: more values than any column holds, so counts are exact.
EVERY: Final = 10_000_000
#: The longest filter a statistic takes (as a search does).
MAX_QUERY: Final = 1000


@dataclass(frozen=True, slots=True)
class Scope:
    """One archive's index as a statistic reads it: one searcher, so that every aggregation of
    one answer sees the same commit."""

    opened: ix.OpenIndex
    searcher: tantivy.Searcher
    people: People

    @classmethod
    def of(cls, archive: Archive) -> Scope:
        opened, searcher = open_searcher(archive.index_path)
        return cls(opened, searcher, search_people(archive))

    def term(self, field: str, value: str | int) -> tantivy.Query:
        return tantivy.Query.term_query(self.opened.schema, field, value)

    def speeches(self, query: str = "") -> tantivy.Query:
        """The speeches (speaker turns) the filter matches; a page without speeches is not one."""
        if query.strip():
            tree = parse(query)
            _, found, _ = compile_match(self.opened, self.searcher, tree, False, self.people)
        else:
            found = self.term("level", "speech")
        return both(found, self.term("level", "event"), occur=tantivy.Occur.MustNot)

    def events(self, query: str = "") -> tantivy.Query:
        """The events the filter matches (their own documents: one per event)."""
        if not query.strip():
            return self.term("level", "event")
        tree = parse(query)
        return compile_match(self.opened, self.searcher, tree, True, self.people)[1]

    def aggregate(self, query: tantivy.Query, spec: Mapping[str, Any]) -> dict[str, Any]:
        try:
            result: dict[str, Any] = self.searcher.aggregate(query, dict(spec))
        except ValueError as exc:
            raise StoreError(f"cannot aggregate the search index: {exc}") from exc
        return result

    def count(self, query: tantivy.Query) -> int:
        found = self.searcher.search(query, 1, count=True)
        return int(getattr(found, "count", 0) or 0)

    def live(self) -> bool:
        """Whether no deleted speech lingers in the segments, so that a term's document
        frequency in the term dictionary is an exact count of speeches (a replaced or removed
        event's documents stay in their segment, counted there, until a merge drops them)."""
        return self.searcher.doc_freq("level", "speech") == self.count(self.term("level", "speech"))

    def name(self, person_id: str) -> str:
        return self.people.name(person_id)


def both(
    a: tantivy.Query, b: tantivy.Query, *, occur: tantivy.Occur = tantivy.Occur.Must
) -> tantivy.Query:
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, a), (occur, b)])


def any_of(scope: Scope, field: str, values: list[str]) -> tantivy.Query:
    return tantivy.Query.boolean_query(
        [(tantivy.Occur.Should, scope.term(field, value)) for value in values]
    )


def terms_agg(
    field: str,
    *,
    aggs: Mapping[str, Any] | None = None,
    size: int = EVERY,
    include: list[str] | None = None,
    exclude: list[str] | None = None,
    segment_size: int = EVERY,
) -> dict[str, Any]:
    """A terms aggregation over every value of ``field`` (see the module docstring); a smaller
    ``segment_size`` only to pick candidates whose counts are then taken exactly."""
    spec: dict[str, Any] = {"field": field, "size": size, "segment_size": segment_size}
    if include is not None:
        spec["include"] = include
    if exclude is not None:
        spec["exclude"] = exclude
    found: dict[str, Any] = {"terms": spec}
    if aggs:
        found["aggs"] = dict(aggs)
    return found


def total(field: str) -> dict[str, Any]:
    return {"sum": {"field": field}}


def buckets(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A terms aggregation's buckets, refused if tantivy says the counts may be off."""
    if result.get("doc_count_error_upper_bound"):
        raise StoreError("the search index's counts came back inexact; rerun the statistic")
    return list(result["buckets"])


def check_period(by: str) -> Period:
    if by not in PERIODS:
        raise QueryError(f"period must be one of {', '.join(PERIODS)}, not {by!r}")
    return "year" if by == "year" else "month"


def check_query(query: str) -> str:
    if len(query) > MAX_QUERY:
        raise QueryError(f"the filter is longer than {MAX_QUERY} characters")
    return query


def check_limit(limit: int, most: int) -> int:
    if not 1 <= limit <= most:
        raise QueryError(f"limit must be between 1 and {most}, not {limit}")
    return limit


def period_label(by: Period, key: int) -> str | None:
    """ "2016" or "2016-03"; None for the documents without a date."""
    if key == ix.NO_YEAR:
        return None
    return str(key) if by == "year" else f"{key // 100:04d}-{key % 100:02d}"


def per_period(by: Period, found: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Period label -> bucket, in date order, without the undated."""
    labelled = {period_label(by, int(b["key"])): b for b in found}
    return {label: labelled[label] for label in sorted(k for k in labelled if k is not None)}
