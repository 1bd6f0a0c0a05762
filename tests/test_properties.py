"""Mutated real pages through every parser: a ParseError or a record, never anything else.

The mutations are the damage real input suffers: flipped bytes (bad storage), truncation (an
interrupted download), slices and duplicated regions (a broken scraper), deleted tags (a changed
template) and stray unicode (an editor's paste).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stenogram.errors import ParseError
from stenogram.model import Document
from stenogram.parse import FORMATS, parse_bytes

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "mutation"
PAGES = {
    path.name: path.read_bytes() for path in sorted(FIXTURES.glob("*.*")) if path.suffix != ".md"
}
SOURCES = [*sorted(FORMATS), "auto"]
TAG = re.compile(rb"<[^<>]{0,200}>|\n")

Mutation = Callable[[st.DataObject, bytes], bytes]


def _position(data: st.DataObject, blob: bytes) -> int:
    return data.draw(st.integers(0, len(blob)))


def flip_bytes(data: st.DataObject, blob: bytes) -> bytes:
    out = bytearray(blob)
    for _ in range(data.draw(st.integers(1, 20))):
        if out:
            out[data.draw(st.integers(0, len(out) - 1))] ^= data.draw(st.integers(1, 255))
    return bytes(out)


def truncate(data: st.DataObject, blob: bytes) -> bytes:
    return blob[: _position(data, blob)]


def random_slice(data: st.DataObject, blob: bytes) -> bytes:
    start = _position(data, blob)
    return blob[start : data.draw(st.integers(start, len(blob)))]


def delete_tags(data: st.DataObject, blob: bytes) -> bytes:
    """Drop some tags (HTML) or line breaks (text): the structure a parser leans on."""
    spans = [m.span() for m in TAG.finditer(blob)]
    if not spans:
        return blob
    chosen = data.draw(st.sets(st.integers(0, len(spans) - 1), min_size=1, max_size=40))
    out, last = bytearray(), 0
    for index in sorted(chosen):
        start, end = spans[index]
        out += blob[last:start]
        last = end
    return bytes(out + blob[last:])


def duplicate_region(data: st.DataObject, blob: bytes) -> bytes:
    start = _position(data, blob)
    end = data.draw(st.integers(start, min(len(blob), start + 5000)))
    at = _position(data, blob)
    return blob[:at] + blob[start:end] * data.draw(st.integers(1, 3)) + blob[at:]


def insert_unicode(data: st.DataObject, blob: bytes) -> bytes:
    text = data.draw(st.text(min_size=1, max_size=50))
    at = _position(data, blob)
    return blob[:at] + text.encode("utf-8", "surrogatepass") + blob[at:]


MUTATIONS: list[Mutation] = [
    flip_bytes,
    truncate,
    random_slice,
    delete_tags,
    duplicate_region,
    insert_unicode,
]


def _parse_everywhere(blob: bytes) -> None:
    for source in SOURCES:
        try:
            document = parse_bytes(blob, origin="mutant", source=source)
        except ParseError as exc:
            assert exc.document == "mutant"
            # parse_bytes' safety net turned a parser crash into this error: still a bug to fix.
            assert not exc.reason.startswith("could not read as"), exc.reason
            continue
        assert isinstance(document, Document)
        orjson.dumps(document.to_dict())  # the record is always serialisable


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page=st.sampled_from(sorted(PAGES)), data=st.data())
def test_mutated_pages_raise_nothing_but_parse_error(page: str, data: st.DataObject) -> None:
    blob = PAGES[page]
    for mutation in data.draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=3)):
        blob = mutation(data, blob)
    _parse_everywhere(blob)


@pytest.mark.parametrize("page", sorted(PAGES))
def test_pages_cut_at_regular_intervals(page: str) -> None:
    """Every 1/50th of the page: systematic cuts that random ones may miss (inside the header)."""
    blob = PAGES[page]
    for cut in range(0, len(blob), max(1, len(blob) // 50)):
        _parse_everywhere(blob[:cut])
