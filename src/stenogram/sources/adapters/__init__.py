"""Publishers as crawler adapters: one small interface, one module per press office.

An adapter knows a site's addresses and how to read its listings; it never fetches (the crawl
does, through the one polite :class:`~stenogram.sources.http.Fetcher`) and never parses an
event page (the format named by :attr:`SourceAdapter.format` does). So an adapter is pure and
tested offline on saved listings, and adding a press office is one module here plus one line in
the registry below.
"""

from __future__ import annotations

from collections.abc import Callable

from ...errors import SourceError
from . import kremlin, pm_au
from .base import Item, Listing, SourceAdapter

_FACTORIES: dict[str, tuple[str, Callable[[str | None], SourceAdapter]]] = {
    "kremlin-en": ("en.kremlin.ru, in English", kremlin.english),
    "kremlin-ru": ("kremlin.ru, in Russian", kremlin.russian),
    "pm-au": ("pmtranscripts.pmc.gov.au, Australian PM transcripts", pm_au.adapter),
}

#: The crawlable sources: name -> one-line description.
ADAPTERS: dict[str, str] = {name: about for name, (about, _make) in _FACTORIES.items()}


def get_adapter(name: str, base_url: str | None = None) -> SourceAdapter:
    """The adapter called ``name``, pointed at ``base_url`` (a mirror, a test server) if given."""
    made = _FACTORIES.get(name)
    if made is None:
        known = ", ".join(sorted(ADAPTERS))
        raise SourceError(f"unknown crawl source {name!r} (known: {known})")
    return made[1](base_url)


__all__ = ["ADAPTERS", "Item", "Listing", "SourceAdapter", "get_adapter"]
