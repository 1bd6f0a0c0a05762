"""What an archive holds, per source: how many events and the dates they span.

Shown by ``stenogram info`` and the web's /about page, so that a sample (the demo's few hundred
pages, one CSV of three months) is never mistaken for the whole record of a publisher.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from .schema import events


@dataclass(frozen=True, slots=True)
class SourceSpan:
    """One source's events: their number, the first and last dates, and how many have none
    (announcements without a date are neither first nor last)."""

    source: str
    events: int
    first: dt.date | None
    last: dt.date | None
    undated: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "events": self.events,
            "first": self.first.isoformat() if self.first else None,
            "last": self.last.isoformat() if self.last else None,
            "undated": self.undated,
        }


def source_spans(conn: Connection) -> tuple[SourceSpan, ...]:
    """Every source with events, the most events first."""
    rows = conn.execute(
        select(
            events.c.source,
            func.count(),
            func.min(events.c.date),
            func.max(events.c.date),
            func.count() - func.count(events.c.date),
        )
        .group_by(events.c.source)
        .order_by(func.count().desc(), events.c.source)
    )
    return tuple(
        SourceSpan(str(row[0]), int(row[1]), _date(row[2]), _date(row[3]), int(row[4]))
        for row in rows
    )


def _date(value: object) -> dt.date | None:
    """A date column's min/max (SQLite hands aggregates back as text)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))
