"""A citation ready to paste: who said it, in what role, where and when, and two links.

One pure function serves the web pages, their JSON twins, the API and ``stenogram show --cite``,
so every place a reader copies a citation from gives the same words. The archive's permalink is
made absolute on ``base`` (the configured public URL, or the request's own); without a base, as
in a CLI run with no public URL set, it stays site-relative and says so by starting with ``/``.
The access date is an argument, not read here, so the function stays pure and testable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

from ..model import Document, Speech
from .textversion import format_date

#: The scheme a stored URL without one is read with: every publisher serves over HTTPS.
DEFAULT_SCHEME = "https"


@dataclass(frozen=True, slots=True)
class Citation:
    permalink: str
    #: The publisher's page, with its scheme; None when the record has no usable URL.
    source_url: str | None
    speaker: str | None
    #: The role the transcript gives the speaker at that event, not their role today.
    role: str | None
    event: str
    date: str | None
    place: str | None
    publisher: str
    accessed: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def source_url(url: str | None) -> str | None:
    """The publisher's URL with its scheme: ``//host/x`` and ``host/x`` become ``https://…``;
    anything but http(s) is dropped, as a citation link must be safe to follow."""
    text = (url or "").strip()
    if not text:
        return None
    try:
        if text.startswith("//"):
            text = f"{DEFAULT_SCHEME}:{text}"
        elif not urlsplit(text).scheme and not text.startswith("/"):
            text = f"{DEFAULT_SCHEME}://{text}"
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return text


def _long_date(day: dt.date, language: str) -> str:
    return format_date(day, language if language in ("en", "ru") else "en")


def cite(
    doc: Document,
    path: str,
    *,
    accessed: dt.date,
    speech: Speech | None = None,
    base: str | None = None,
) -> Citation:
    """The citation of ``doc`` (or of one ``speech`` in it) at the archive's ``path``
    (``/events/53016#s3``); ``base`` is the scheme and host the archive is published at."""
    permalink = (base or "").rstrip("/") + path
    speaker = (speech.speaker or speech.attribution) if speech else None
    role = speech.role if speech else None
    url = source_url(doc.url)
    who = f"{speaker} ({role})" if speaker and role else speaker
    when = _long_date(doc.date, doc.language) if doc.date else None
    head = ", ".join(p for p in (who, f"“{doc.title}”", doc.place, when) if p)
    # The links come last with nothing after them, so no stop is taken into a pasted link.
    parts = [f"{head}.", f"{doc.source}, accessed {_long_date(accessed, 'en')}."]
    if url:
        parts.append(f"Source: {url}")
    parts.append(f"Archived at {permalink}")
    return Citation(
        permalink=permalink,
        source_url=url,
        speaker=speaker,
        role=role,
        event=doc.title,
        date=doc.date.isoformat() if doc.date else None,
        place=doc.place,
        publisher=doc.source,
        accessed=accessed.isoformat(),
        text=" ".join(parts),
    )
