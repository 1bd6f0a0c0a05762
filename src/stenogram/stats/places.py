"""Where events happened, per period: the place printed on the page (``place``) and the
geography tags (countries and regions, as the publisher tags them), counted in events on each
event's own document.

An event's geography tags sit in slot columns and, beyond the slots, in the shared rest column
(``search.index``); a name's count adds up its slot and rest counts, which stays exact because
an event holds a name once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Final

from ..archive import Archive
from ..search import index as ix
from .scope import (
    Period,
    Scope,
    buckets,
    check_limit,
    check_period,
    check_query,
    per_period,
    terms_agg,
)

MAX_PLACES: Final = 1000
_GEO: Final = "geography"


@dataclass(frozen=True, slots=True)
class PlacePeriod:
    period: str
    events: int
    places: tuple[tuple[str, int], ...]
    countries: tuple[tuple[str, int], ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "events": self.events,
            "places": [{"name": n, "events": c} for n, c in self.places],
            "countries": [{"name": n, "events": c} for n, c in self.countries],
        }


@dataclass(frozen=True, slots=True)
class Places:
    by: Period
    query: str
    periods: tuple[PlacePeriod, ...]

    def to_json(self) -> dict[str, Any]:
        return {"periods": [p.to_json() for p in self.periods]}

    def table(self) -> tuple[list[str], list[list[str | int | float]]]:
        rows: list[list[str | int | float]] = [
            [p.period, kind, name, n]
            for p in self.periods
            for kind, values in (("place", p.places), ("country", p.countries))
            for name, n in values
        ]
        return ["period", "kind", "name", "events"], rows

    def caption(self) -> str:
        where = f" matching {self.query}" if self.query else ""
        return (
            f"Events{where} per {self.by} by the place printed on the page and by geography tag "
            "(country or region)."
        )


def places(archive: Archive, *, by: Period = "year", query: str = "", limit: int = 20) -> Places:
    """Events by place and by country per period, the ``limit`` most frequent of each."""
    return compute(Scope.of(archive), by=by, query=query, limit=limit)


def compute(scope: Scope, *, by: Period = "year", query: str = "", limit: int = 20) -> Places:
    by = check_period(by)
    check_limit(limit, MAX_PLACES)
    slots = ix.SLOT_COLUMNS[_GEO]
    aggs = {"place": terms_agg("place", exclude=[ix.NO_VALUE])}
    aggs |= {column: terms_agg(column, exclude=[ix.NO_VALUE]) for column in slots}
    aggs[ix.REST_COLUMN] = terms_agg(ix.REST_COLUMN)
    result = scope.aggregate(scope.events(check_query(query)), {"p": terms_agg(by, aggs=aggs)})
    periods = []
    for label, bucket in per_period(by, buckets(result["p"])).items():
        countries: Counter[str] = Counter()
        for column in slots:
            countries.update({str(b["key"]): int(b["doc_count"]) for b in buckets(bucket[column])})
        for b in buckets(bucket[ix.REST_COLUMN]):
            facet, _, name = str(b["key"]).partition(ix.KIND_SEPARATOR)
            if facet == _GEO:
                countries[name] += int(b["doc_count"])
        place = [(str(b["key"]), int(b["doc_count"])) for b in buckets(bucket["place"])]
        periods.append(
            PlacePeriod(
                label,
                int(bucket["doc_count"]),
                _top(place, limit),
                _top(list(countries.items()), limit),
            )
        )
    return Places(by, query, tuple(periods))


def _top(values: list[tuple[str, int]], limit: int) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(values, key=lambda item: (-item[1], item[0]))[:limit])
