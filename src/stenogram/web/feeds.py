"""Atom feeds: the latest events, a person's speeches, a tag's events, and any search.

A saved search is just a feed URL (``/feeds/search.atom?q=...``), newest hits first. Feeds are
built with ElementTree, which escapes every value, and use absolute links because feed readers
resolve nothing against the page they came from.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable
from typing import Annotated, Any, Final
from urllib.parse import quote, urlencode
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from . import data
from .respond import archive_of, public_base

ATOM: Final = "http://www.w3.org/2005/Atom"
FEED_SIZE: Final = 30
EPOCH: Final = "1970-01-01T00:00:00Z"
_HIGHLIGHT: Final = re.compile(r"</?b>")
#: Characters XML 1.0 cannot carry at all (a scraped page can hold them).
_NOT_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

router = APIRouter(prefix="/feeds", include_in_schema=False)


def _stamp(*values: Any) -> str:
    """An RFC 3339 time from the first value there is: a publication time, else a date."""
    for value in values:
        if isinstance(value, str) and value:
            try:
                value = (
                    dt.datetime.fromisoformat(value)
                    if "T" in value
                    else dt.date.fromisoformat(value)
                )
            except ValueError:
                continue
        if isinstance(value, dt.datetime):
            aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
            return aware.isoformat()
        if isinstance(value, dt.date):
            return f"{value.isoformat()}T00:00:00Z"
    return EPOCH


def _atom(
    request: Request, title: str, self_path: str, alternate: str, entries: Iterable[dict[str, str]]
) -> Response:
    base = public_base(request)
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    items = list(entries)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        node = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            node.text = _NOT_XML.sub("", text)
        return node

    sub(feed, "id", base + self_path)
    sub(feed, "title", title)
    sub(feed, "updated", max((e["updated"] for e in items), default=EPOCH))
    sub(feed, "link", rel="self", href=base + self_path)
    sub(feed, "link", rel="alternate", href=base + alternate)
    author = sub(feed, "author")
    sub(author, "name", "stenogram")
    for item in items:
        entry = sub(feed, "entry")
        sub(entry, "id", base + item["link"])
        sub(entry, "title", item["title"])
        sub(entry, "updated", item["updated"])
        sub(entry, "link", rel="alternate", href=base + item["link"])
        if item.get("summary"):
            sub(entry, "summary", item["summary"])
    body = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return Response(body, media_type="application/atom+xml; charset=utf-8")


def _event_entries(found: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [
        {
            "title": e["title"],
            "link": e["permalink"],
            "updated": _stamp(e["published"], e["date"]),
            "summary": e["summary"] or "",
        }
        for e in found
    ]


@router.get("/latest.atom")
async def latest(request: Request) -> Response:
    found = data.event_list(archive_of(request), data.paging(1, FEED_SIZE))
    return _atom(
        request,
        "stenogram: latest events",
        "/feeds/latest.atom",
        "/",
        _event_entries(found["events"]),
    )


@router.get("/persons/{person_id}.atom")
async def person(request: Request, person_id: str) -> Response:
    found = data.person_page(archive_of(request), person_id, data.paging(1, FEED_SIZE))
    who = found["person"]
    entries = [
        {
            "title": f"{who['name']}: {s['title']}",
            "link": f"/speeches/{s['speech_id']}",
            "updated": _stamp(s["date"]),
            "summary": s["excerpt"],
        }
        for s in found["speeches"]
    ]
    path = f"/feeds/persons/{quote(who['id'])}.atom"
    return _atom(
        request, f"stenogram: {who['name']}", path, f"/persons/{quote(who['id'])}", entries
    )


@router.get("/tags/{kind}/{name:path}.atom")
async def tag(request: Request, kind: str, name: str) -> Response:
    found = data.tag_page(archive_of(request), kind, name, data.paging(1, FEED_SIZE))
    page = f"/tags/{quote(found['kind'])}/{quote(name)}"
    return _atom(
        request, f"stenogram: {name}", f"/feeds{page}.atom", page, _event_entries(found["events"])
    )


@router.get("/search.atom")
async def search(
    request: Request, q: Annotated[str, Query(min_length=1, max_length=data.MAX_QUERY_CHARS)]
) -> Response:
    """A saved search: the newest matching speeches."""
    found = data.search_page(archive_of(request), q, limit=FEED_SIZE, sort="-date")
    entries = [
        {
            "title": f"{h['speaker'] or h['attribution'] or h['title']}: {h['title']}",
            "link": h["speech_link"] or h["url"],
            "updated": _stamp(h["date"]),
            # The snippet is HTML and a summary is text: the highlight tags go.
            "summary": html.unescape(_HIGHLIGHT.sub("", h["snippet"])),
        }
        for h in found["results"]
    ]
    query = "?" + urlencode({"q": q})
    return _atom(
        request, f"stenogram search: {q}", "/feeds/search.atom" + query, "/search" + query, entries
    )
