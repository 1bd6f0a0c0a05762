"""A quote against each candidate speech: the best passage for the whole quote, and the best
place of each of its parts (sentences, or the pieces between ellipses) for a stitched quote."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

from .align import Part, align, dice, joined, positions
from .candidates import Candidate
from .text import Words, words


@dataclass(frozen=True, slots=True)
class Scored:
    """A candidate with the quote aligned: ``whole`` is one passage holding every piece of
    the quote in order (None if the pieces are not found in order), ``pieces`` the best place
    of each piece on its own, ``units`` of each sentence-sized unit."""

    candidate: Candidate
    speech: Words
    whole: Part | None
    best_piece: Part | None
    units: tuple[Part | None, ...]
    score: float


def score(candidate: Candidate, pieces: Sequence[Words], units: Sequence[Words]) -> Scored:
    speech = words(candidate.text)
    where = positions(speech)
    found = [align(piece, speech, where) for piece in pieces]
    parts = [p for p in found if p is not None]
    whole = None
    if len(parts) == len(pieces):
        ordered = _in_order(pieces, speech, where, parts[0])
        whole = joined(ordered, speech) if ordered else None
    total = sum(len(p) for p in pieces)
    best_piece = max(parts, key=lambda p: p.same, default=None)
    if whole is not None:
        value = dice(whole.same, total, whole.passage_words)
    elif best_piece is not None:
        value = dice(best_piece.same, total, best_piece.passage_words)
    else:
        value = 0.0
    found_units = found if units is pieces else [align(u, speech, where) for u in units]
    return Scored(candidate, speech, whole, best_piece, tuple(found_units), value)


def _in_order(
    pieces: Sequence[Words], speech: Words, where: dict[str, list[int]], first: Part
) -> list[Part] | None:
    """The pieces of an ellipsis quote found one after another from the first one's place
    (each piece's best place on its own may come before the one it follows)."""
    parts = [first]
    starts = [start for start, _ in speech.spans]
    for piece in pieces[1:]:
        part = align(piece, speech, where, bisect_left(starts, parts[-1].end))
        if part is None:
            return None
        parts.append(part)
    return parts
