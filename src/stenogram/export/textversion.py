"""A Document rendered back into the publisher's "text version" layout (the seed's layout).

This is what ``stenogram show EVENT_ID`` prints: the same lines in the same order as the page it
came from, so a reader can check a quote against the original and the output re-parses into the
same record. Labels come from the parser's label table, so each language prints its own.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from functools import cache
from importlib import resources
from typing import Any

from ..model import TAG_KINDS, Document, Narrative
from ..parse.common import load_data

OMISSION = "<…>"
SEPARATOR = "* * *"


@cache
def _formats() -> dict[str, Any]:
    with resources.files("stenogram.export").joinpath("data", "textversion.toml").open("rb") as fh:
        return tomllib.load(fh)


def _language(doc: Document) -> str:
    return doc.language if doc.language in _formats() else "en"


def _labels(language: str) -> dict[str, Any]:
    labels: dict[str, Any] = load_data("kremlin.toml")[language]
    return labels


def format_date(date: dt.date, language: str) -> str:
    fmt = _formats()[language]
    names: dict[str, int] = load_data("kremlin.toml")["months"][language]
    month = next(name for name, number in names.items() if number == date.month)
    if fmt["capitalize_month"]:
        month = month.capitalize()
    return str(fmt["date"]).format(day=date.day, month=month, year=date.year)


def render_text(doc: Document) -> str:
    """The text version of ``doc``, lines joined with newlines, without a trailing newline."""
    language = _language(doc)
    labels = _labels(language)
    lines = [
        line
        for line in (
            doc.category,
            doc.title,
            doc.summary,
            format_date(doc.date, language) if doc.date else None,
            doc.time.strftime("%H:%M") if doc.time else None,
            doc.place,
        )
        if line
    ]
    lines += _photos(doc, labels)
    lines += body_lines(doc)
    lines += _footer(doc, labels, language)
    return "\n".join(lines)


def _photos(doc: Document, labels: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for photo in doc.photos:
        if photo.position is not None and photo.of is not None:
            lines.append(f"{photo.position} {labels['of']} {photo.of}")
        credit = f"{labels['photo_credit'][0]} {photo.credit}" if photo.credit else None
        caption = " ".join(part for part in (photo.caption, credit) if part)
        if caption:
            lines.append(caption)
    return lines


def body_lines(doc: Document) -> list[str]:
    """Narrative and turns interleaved: a Narrative sits after ``position`` speeches."""
    before: dict[int, list[Narrative]] = {}
    for item in doc.narrative:
        before.setdefault(min(item.position, len(doc.speeches)), []).append(item)
    lines: list[str] = []
    for index in range(len(doc.speeches) + 1):
        lines += [_narrative_line(item) for item in before.get(index, ())]
        if index < len(doc.speeches):
            speech = doc.speeches[index]
            paragraphs = list(speech.paragraphs) or [""]
            if speech.attribution:
                paragraphs[0] = f"{speech.attribution}: {paragraphs[0]}".rstrip()
            lines += paragraphs
    return lines


def _narrative_line(item: Narrative) -> str:
    if item.kind == "omission":
        return item.text or OMISSION
    if item.kind == "separator":
        return item.text or SEPARATOR
    return item.text


def _footer(doc: Document, labels: dict[str, Any], language: str) -> list[str]:
    lines: list[str] = []
    for kind in TAG_KINDS:
        names = doc.tags.names(kind)
        if names:
            lines += [labels[kind][0], *names]
    status: list[str] = []
    if doc.sections:
        label = labels["sections"][0 if len(doc.sections) > 1 else -1]
        status.append(f"{label} {', '.join(doc.sections)}")
    if doc.published:
        stamp = str(_formats()[language]["published"]).format(
            date=format_date(doc.published.date(), language),
            time=doc.published.strftime("%H:%M"),
        )
        status.append(f"{labels['published'][0]} {stamp}")
    if status:
        lines += [labels["status"][0], *status]
    if doc.url:
        lines.append(f"{labels['direct_link'][0]} {doc.url}")
    lines.append(labels["text_version"][0])
    return lines
