"""The semantic neighbours of a quote, when the archive has vectors (``check.semantic``).

The vectors are built by another part of the package and may be absent from an installation
or an archive; the check then says that it could not look for paraphrases rather than
failing, so everything it imports from there goes through this one module.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Protocol

from ..archive import Archive


class _Hit(Protocol):
    speech_id: int
    start: int
    end: int
    score: float


@dataclass(frozen=True, slots=True)
class Neighbour:
    speech_id: int
    start: int
    end: int
    score: float


def _module() -> Any:
    try:
        return importlib.import_module(f"{__package__}.semantic")
    except ImportError:
        return None


def available(archive: Archive) -> bool:
    semantic = _module()
    return semantic is not None and bool(semantic.available(archive))


def neighbours(archive: Archive, text: str, k: int) -> list[Neighbour] | None:
    """The ``k`` nearest passages, or None when no vectors exist for this archive."""
    if not available(archive):
        return None
    hits: list[_Hit] = _module().nearest(archive, text, k=k)
    return [Neighbour(h.speech_id, h.start, h.end, float(h.score)) for h in hits]
