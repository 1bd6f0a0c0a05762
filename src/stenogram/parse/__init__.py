"""Parsers: pure functions from bytes to one :class:`~stenogram.model.Document`.

Each format is one module exposing ``NAME``, ``sniff(data, name) -> float`` (how sure it is that
the bytes are its format, 0 to 1) and ``parse(data, *, origin=None) -> Document``. Adding a
publisher's format means adding a module and one line to :data:`FORMATS`.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from ..errors import ParseError
from ..model import Document
from . import kremlin_html, kremlin_text, pm_au
from .common import MAX_DOCUMENT_BYTES, decode, guard

FORMATS: dict[str, ModuleType] = {
    kremlin_html.NAME: kremlin_html,
    kremlin_text.NAME: kremlin_text,
    pm_au.NAME: pm_au,
}


def detect(data: bytes, name: str | None = None) -> str:
    """Name of the format that recognises ``data`` best; :class:`ParseError` if none does."""
    best, score = "", 0.0
    for fmt, module in FORMATS.items():
        sniff: Callable[[bytes, str | None], float] = module.sniff
        value = sniff(data, name)
        if value > score:
            best, score = fmt, value
    if score < 0.5:
        raise ParseError("not a document of any known format", document=name)
    return best


def parse_bytes(
    data: bytes,
    *,
    origin: str | None = None,
    source: str = "auto",
    max_bytes: int = MAX_DOCUMENT_BYTES,
) -> Document:
    """Parse one document, detecting its format unless ``source`` names one.

    Any failure is a :class:`ParseError` naming ``origin``: callers parsing a batch can report it
    and go on.
    """
    guard(data, origin, max_bytes)
    fmt = detect(data, origin) if source == "auto" else source
    module = FORMATS.get(fmt)
    if module is None:
        known = ", ".join(sorted(FORMATS))
        raise ParseError(f"unknown source format {fmt!r} (known: {known})", document=origin)
    try:
        document: Document = module.parse(data, origin=origin)
    except ParseError:
        raise
    except (ValueError, LookupError, TypeError, AttributeError, RecursionError) as exc:
        # A parser bug on strange input must not escape as a traceback: name the document.
        raise ParseError(f"could not read as {fmt}: {exc!r}", document=origin) from exc
    return document


__all__ = ["FORMATS", "decode", "detect", "parse_bytes"]
