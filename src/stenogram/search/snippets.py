"""Snippets as plain text with highlight spans: the passage that matched, marked.

The engine hands out text and character offsets; HTML (the web) and terminal styles (the CLI)
are rendered by whoever shows them. An exact phrase is found in the stored text here, with the
same word boundaries as the ``exact_*`` fields (a run of letters and digits is a word; anything
else, punctuation, typographic quotes, dashes, only separates), and marked as one passage.
Unquoted words are left to tantivy's snippet generator, which knows the stemmed terms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

import tantivy

from .query import And, Node, Or, Phrase

SNIPPET_CHARS: Final = 240
#: Characters shown before a phrase, so that it is read in its sentence.
LEAD: Final = 60

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Snippet:
    text: str
    #: [start, end) character offsets into ``text`` of each marked passage, in order.
    spans: tuple[Span, ...] = ()


def phrase_patterns(node: Node, analyzer: tantivy.TextAnalyzer) -> list[re.Pattern[str]]:
    """A pattern per exact phrase that a match must (or may) contain; negated ones are left
    out, since a hit never shows them."""
    patterns = []
    for text in _phrases(node):
        words = analyzer.analyze(text)
        if words:
            between = r"[\W_]+".join(re.escape(w) for w in words)
            patterns.append(re.compile(rf"(?<![^\W_]){between}(?![^\W_])", re.IGNORECASE))
    return patterns


def _phrases(node: Node) -> Iterable[str]:
    match node:
        case Phrase(text, loose=False):
            yield text
        case And(items) | Or(items):
            for item in items:
                yield from _phrases(item)
        case _:
            return


def find_phrases(text: str, patterns: Sequence[re.Pattern[str]]) -> Snippet | None:
    """The passage around the first phrase found in ``text``, with every phrase in it marked."""
    found = sorted(m.span() for p in patterns for m in p.finditer(text))
    if not found:
        return None
    first = found[0][0]
    start = 0 if first <= LEAD else _word_start(text, first - LEAD)
    end = min(len(text), max(start + SNIPPET_CHARS, found[0][1]))
    if end < len(text):
        end = _word_end(text, end)
    spans = [(a - start, min(b, end) - start) for a, b in found if a >= start and a < end]
    lead = "…" if start else ""
    shift = len(lead)
    tail = "…" if end < len(text) else ""
    shown = tuple((a + shift, b + shift) for a, b in _disjoint(spans))
    return Snippet(lead + text[start:end] + tail, shown)


def _disjoint(spans: Sequence[Span]) -> list[Span]:
    kept: list[Span] = []
    for a, b in spans:
        if kept and a < kept[-1][1]:
            kept[-1] = (kept[-1][0], max(b, kept[-1][1]))
        else:
            kept.append((a, b))
    return kept


def _word_start(text: str, at: int) -> int:
    cut = text.find(" ", at)
    return cut + 1 if 0 <= cut < at + 20 else at


def _word_end(text: str, at: int) -> int:
    cut = text.rfind(" ", at - 20, at)
    return cut if cut > 0 else at


def from_tantivy(snippet: tantivy.Snippet) -> Snippet:
    """tantivy's fragment and its highlights (UTF-8 byte offsets) as text and character spans."""
    fragment = snippet.fragment()
    raw = fragment.encode()
    spans = tuple(
        (len(raw[: r.start].decode(errors="ignore")), len(raw[: r.end].decode(errors="ignore")))
        for r in snippet.highlighted()
    )
    return Snippet(fragment, spans)


def opening(text: str) -> Snippet:
    """The opening of the text, for hits matched by filters alone (nothing to mark)."""
    if len(text) <= SNIPPET_CHARS:
        return Snippet(text)
    cut = text.rfind(" ", 0, SNIPPET_CHARS)
    return Snippet(text[: cut if cut > 0 else SNIPPET_CHARS] + "…")
