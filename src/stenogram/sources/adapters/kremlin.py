"""kremlin.ru and en.kremlin.ru: one adapter, parameterised by site.

Both sites list events the same way, which is what this reads (see the site sample in
``../shared/corpus/kremlin-en-site-sample.tar.xz``):

- the Atom feed ``/events/president/news/feed`` holds the newest entries (its own next pages are
  not followed: the listing pages cover the same ground with dates);
- listing pages (``/events/president/news``, then ``.../page/N``) hold ``div.hentry`` entries
  whose ``data-id`` is the event id and whose ``time[datetime]`` is its date; the next page comes
  from the lister's ``data-url-template`` and ``data-page``/``data-pages`` (machine attributes,
  sturdier than the localized "Next" button and the same in both languages);
- ``.../by-date/DD.MM.YYYY`` is the listing page around a date: a crawl with ``--until`` starts
  there instead of walking down from today.

Item addresses are rebuilt from the id on the adapter's base URL, so that links written for
another host (the feed's absolute links, a mirror's rewritten ones) never send the crawl
elsewhere, and never to the ``/copy`` text versions that robots.txt forbids.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from ...errors import ParseError
from .base import Item, Listing

ATOM = "{http://www.w3.org/2005/Atom}"
_ID_AT_END = re.compile(r"/(\d+)/?(?:[?#].*)?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True, slots=True)
class KremlinSite:
    """One of the two sites, as data: where its pages are and what they are parsed as."""

    name: str
    base_url: str
    language: str
    section: str = "/events/president/news"
    format: str = "kremlin-html"

    def at(self, base_url: str | None) -> KremlinSite:
        if not base_url:
            return self
        return KremlinSite(
            self.name, base_url.rstrip("/"), self.language, self.section, self.format
        )


ENGLISH = KremlinSite("kremlin-en", "http://en.kremlin.ru", "en")
RUSSIAN = KremlinSite("kremlin-ru", "http://kremlin.ru", "ru")


class KremlinAdapter:
    """A :class:`~stenogram.sources.adapters.SourceAdapter` for a :class:`KremlinSite`."""

    def __init__(self, site: KremlinSite) -> None:
        self.site = site

    @property
    def name(self) -> str:
        return self.site.name

    @property
    def format(self) -> str:
        return self.site.format

    @property
    def hosts(self) -> frozenset[str]:
        return frozenset({urlsplit(self.site.base_url).netloc.lower()})

    def _url(self, path: str) -> str:
        return self.site.base_url + path

    def item_url(self, key: str) -> str:
        return self._url(f"{self.site.section}/{key}")

    def feed_url(self) -> str:
        return self._url(f"{self.site.section}/feed")

    def start_urls(self, since: dt.date | None, until: dt.date | None) -> list[str]:
        if until is not None:
            return [self._url(f"{self.site.section}/by-date/{until:%d.%m.%Y}")]
        return [self.feed_url(), self._url(self.site.section)]

    def read_listing(self, url: str, body: bytes) -> Listing:
        head = body[:512].lstrip()
        if head.startswith(b"<?xml") or b"<feed" in head or b"<rss" in head:
            return Listing(tuple(self._feed_items(url, body)))
        return self._page(url, body)

    # --- listing pages --------------------------------------------------------------------

    def _page(self, url: str, body: bytes) -> Listing:
        tree = LexborHTMLParser(body)
        items = []
        for entry in tree.css("div.hentry[data-id]"):
            key = (entry.attributes.get("data-id") or "").strip()
            if not key.isdigit():
                continue
            stamp = entry.css_first("time[datetime]")
            date = _iso_date(stamp.attributes.get("datetime") if stamp else None)
            items.append(Item(self.item_url(key), key, date))
        lister = tree.css_first("[data-url-template][data-page]")
        if not items and lister is None:
            raise ParseError("not a listing page (no entries, no pager)", document=url)
        return Listing(tuple(items), self._next_page(url, tree))

    def _next_page(self, url: str, tree: LexborHTMLParser) -> str | None:
        node = tree.css_first("[data-url-template][data-page]")
        if node is not None:
            attrs = node.attributes
            template = attrs.get("data-url-template") or ""
            page, pages = attrs.get("data-page") or "", attrs.get("data-pages") or ""
            if "PAGE" in template and page.isdigit():
                if pages.isdigit() and int(page) >= int(pages):
                    return None
                return self._url(template.replace("PAGE", str(int(page) + 1)))
        link = tree.css_first("link[rel=next][href]")
        href = link.attributes.get("href") if link is not None else None
        return urljoin(url, href) if href else None

    # --- the feed -------------------------------------------------------------------------

    def _feed_items(self, url: str, body: bytes) -> list[Item]:
        try:
            root = ET.fromstring(body)
        except ET.ParseError as exc:
            raise ParseError(f"unreadable feed: {exc}", document=url) from None
        items = []
        if root.tag == f"{ATOM}feed":
            for entry in root.iter(f"{ATOM}entry"):
                link = entry.find(f"{ATOM}link[@rel='alternate']")
                href = link.get("href") if link is not None else entry.findtext(f"{ATOM}id")
                when = entry.findtext(f"{ATOM}published") or entry.findtext(f"{ATOM}updated")
                items.append(self._feed_item(href, _iso_date(when)))
        else:
            for entry in root.iter("item"):
                pub = entry.findtext("pubDate")
                date = _rfc822_date(pub) if pub else None
                items.append(self._feed_item(entry.findtext("link"), date))
        if not items and root.tag not in (f"{ATOM}feed", "rss"):
            raise ParseError("not a feed", document=url)
        return [item for item in items if item is not None]

    def _feed_item(self, href: str | None, date: dt.date | None) -> Item | None:
        match = _ID_AT_END.search(href or "")
        if match is None or urlsplit(href or "").path.rstrip("/") != (
            f"{self.site.section}/{match.group(1)}"
        ):
            return None
        return Item(self.item_url(match.group(1)), match.group(1), date)


def _iso_date(value: str | None) -> dt.date | None:
    match = _ISO_DATE.match((value or "").strip())
    if match is None:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _rfc822_date(value: str) -> dt.date | None:
    try:
        return email.utils.parsedate_to_datetime(value).date()
    except (TypeError, ValueError):
        return None


def english(base_url: str | None = None) -> KremlinAdapter:
    return KremlinAdapter(ENGLISH.at(base_url))


def russian(base_url: str | None = None) -> KremlinAdapter:
    return KremlinAdapter(RUSSIAN.at(base_url))


__all__ = ["ENGLISH", "RUSSIAN", "KremlinAdapter", "KremlinSite", "english", "russian"]
