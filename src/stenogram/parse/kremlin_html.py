"""Placeholder: being written."""

from __future__ import annotations

from ..errors import ParseError
from ..model import Document

NAME = "kremlin-html"


def sniff(data: bytes, name: str | None = None) -> float:
    return 0.0


def parse(data: bytes, *, origin: str | None = None) -> Document:
    raise ParseError("not implemented yet", document=origin)
