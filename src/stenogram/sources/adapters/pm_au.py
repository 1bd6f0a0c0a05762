"""Australian Prime Ministers' transcripts (pmtranscripts.pmc.gov.au), one XML file per item.

An assumption, stated because it cannot be checked from here: the live site's search API is not
reachable, so this adapter reads the layout of the published *dataset* (the one in
``../shared/corpus/pm-transcripts-au.tar.xz``): a folder of ``transcript-<id>.xml`` files with a
plain index page linking them, as a mirror or any static file server presents it. The addresses
are data (:class:`PmSite`), so pointing the adapter at the real site's layout, once known, means
changing the templates, not the code.

The index lists ids without dates; ids grow with time, so items are taken by id descending
(newest first) and ``--since``/``--until`` are applied to each transcript's own release date once
it is parsed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

from ...errors import ParseError
from .base import Item, Listing

_ID = re.compile(r"(?:^|/)transcript-(\d+)\.xml$")


@dataclass(frozen=True, slots=True)
class PmSite:
    base_url: str = "https://pmtranscripts.pmc.gov.au"
    index_path: str = "/transcripts/"
    item_path: str = "/transcripts/transcript-{id}.xml"
    format: str = "pm-au"


class PmAuAdapter:
    """A :class:`~stenogram.sources.adapters.SourceAdapter` for a :class:`PmSite`."""

    name = "pm-au"

    def __init__(self, site: PmSite) -> None:
        self.site = site

    @property
    def format(self) -> str:
        return self.site.format

    @property
    def hosts(self) -> frozenset[str]:
        return frozenset({urlsplit(self.site.base_url).netloc.lower()})

    def item_url(self, key: str) -> str:
        return self.site.base_url + self.site.item_path.format(id=key)

    def start_urls(self, since: dt.date | None, until: dt.date | None) -> list[str]:
        return [self.site.base_url + self.site.index_path]

    def read_listing(self, url: str, body: bytes) -> Listing:
        keys = set()
        for link in LexborHTMLParser(body).css("a[href]"):
            match = _ID.search(urlsplit(link.attributes.get("href") or "").path)
            if match:
                keys.add(int(match.group(1)))
        if not keys:
            raise ParseError("not a transcript index (no transcript-<id>.xml links)", document=url)
        return Listing(
            tuple(Item(self.item_url(str(k)), str(k)) for k in sorted(keys, reverse=True))
        )


def adapter(base_url: str | None = None) -> PmAuAdapter:
    site = PmSite()
    return PmAuAdapter(PmSite(base_url.rstrip("/")) if base_url else site)


__all__ = ["PmAuAdapter", "PmSite", "adapter"]
