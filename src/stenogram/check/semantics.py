"""The semantic neighbours of a quote, when this node keeps passage vectors (:mod:`.semantic`).

Imported when a check gets that far, not before: the vector index and the embedding model cost
an import that an exact or close quote never needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..archive import Archive

if TYPE_CHECKING:
    from .semantic import SemanticHit


def available(archive: Archive) -> bool:
    from . import semantic

    return semantic.available(archive)


def neighbours(archive: Archive, text: str, k: int) -> list[SemanticHit] | None:
    """The ``k`` nearest passages, or None when this node has no vectors."""
    from . import semantic

    if not semantic.available(archive):
        return None
    return semantic.nearest(archive, text, k=k)
