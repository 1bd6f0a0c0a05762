"""A citation ready to paste: who said it, in what role, where and when, and two links.

One pure function serves the web pages, their JSON twins, the API and ``stenogram show --cite``,
so every place a reader copies a citation from gives the same words. The archive's permalink is
made absolute on ``base`` (the configured public URL, or the request's own); without a base, as
in a CLI run with no public URL set, it stays site-relative and says so by starting with ``/``.
The access date is an argument, not read here, so the function stays pure and testable.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

import orjson

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


# --- the same citation for reference managers ---------------------------------------------------


def _date_parts(iso: str | None) -> dict[str, Any] | None:
    if not iso:
        return None
    day = dt.date.fromisoformat(iso)
    return {"date-parts": [[day.year, day.month, day.day]]}


def _key(citation: Citation) -> str:
    """A BibTeX/CSL id from the permalink's path: ``events-53016-s3``, stable across hosts."""
    path = urlsplit(citation.permalink)
    tail = f"{path.path}-{path.fragment}" if path.fragment else path.path
    return "-".join(part for part in re.split(r"[^A-Za-z0-9]+", tail) if part) or "stenogram"


def csl_json(citation: Citation) -> dict[str, Any]:
    """CSL-JSON (Zotero, Mendeley, pandoc's citeproc): a ``speech`` by its speaker."""
    item: dict[str, Any] = {
        "id": _key(citation),
        "type": "speech",
        "title": citation.event,
        "publisher": citation.publisher,
        "URL": citation.permalink,
        "accessed": _date_parts(citation.accessed),
    }
    if citation.speaker:
        item["author"] = [{"literal": citation.speaker}]
    if citation.role:
        item["genre"] = citation.role
    if citation.date:
        item["issued"] = _date_parts(citation.date)
    if citation.place:
        item["event-place"] = citation.place
        item["publisher-place"] = citation.place
    if citation.source_url:
        item["source"] = citation.source_url
        item["note"] = f"Source: {citation.source_url}"
    return item


_BIBTEX_SPECIAL = re.compile(r"([\\{}&%$#_^~])")


def _bibtex_escape(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        char = match.group(1)
        if char == "\\":
            return r"\textbackslash{}"
        if char in "^~":
            return rf"\{char}{{}}"
        return "\\" + char

    return _BIBTEX_SPECIAL.sub(replace, text)


def bibtex(citation: Citation) -> str:
    """A ``@misc`` entry for biblatex or BibTeX with a url-aware style (plainnat, apalike…)."""
    fields: list[tuple[str, str]] = []
    if citation.speaker:
        # Double braces: a speaker is one name as printed, not a list to split at "and".
        fields.append(("author", "{" + _bibtex_escape(citation.speaker) + "}"))
    fields.append(("title", "{" + _bibtex_escape(citation.event) + "}"))
    if citation.date:
        fields += [("date", citation.date), ("year", citation.date[:4])]
    fields.append(("publisher", _bibtex_escape(citation.publisher)))
    if citation.place:
        fields.append(("address", _bibtex_escape(citation.place)))
    notes = [f"Role: {_bibtex_escape(citation.role)}"] if citation.role else []
    if citation.source_url:
        notes.append(f"Source: {_bibtex_escape(citation.source_url)}")
    if notes:
        fields.append(("note", "; ".join(notes)))
    # ``url`` is read verbatim by biblatex and natbib's styles, so the ``#s3`` of a speech's
    # permalink stays as it is (inside ``howpublished = \url{…}`` it would break LaTeX).
    fields += [("url", citation.permalink), ("urldate", citation.accessed)]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{_key(citation)},\n{body}\n}}\n"


#: The citation formats by name (``?format=``), with their media types: what the API offers.
CITATION_FORMATS: dict[str, str] = {
    "text": "text/plain; charset=utf-8",
    "csl": "application/vnd.citationstyles.csl+json",
    "bibtex": "application/x-bibtex; charset=utf-8",
    "json": "application/json",
}


def render_citation(citation: Citation, name: str) -> bytes:
    """``citation`` in one of :data:`CITATION_FORMATS` (the caller checks the name)."""
    if name == "text":
        return citation.text.encode("utf-8")
    if name == "bibtex":
        return bibtex(citation).encode("utf-8")
    value = csl_json(citation) if name == "csl" else citation.to_dict()
    return orjson.dumps(value)
