"""Where documents come from, and the batch loop every command that reads documents shares.

:func:`parse_paths` lives here rather than in :mod:`stenogram.parse` so that the parsers stay
pure (bytes in, record out): reading files and deciding what to do with a failure is this stage's
job. It yields failures instead of raising them, so that the CLI, the ingester and the web
upload all report a bad page and carry on in the same way.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import ParseError, StenogramError
from ..model import Document
from ..parse import FORMATS, parse_bytes
from ..settings import Settings, load_settings
from .files import RawDocument, iter_documents


def parse_paths(
    paths: Iterable[str | Path], *, source: str = "auto", settings: Settings | None = None
) -> Iterator[Document | StenogramError]:
    """Parse every document under ``paths``; each failure is yielded, named, in its place.

    ``source`` forces a format for all documents; with ``"auto"`` a container's format hint (the
    scraper CSV) is used, else the format is detected. An unknown ``source`` raises
    :class:`ParseError` at once, before any file is read.
    """
    if source != "auto" and source not in FORMATS:
        known = ", ".join(["auto", *sorted(FORMATS)])
        raise ParseError(f"unknown source format {source!r} (known: {known})")
    settings = settings or load_settings()
    return _parse_all(paths, source, settings.max_document_bytes)


def _parse_all(
    paths: Iterable[str | Path], source: str, max_bytes: int
) -> Iterator[Document | StenogramError]:
    for raw in iter_documents(paths, max_bytes=max_bytes):
        if isinstance(raw, StenogramError):
            yield raw
            continue
        try:
            yield parse_raw(raw, source, max_bytes)
        except StenogramError as exc:
            yield exc


def parse_raw(raw: RawDocument, source: str, max_bytes: int) -> Document:
    """Parse one document read by :func:`iter_documents` (the ingester calls this in a worker
    process); a failure raises the :class:`StenogramError` naming it."""
    fmt = source
    if source == "auto" and raw.format is not None and raw.format in FORMATS:
        fmt = raw.format
    document = parse_bytes(raw.data, origin=raw.name, source=fmt, max_bytes=max_bytes)
    # What the container knows fills what the page itself did not say.
    return dataclasses.replace(
        document, origin=document.origin or raw.name, url=document.url or raw.url
    )


__all__ = ["RawDocument", "iter_documents", "parse_paths", "parse_raw"]
