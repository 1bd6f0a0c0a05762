"""A calendar: how many of the matched events fell on each day (each event's own document,
its ``day`` column), for one year or all of them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ..archive import Archive
from ..errors import QueryError
from .scope import Scope, both, buckets, check_query, terms_agg


@dataclass(frozen=True, slots=True)
class Calendar:
    query: str
    year: int | None
    days: tuple[tuple[dt.date, int], ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "year": self.year,
            "days": [{"date": day.isoformat(), "events": n} for day, n in self.days],
        }

    def table(self) -> tuple[list[str], list[list[str | int | float]]]:
        return ["date", "events"], [[day.isoformat(), n] for day, n in self.days]

    def caption(self) -> str:
        where = f" matching {self.query}" if self.query else ""
        when = f" in {self.year}" if self.year else ""
        return f"Events{where} per day{when} (days without any are left out)."


def calendar(archive: Archive, *, query: str = "", year: int | None = None) -> Calendar:
    """Events per day of the events matching ``query``, in ``year`` if given."""
    return compute(Scope.of(archive), query=query, year=year)


def compute(scope: Scope, *, query: str = "", year: int | None = None) -> Calendar:
    if year is not None and not 1 <= year <= 9999:
        raise QueryError(f"year must be between 1 and 9999, not {year}")
    events = scope.events(check_query(query))
    if year is not None:
        events = both(events, scope.term("year", year))
    result = scope.aggregate(events, {"d": terms_agg("day")})
    days = sorted(
        (
            dt.date(int(b["key"]) // 10_000, int(b["key"]) // 100 % 100, int(b["key"]) % 100),
            int(b["doc_count"]),
        )
        for b in buckets(result["d"])
    )
    return Calendar(query, year, tuple(days))
