"""What every crawler adapter provides, and what its listings yield."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Item:
    """One event a listing points to: where to fetch it, its id, and its date if listed."""

    url: str
    key: str
    date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Listing:
    """What one listing page (or feed) holds, newest first, and the next (older) page."""

    items: tuple[Item, ...]
    next_url: str | None = None


class SourceAdapter(Protocol):
    """list items (start pages, then each listing's next page) -> fetch -> parse (``format``)."""

    @property
    def name(self) -> str: ...

    @property
    def format(self) -> str: ...

    @property
    def hosts(self) -> frozenset[str]: ...

    def start_urls(self, since: dt.date | None, until: dt.date | None) -> list[str]:
        """Where to start listing, newest first (a feed, the first page, a page for a date)."""
        ...

    def read_listing(self, url: str, body: bytes) -> Listing:
        """The items and next page of a fetched listing; :class:`ParseError` if unreadable."""
        ...


__all__ = ["Item", "Listing", "SourceAdapter"]
