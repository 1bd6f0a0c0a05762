"""Pair the two language versions of one item, and align their speeches.

kremlin.ru and en.kremlin.ru number their items from one sequence, so the Russian and English
records of an event carry the same publisher id; sources of one numbering are told by
``resolve/data/names.toml`` (``[publishers]``), the same table that folds their person ids.

The speeches do not line up one for one: the English side sometimes drops a short exchange,
splits a turn around a stage direction that the Russian keeps whole (or the other way round),
and prints "Vladimir Putin" where the Russian prints "В.Путин". So the two sequences are aligned
by dynamic programming, scoring each candidate pair on

- speaker identity: the resolved person ids when both have one, else the transliterated surname
  keys of :mod:`stenogram.resolve.names` ("Путин" and "Putin" give one key). A pair of two known,
  different speakers is never made;
- relative position: where each turn sits in its record, measured in words so far over all words;
- relative length: each turn's share of its record's words (a translation is longer or shorter
  as a whole, not turn by turn, so shares compare where raw word counts would not).

A turn left out on one side is a gap (costs nothing, earns nothing); a turn split in two on one
side is matched to both halves at once, when the halves share a speaker.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from .archive import Archive
from .archive.translations import EventHead, SpeechTurn
from .model import Document
from .resolve.names import parse_name, publisher_key

#: Weights of the three scores, and the least score a pair must reach to be made at all.
SPEAKER_WEIGHT: Final = 0.5
POSITION_WEIGHT: Final = 0.3
LENGTH_WEIGHT: Final = 0.2
MIN_SCORE: Final = 0.5
#: A split turn earns a little less per half than two whole turns would, so that two turns of
#: one speaker with a short turn missing between them stay two pairs when their lengths fit.
SPLIT_FACTOR: Final = 0.9
#: Speaker agreement when one side does not say who speaks.
UNKNOWN_SPEAKER: Final = 0.5
#: Speaker agreement of equal surnames under two different resolved ids.
SURNAME_ONLY: Final = 0.8


@dataclass(frozen=True, slots=True)
class Turn:
    """One speech as the aligner sees it."""

    person: str | None
    surname: str | None
    words: int


@dataclass(frozen=True, slots=True)
class Pair:
    """Speech ``a`` of the first sequence renders speech ``b`` of the second (0-based)."""

    a: int
    b: int
    confidence: float


def turn(speaker: str | None, language: str, words: int, person: str | None = None) -> Turn:
    """A turn from a printed speaker label; the surname key needs no resolved id."""
    parts = parse_name(speaker, language) if speaker else None
    return Turn(person, parts.surname_key if parts and parts.surname_key else None, words)


def document_turns(doc: Document, people: Sequence[str | None] | None = None) -> list[Turn]:
    """Turns of a parsed record, with its resolved person ids when the resolve stage ran."""
    ids = people if people is not None else [None] * len(doc.speeches)
    return [
        turn(s.speaker or s.attribution, doc.language, len(s.text.split()), person)
        for s, person in zip(doc.speeches, ids, strict=True)
    ]


def _same_speaker(x: Turn, y: Turn) -> float:
    """1 same, 0 different, :data:`UNKNOWN_SPEAKER` when one side cannot tell.

    Equal resolved ids settle it. Different ones do not: the resolver may not yet know that
    "В.Путин" (met first, with no given name) is the later "Vladimir Putin", so equal surname
    keys still count, a little less, as the same speaker.
    """
    if x.person and x.person == y.person:
        return 1.0
    if x.surname and y.surname:
        if x.surname != y.surname:
            return 0.0
        return 1.0 if not (x.person and y.person) else SURNAME_ONLY
    return 0.0 if x.person and y.person else UNKNOWN_SPEAKER


class _Shares:
    """Each turn's share of its record's words, and where its middle falls (0..1)."""

    def __init__(self, turns: Sequence[Turn]) -> None:
        # A turn of no words still takes a place, so empty records keep an order to compare.
        sizes = [max(t.words, 1) for t in turns]
        total = sum(sizes) or 1
        self.share = [n / total for n in sizes]
        self.start: list[float] = []
        seen = 0.0
        for share in self.share:
            self.start.append(seen)
            seen += share

    def span(self, first: int, last: int) -> tuple[float, float]:
        """(share, middle) of turns ``first..last`` taken as one."""
        share = sum(self.share[first : last + 1])
        return share, self.start[first] + share / 2


def _score(speaker: float, a: tuple[float, float], b: tuple[float, float]) -> float:
    if speaker == 0.0:
        return 0.0
    (share_a, middle_a), (share_b, middle_b) = a, b
    position = 1.0 - abs(middle_a - middle_b)
    length = min(share_a, share_b) / max(share_a, share_b)
    return SPEAKER_WEIGHT * speaker + POSITION_WEIGHT * position + LENGTH_WEIGHT * length


def _group_speaker(one: Turn, halves: tuple[Turn, Turn]) -> float:
    """Speaker agreement of one turn with two consecutive ones that must be one speaker's."""
    if _same_speaker(*halves) == 0.0:
        return 0.0
    return min(_same_speaker(one, halves[0]), _same_speaker(one, halves[1]))


def align(a: Sequence[Turn], b: Sequence[Turn]) -> list[Pair]:
    """The best order-keeping pairing of two speech sequences; see the module docstring.

    Moves from cell (i, j): skip a[i]; skip b[j]; pair a[i] with b[j]; pair a[i] with b[j] and
    b[j+1] (b splits it); pair a[i] and a[i+1] with b[j] (a splits it). Each made pair earns its
    score, so the best path is the one whose pairs agree most, never forced to pair everything.
    """
    sa, sb = _Shares(a), _Shares(b)
    n, m = len(a), len(b)
    # best[i][j]: the most that a[i:], b[j:] can earn; move[i][j]: how (for the walk back).
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    move: list[list[tuple[int, int, float]]] = [[(0, 0, 0.0)] * (m + 1) for _ in range(n + 1)]
    for i in range(n, -1, -1):
        for j in range(m, -1, -1):
            options: list[tuple[float, int, int, float]] = []
            if i < n:
                options.append((best[i + 1][j], 1, 0, 0.0))
            if j < m:
                options.append((best[i][j + 1], 0, 1, 0.0))
            if i < n and j < m:
                score = _score(_same_speaker(a[i], b[j]), sa.span(i, i), sb.span(j, j))
                if score >= MIN_SCORE:
                    options.append((best[i + 1][j + 1] + score, 1, 1, score))
                if j + 1 < m:
                    speaker = _group_speaker(a[i], (b[j], b[j + 1]))
                    score = _score(speaker, sa.span(i, i), sb.span(j, j + 1))
                    if score >= MIN_SCORE:
                        gain = 2 * score * SPLIT_FACTOR
                        options.append((best[i + 1][j + 2] + gain, 1, 2, score))
                if i + 1 < n:
                    speaker = _group_speaker(b[j], (a[i], a[i + 1]))
                    score = _score(speaker, sa.span(i, i + 1), sb.span(j, j))
                    if score >= MIN_SCORE:
                        gain = 2 * score * SPLIT_FACTOR
                        options.append((best[i + 2][j + 1] + gain, 2, 1, score))
            if options:
                # Ties go to the first option listed: skipping, which never invents a pair.
                top = max(options, key=lambda o: o[0])
                best[i][j] = top[0]
                move[i][j] = (top[1], top[2], top[3])
    pairs: list[Pair] = []
    i = j = 0
    while i < n or j < m:
        di, dj, score = move[i][j]
        if di and dj:
            confidence = round(score, 3)
            pairs += [Pair(i + x, j + y, confidence) for x in range(di) for y in range(dj)]
        i, j = i + di, j + dj
    return pairs


# --- pairing stored events ----------------------------------------------------------------------


def _family(head: EventHead) -> str | None:
    return publisher_key(f"{head.source}:{head.source_id}") if head.source_id else None


def counterparts(heads: Iterable[EventHead]) -> list[tuple[EventHead, EventHead]]:
    """Pairs of stored events that are one item in two languages: same publisher id, sources of
    one numbering, different languages. Each pair once, the Russian (or first) side first."""
    groups: dict[str, list[EventHead]] = {}
    for head in heads:
        family = _family(head)
        if family is not None:
            groups.setdefault(family, []).append(head)
    found: dict[tuple[int, int], tuple[EventHead, EventHead]] = {}
    for group in groups.values():
        for x in group:
            for y in group:
                if x.source != y.source and x.language != y.language:
                    first, second = sorted((x, y), key=_side)
                    found[(first.event_id, second.event_id)] = (first, second)
    return [found[key] for key in sorted(found)]


def _side(head: EventHead) -> tuple[bool, str, int]:
    """Russian first: it is the original of what the Kremlin publishes in both languages."""
    return (head.language != "ru", head.language, head.event_id)


def _turns(stored: Sequence[SpeechTurn], language: str) -> list[Turn]:
    return [turn(s.speaker or s.attribution, language, s.words, s.person_id) for s in stored]


def pair_events(archive: Archive, first: EventHead, second: EventHead) -> list[Pair]:
    """Align the stored speeches of two events and record the pair; returns the speech pairs
    (positions 0-based in each)."""
    said_first = archive.speech_turns(first.event_id)
    said_second = archive.speech_turns(second.event_id)
    pairs = align(_turns(said_first, first.language), _turns(said_second, second.language))
    archive.save_translation(
        first.event_id,
        second.event_id,
        [(said_first[p.a].speech_id, said_second[p.b].speech_id, p.confidence) for p in pairs],
    )
    return pairs


def pair_translations(archive: Archive, docs: Sequence[Document]) -> int:
    """After ``docs`` were stored: pair each with its other-language record if the archive has
    it (in whichever order the two came), re-aligning pairs that a new revision changed.
    Returns the number of event pairs (re)made."""
    ids = [d.source_id for d in docs if d.source_id]
    if not ids:
        return 0
    stored = {(d.source, d.source_id) for d in docs}
    made = 0
    for first, second in counterparts(archive.events_by_source_id(ids)):
        if (first.source, first.source_id) in stored or (second.source, second.source_id) in stored:
            pair_events(archive, first, second)
            made += 1
    return made
