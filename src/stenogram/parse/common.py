"""Helpers every parser shares: guarding and decoding raw bytes, whitespace, HTML, dates.

Kept here once so that each format module holds only what is particular to its format.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import unicodedata
from functools import cache
from html import unescape
from importlib import resources
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from selectolax.lexbor import LexborNode

from ..errors import ParseError

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024

_SPACE = re.compile(r"[\s\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def normalize_space(text: str) -> str:
    """Collapse every run of whitespace (no-break and thin spaces included) to one space."""
    # Printable text holds no whitespace but the space, and no zero-width space: with no doubled
    # or edge space it is already normalized, as most lines are, and checking is much cheaper.
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    if "\u200b" in text or "\ufeff" in text:
        return _SPACE.sub(" ", text).strip()
    # str.split() knows the same Unicode spaces as \s and is many times faster than the regex.
    return " ".join(text.split())


def plain_paragraphs(content: str) -> list[str] | None:
    """The paragraphs of HTML with no markup but <p>, </p> and <br>, <br>s as line breaks, read
    with string methods (parsing costs several times more); None for any other HTML.

    They are the texts lexbor gives the <p> elements, or with none the body (but for spaces
    ahead of its text, which a parser drops): a <p> closes the one before, text outside them is
    in none, and references are the only other markup. What could make the tree differ is
    refused: "\r", NUL, numeric references (html.unescape reads some differently), any other
    "<" or </p>.
    """
    if "\r" in content or "\0" in content or "&#" in content:
        return None
    text = content.replace("<br>", "\n").replace("<br/>", "\n").replace("<br />", "\n")
    outside, *paragraphs = text.split("<p>")
    split = [paragraph.partition("</p>") for paragraph in paragraphs]
    if "<" in outside or any("<" in inside or "<" in after for inside, _, after in split):
        return None
    texts = [inside for inside, _, _ in split] if paragraphs else [outside]
    return [unescape(text) if "&" in text else text for text in texts]


def leaf_blocks(found: list[LexborNode]) -> list[LexborNode]:
    """The nodes of ``found`` (selector matches, in document order) that hold none of the others:
    those the next match, which would be the first of their descendants, is not inside. (Asking
    each node for the matches inside it is quadratic.)"""
    leaves = []
    for node, after in pairwise(found):
        inside, outside = node.mem_id, node.parent.mem_id if node.parent else 0
        up = after.parent  # walked up to the node (inside) or to its parent (not inside)
        while up is not None and up.mem_id != inside and up.mem_id != outside:
            up = up.parent
        if up is None or up.mem_id == outside:
            leaves.append(node)
    return leaves + found[-1:]


@cache
def load_data(name: str) -> dict[str, Any]:
    """A TOML label table from ``parse/data`` (read once, on first use, not at import)."""
    with resources.files("stenogram.parse").joinpath("data", name).open("rb") as fh:
        return tomllib.load(fh)


def guard(data: bytes, origin: str | None, max_bytes: int = MAX_DOCUMENT_BYTES) -> None:
    """Refuse input no parser should try: empty, oversized or binary."""
    if len(data) > max_bytes:
        raise ParseError(
            f"document is too large ({len(data):,} bytes; the limit is {max_bytes:,})",
            document=origin,
        )
    if not data.strip():
        raise ParseError("document is empty", document=origin)
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return  # UTF-16 with a BOM: text, decoded below
    if b"\x00" in head or head.startswith((b"\x1f\x8b", b"PK\x03\x04", b"\xfd7zXZ", b"%PDF")):
        raise ParseError("document is binary, not text or HTML", document=origin)


def decode(data: bytes, origin: str | None) -> str:
    """Bytes to text: BOMs honoured, UTF-8 first, then cp1251 (old Russian pages), never lossy.

    A document that is neither is refused rather than read with replacement characters, because
    a quote with a wrong letter in it is worse than no quote.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _clean(data.decode("utf-16"))
        except UnicodeDecodeError as exc:
            raise ParseError(f"invalid UTF-16 text ({exc.reason})", document=origin) from None
    try:
        return _clean(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        utf8_error = exc
    declared = re.search(rb"charset=[\"']?([-\w]+)", data[:2048], re.I)
    for encoding in ([declared.group(1).decode("ascii")] if declared else []) + ["cp1251"]:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        if _looks_like_text(text):
            return _clean(text)
    raise ParseError(
        f"text is not valid UTF-8 (byte {utf8_error.start}) nor a known encoding",
        document=origin,
    )


def _looks_like_text(text: str) -> bool:
    letters = sum(ch.isalpha() for ch in text[:5000])
    return letters > 0.3 * min(len(text), 5000)


def _clean(text: str) -> str:
    return unicodedata.normalize("NFC", _CONTROL.sub("", text))


MOSCOW = ZoneInfo("Europe/Moscow")


def month_number(name: str, language: str) -> int | None:
    months: dict[str, int] = load_data("kremlin.toml")["months"].get(language, {})
    return months.get(name.lower())


_EN_DATE = re.compile(r"([A-Z][a-z]+)\s+(\d{1,2}),\s*(\d{4})")
_RU_DATE = re.compile(r"(\d{1,2})\s+([а-яё]+)\s+(\d{4})(?:\s+года)?", re.I)
_TIME = re.compile(r"\b([01]?\d|2[0-3])[:.]([0-5]\d)\b")


def parse_date(text: str, language: str) -> dt.date | None:
    """The first printed date in ``text`` ("November 23, 2023" / "23 ноября 2023 года")."""
    candidates: list[tuple[int, int, int]] = []
    for m in _EN_DATE.finditer(text):
        month = month_number(m.group(1), "en")
        if month:
            candidates.append((int(m.group(3)), month, int(m.group(2))))
            break
    for m in _RU_DATE.finditer(text):
        month = month_number(m.group(2), "ru")
        if month:
            candidates.append((int(m.group(3)), month, int(m.group(1))))
            break
    for year, month, day in candidates:
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    return None


def parse_time(text: str) -> dt.time | None:
    m = _TIME.search(text)
    return dt.time(int(m.group(1)), int(m.group(2))) if m else None


def moscow_datetime(date: dt.date, time: dt.time | None) -> dt.datetime:
    """A Moscow wall-clock time as an aware datetime (the offset changed in 2011 and 2014)."""
    return dt.datetime.combine(date, time or dt.time(0, 0), tzinfo=MOSCOW)
