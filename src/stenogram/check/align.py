"""Where a piece of a quote sits in a speech, and how its words differ: a local alignment of
word sequences.

Aligning a quote against a whole speech word by word costs quote x speech cells, thousands of
speeches' worth at a time. So the speech is first narrowed to the few windows where the quote's
words fall on one diagonal (a word ``i`` of the quote found at word ``p`` of the speech votes
for the passage starting at ``p - i``), and only those windows are aligned, by rapidfuzz's
Levenshtein opcodes over words (C, a few microseconds a window). The passage words before the
first and after the last word the quote shares with it are context, not differences.

The score is 2 x words in common / (quote words + passage words): 1 for the words verbatim,
falling with every dropped, added or changed word on either side (Sørensen-Dice over the
aligned words).
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from rapidfuzz.distance import Levenshtein

from .text import Words, stop_words

Kind = Literal["dropped", "added", "changed", "skipped"]
#: How many diagonals (candidate passages) of one speech are aligned for one piece of a quote.
WINDOWS: Final = 3
#: A word repeated in a piece votes this many times at most (a quote of one word repeated would
#: otherwise cast thousands of votes).
MAX_REPEATS: Final = 3
#: Passage words a quote may leave out between two of its words without an ellipsis and still
#: be one passage, however few words come before the gap (see ``_islands``).
MAX_INNER_GAP: Final = 2
#: A word found more often than this in one speech does not vote: it says nothing of where.
MAX_OCCURRENCES: Final = 50


@dataclass(frozen=True, slots=True)
class Difference:
    """One way the quote departs from the passage. ``start``/``end``: the passage words'
    character span in the speech text (where the quote's words would go, for ``added``)."""

    kind: Kind
    quote: str
    passage: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Part:
    """A piece of the quote (``quote_start``/``quote_end``, characters of the quote) aligned in
    one speech text at ``start``/``end``."""

    quote_start: int
    quote_end: int
    start: int
    end: int
    same: int
    quote_words: int
    passage_words: int
    differences: tuple[Difference, ...]
    #: Of the quote's words other than common ones: how many, and how many the passage has.
    content_words: int = 0
    content_same: int = 0

    @property
    def score(self) -> float:
        return dice(self.same, self.quote_words, self.passage_words)

    @property
    def content(self) -> float:
        """The share of the quote's meaningful words the passage has: "we are ... when we are
        ... together" shares most of its words with many passages, its content with few."""
        return self.content_same / self.content_words if self.content_words else 1.0


def dice(same: int, a: int, b: int) -> float:
    return 2 * same / (a + b) if a + b else 0.0


def positions(speech: Words) -> dict[str, list[int]]:
    found: dict[str, list[int]] = defaultdict(list)
    for at, word in enumerate(speech.keys):
        found[word].append(at)
    return found


def _diagonals(
    piece: Words, where: dict[str, list[int]], slack: int, after: int
) -> list[tuple[int, int]]:
    """The [lowest, highest] passage starts that most of the piece's words point at, best
    first (a word dropped or added shifts the rest of the quote by one diagonal)."""
    common = stop_words()
    votes: list[tuple[int, int]] = []
    seen: Counter[str] = Counter()
    for i, word in enumerate(piece.keys):
        seen[word] += 1
        found = where.get(word, ())
        if word not in common and len(found) <= MAX_OCCURRENCES and seen[word] <= MAX_REPEATS:
            votes.extend((p - i, i) for p in found if p >= after)
    if not votes:  # only common words: let them vote
        votes = [
            (p - i, i)
            for i, w in enumerate(piece.keys[:MAX_OCCURRENCES])
            for p in [p for p in where.get(w, ()) if p >= after][:10]
        ]
    votes.sort()
    ranked: list[tuple[int, int, int]] = []
    inside: Counter[int] = Counter()
    low = 0
    for diagonal, i in votes:
        inside[i] += 1
        while votes[low][0] < diagonal - slack:
            gone = votes[low][1]
            inside[gone] -= 1
            if not inside[gone]:
                del inside[gone]
            low += 1
        ranked.append((len(inside), votes[low][0], diagonal))
    ranked.sort(key=lambda item: (-item[0], item[1]))
    chosen: list[tuple[int, int]] = []
    for _, lowest, highest in ranked:
        if all(highest < a - slack or lowest > b + slack for a, b in chosen):
            chosen.append((lowest, highest))
            if len(chosen) == WINDOWS:
                break
    return chosen


def _text(words: Words, a: int, b: int) -> str:
    return words.text[words.spans[a][0] : words.spans[b - 1][1]] if b > a else ""


#: An aligned run: tag, quote words [s0, s1), passage words [d0, d1) (absolute).
_Op = tuple[str, int, int, int, int]
_KINDS: Final[dict[str, Kind]] = {"insert": "dropped", "delete": "added", "replace": "changed"}


def _ops(piece: Words, speech: Words, first: int, last: int) -> list[_Op]:
    """The edit runs of the piece against the passage, context trimmed (see :func:`_islands`
    and :func:`_extend` for why the raw opcodes are not taken as they are)."""
    ops = [
        (op.tag, op.src_start, op.src_end, first + op.dest_start, first + op.dest_end)
        for op in Levenshtein.opcodes(piece.keys, speech.keys[first:last])
    ]
    return _extend(_edges(_islands(ops)), piece, speech)


def _islands(ops: list[_Op]) -> list[_Op]:
    """Cut off the quote's words matched in scattered places before (or after) a run of
    passage words longer than them. Levenshtein costs the same whether "it's about" matches a
    stray "it", "s" and "about" in the sentence before and drops the run up to the real
    "it's about", or takes that sentence as context; the second is the reading meant, and
    :func:`_extend` then finds the cut words just before the passage."""
    equal_before = 0
    cut = -1
    for n, (tag, s0, s1, d0, d1) in enumerate(ops):
        if tag == "insert" and d1 - d0 > max(MAX_INNER_GAP, equal_before):
            cut = n
        equal_before += s1 - s0 if tag == "equal" else 0
    equal_after = 0
    end = len(ops)
    for n in range(len(ops) - 1, cut, -1):
        tag, s0, s1, d0, d1 = ops[n]
        if tag == "insert" and d1 - d0 > max(MAX_INNER_GAP, equal_after):
            end = n
        equal_after += s1 - s0 if tag == "equal" else 0
    lost = [("delete", s0, s1, d0, d0) for tag, s0, s1, d0, _ in ops[: max(cut, 0)] if s1 > s0]
    kept = ops[cut + 1 : end]
    lost_after = [("delete", s0, s1, d0, d0) for tag, s0, s1, d0, _ in ops[end + 1 :] if s1 > s0]
    return [*lost, *kept, *lost_after]


def _extend(ops: list[_Op], piece: Words, speech: Words) -> list[_Op]:
    """The quote's unmatched first (last) words matched against the words just before (after)
    the passage, as far as they agree."""
    if not ops or not any(op[0] == "equal" for op in ops):
        return ops
    head = 0
    while head < len(ops) and ops[head][0] == "delete":
        head += 1
    if head:
        k, lo = ops[head - 1][2], ops[head][3]
        t = _agree(piece.keys[:k][::-1], speech.keys[:lo][::-1])
        ops = [
            *([("delete", 0, k - t, lo - t, lo - t)] if k > t else []),
            *([("equal", k - t, k, lo - t, lo)] if t else []),
            *ops[head:],
        ]
    tail = len(ops)
    while tail > 0 and ops[tail - 1][0] == "delete":
        tail -= 1
    if tail < len(ops):
        k, hi = ops[tail][1], ops[tail - 1][4]
        t = _agree(piece.keys[k:], speech.keys[hi:])
        ops = [
            *ops[:tail],
            *([("equal", k, k + t, hi, hi + t)] if t else []),
            *([("delete", k + t, len(piece), hi + t, hi + t)] if k + t < len(piece) else []),
        ]
    return ops


def _agree(a: Sequence[str], b: Sequence[str]) -> int:
    """How many leading words two sequences share."""
    n = 0
    while n < len(a) and n < len(b) and a[n] == b[n]:
        n += 1
    return n


def _edges(ops: list[_Op]) -> list[_Op]:
    """The passage from the first to the last word the quote shares with it: the words around
    are context, and the quote's words beyond them are ``added`` (a changed word at an edge
    would only stretch the passage over its context and lower the score)."""
    equal = [n for n, op in enumerate(ops) if op[0] == "equal"]
    if not equal:
        return []
    head = [
        ("delete", s0, s1, ops[equal[0]][3], ops[equal[0]][3])
        for _, s0, s1, _, _ in ops[: equal[0]]
    ]
    tail = [
        ("delete", s0, s1, ops[equal[-1]][4], ops[equal[-1]][4])
        for _, s0, s1, _, _ in ops[equal[-1] + 1 :]
    ]
    return [
        *(op for op in head if op[2] > op[1]),
        *ops[equal[0] : equal[-1] + 1],
        *(op for op in tail if op[2] > op[1]),
    ]


def _part(piece: Words, speech: Words, first: int, last: int) -> Part | None:
    """The alignment of the whole piece against speech words [first, last)."""
    ops = _ops(piece, speech, first, last)
    same = sum(s1 - s0 for tag, s0, s1, _, _ in ops if tag == "equal")
    if not same:
        return None
    common = stop_words()
    content = [w not in common for w in piece.keys]
    content_same = sum(sum(content[s0:s1]) for tag, s0, s1, _, _ in ops if tag == "equal")
    lo = min(d0 for tag, _, _, d0, _ in ops if tag != "delete")
    hi = max(d1 for tag, _, _, _, d1 in ops if tag != "delete")
    differences = []
    for tag, s0, s1, a, b in ops:
        if tag == "equal":
            continue
        at = speech.spans[a][0] if a < len(speech) else speech.spans[-1][1]
        end = speech.spans[b - 1][1] if b > a else at
        differences.append(
            Difference(_KINDS[tag], _text(piece, s0, s1), _text(speech, a, b), at, end)
        )
    return Part(
        piece.spans[0][0],
        piece.spans[-1][1],
        speech.spans[lo][0],
        speech.spans[hi - 1][1],
        same,
        len(piece),
        hi - lo,
        tuple(differences),
        sum(content),
        content_same,
    )


def align(piece: Words, speech: Words, where: dict[str, list[int]], after: int = 0) -> Part | None:
    """The best passage of ``speech`` for ``piece`` from word ``after`` on (None when they
    share no word there)."""
    if not len(piece) or not len(speech):
        return None
    slack = max(2, len(piece) // 3)
    best: Part | None = None
    for lowest, highest in _diagonals(piece, where, slack, after):
        first = max(after, lowest - slack)
        last = min(len(speech), highest + len(piece) + slack)
        part = _part(piece, speech, first, last)
        if part is not None and (best is None or part.score > best.score):
            best = part
    return best


def joined(parts: Sequence[Part], speech: Words) -> Part:
    """Consecutive parts of an ellipsis quote as one passage: the text between them is
    ``skipped``, which costs nothing (an ellipsis says text was left out)."""
    differences: list[Difference] = []
    for before, after in itertools.pairwise(parts):
        differences += before.differences
        gap = speech.text[before.end : after.start].strip()
        differences.append(Difference("skipped", "…", gap, before.end, after.start))
    differences += parts[-1].differences
    return Part(
        parts[0].quote_start,
        parts[-1].quote_end,
        parts[0].start,
        parts[-1].end,
        sum(p.same for p in parts),
        sum(p.quote_words for p in parts),
        sum(p.passage_words for p in parts),
        tuple(differences),
        sum(p.content_words for p in parts),
        sum(p.content_same for p in parts),
    )
