"""What a check answers: a verdict, its score, and the passages with their provenance.

``CheckResult.to_json`` is the object ``stenogram check --json`` prints and ``/api/check``
returns (docs/check.md); the verdict page renders the same object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final, Literal, get_args

from .align import Difference

Verdict = Literal[
    "exact",
    "close",
    "stitched",
    "paraphrase",
    "other_speaker",
    "other_date",
    "translation",
    "not_found",
]
VERDICTS: Final[tuple[Verdict, ...]] = get_args(Verdict)


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of a marked passage: ``passage`` as printed, ``quote`` what the quote has
    instead (``same`` runs have only the passage)."""

    kind: Literal["same", "dropped", "added", "changed", "skipped"]
    passage: str
    quote: str = ""


@dataclass(frozen=True, slots=True)
class Match:
    """A passage of one speech: where it is (``start``/``end`` in the speech text as stored),
    who said it, when and where, and how the quote differs from it (differences' offsets are
    relative to ``text``). ``part`` numbers the piece of a stitched quote it holds (1-based);
    ``original`` says, for a translated pair, whether this record is the original."""

    event_id: int
    source: str
    source_id: str | None
    speech_id: int | None
    position: int | None
    speaker: str | None
    person_id: str | None
    role: str | None
    date: str | None
    place: str | None
    title: str
    language: str
    url: str
    source_url: str | None
    text: str
    start: int
    end: int
    score: float
    differences: tuple[Difference, ...] = ()
    part: int | None = None
    original: bool | None = None

    def pieces(self) -> list[Piece]:
        """The passage as runs of the same words and of differences, in the passage's order,
        for whoever marks them (``<del>``/``<ins>`` on the web, brackets in a terminal)."""
        runs: list[Piece] = []
        at = 0
        for d in sorted(self.differences, key=lambda d: (d.start, d.end)):
            start, end = d.start - self.start, d.end - self.start
            if start > at:
                runs.append(Piece("same", self.text[at:start]))
            runs.append(Piece(d.kind, self.text[start:end] if end > start else "", d.quote))
            at = max(at, end)
        if at < len(self.text):
            runs.append(Piece("same", self.text[at:]))
        return runs

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "source_id": self.source_id,
            "speech_id": self.speech_id,
            "event_id": self.event_id,
            "position": self.position,
            "speaker": self.speaker,
            "person_id": self.person_id,
            "role": self.role,
            "date": self.date,
            "place": self.place,
            "title": self.title,
            "language": self.language,
            "url": self.url,
            "source_url": self.source_url,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 4),
            "differences": [
                {
                    "kind": d.kind,
                    "quote": d.quote,
                    "passage": d.passage,
                    "start": d.start - self.start,
                    "end": d.end - self.start,
                }
                for d in self.differences
            ],
            "part": self.part,
            "original": self.original,
        }


@dataclass(frozen=True, slots=True)
class CheckResult:
    """``matches``: best first (for ``other_speaker`` the real speaker's passage; for
    ``stitched`` one per part, in the quote's order). ``notes`` say what the check could not
    do (no semantic index, say), so a ``not_found`` is read for what it is."""

    quote: str
    verdict: Verdict
    score: float
    matches: tuple[Match, ...]
    speaker: str | None = None
    date: str | None = None
    notes: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "score": round(self.score, 4),
            "matches": [m.to_json() for m in self.matches],
            "quote": self.quote,
            "speaker": self.speaker,
            "date": self.date,
            "notes": list(self.notes),
        }
