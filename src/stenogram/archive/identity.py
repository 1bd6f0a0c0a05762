"""Who an event is: its identity within its source, and the id its permalink carries.

A publisher's id (``53016``) names an event wherever a copy of it is read. A text version that
carries none (the seed is one: "Events / CSTO summit / November 23, 2023 ...") would otherwise
be known by its archive row number, which another archive, an export/import or a rebuild gives
out differently, breaking every link made to it. Such a document gets a **content id** instead,
derived from what identifies the event — its source, date and title — and nothing that a later
copy may print differently (where the file was read from, whitespace, letter case):
``c`` and 12 letters/digits of the base32 SHA-256 of ``source␟date␟title``. It stands where a
publisher id stands (``/events/c3bx7...``, ``kremlin.ru:c...``), so nothing downstream needs to
know which kind of id it has.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import unicodedata

from ..model import Document
from ..parse.common import normalize_space

#: Marks a derived id; no publisher of ours has ids that start with a letter.
CONTENT_ID_PREFIX = "c"
_CONTENT_ID_CHARS = 12  # 60 bits: no two events of one source collide in practice


def content_id(source: str, date: str, title: str) -> str:
    """The content id of an event of ``source`` on ``date`` (ISO, or "") titled ``title``."""
    canonical = "\x1f".join(
        (source, date, unicodedata.normalize("NFC", normalize_space(title)).casefold())
    )
    digest = hashlib.sha256(canonical.encode("utf-8")).digest()
    return CONTENT_ID_PREFIX + base64.b32encode(digest).decode("ascii").lower()[:_CONTENT_ID_CHARS]


def document_content_id(doc: Document) -> str:
    return content_id(doc.source, doc.date.isoformat() if doc.date else "", doc.title)


def identified(doc: Document) -> Document:
    """``doc`` with an id to link to: its publisher's, else its URL, else its content id."""
    if doc.source_id or doc.url:
        return doc
    return dataclasses.replace(doc, source_id=document_content_id(doc))


def event_key(doc: Document) -> str:
    """Identity of an event within its source, stable across re-ingests of any copy of it (the
    same for ``doc`` and ``identified(doc)``)."""
    if doc.source_id:
        return doc.source_id
    if doc.url:
        return f"url:{doc.url}"
    return document_content_id(doc)
