"""Passages of a speech for semantic retrieval: runs of whole sentences, as character offsets.

A passage is what a circulating paraphrase usually renders: one to three sentences. Windows do
not overlap, because every passage costs a transformer pass (see docs/check.md): overlapping
windows would double the build time for a small gain, and a quote that straddles two windows
still lands near both. Offsets point into the speech text as stored, so a hit can be shown and
aligned against the exact words.
"""

from __future__ import annotations

import re
from typing import Final

#: A passage holds at most this many sentences and, past its first sentence, this many words.
MAX_SENTENCES: Final = 3
MAX_WORDS: Final = 60
#: Characters of a passage that are embedded (one very long sentence is cut here: the model
#: reads 512 tokens at most, and a paraphrase renders the opening as well as anything else).
MAX_CHARS: Final = 1200

#: A sentence ends at ., !, ? or … (and closing quotes or brackets after it) before white
#: space and a capital letter, digit, dash or opening quote. A capital, alone or with one small
#: letter, before the full stop is an initial or a title ("V. Putin", "Mr. Smith"), not an end.
_END: Final = re.compile(
    r"(?<!\b[A-ZА-ЯЁ]\.)(?<!\b[A-ZА-ЯЁ][a-zа-яё]\.)(?<=[.!?…])"
    r"([\"'»”’)\]]*)\s+(?=[\"'«“(\[—–-]?[0-9A-ZА-ЯЁ])"
)
_WORD: Final = re.compile(r"\w+")


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``, white space around it left out."""
    spans: list[tuple[int, int]] = []
    start = 0
    for found in _END.finditer(text):
        _add(text, start, found.end(1), spans)  # closing quotes stay with the sentence
        start = found.end()
    _add(text, start, len(text), spans)
    return spans


def _add(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if stripped:
        left = start + (len(piece) - len(piece.lstrip()))
        spans.append((left, left + len(stripped)))


def passages(text: str) -> list[tuple[int, int]]:
    """(start, end) of each passage of ``text``: consecutive sentences, up to
    :data:`MAX_SENTENCES` of them and :data:`MAX_WORDS` words (a longer sentence stands alone)."""
    found: list[tuple[int, int]] = []
    current: list[tuple[int, int]] = []
    words = 0
    for start, end in sentences(text):
        count = len(_WORD.findall(text, start, end))
        if current and (len(current) >= MAX_SENTENCES or words + count > MAX_WORDS):
            found.append((current[0][0], current[-1][1]))
            current, words = [], 0
        current.append((start, end))
        words += count
    if current:
        found.append((current[0][0], current[-1][1]))
    return found


def passage_text(text: str, start: int, end: int) -> str:
    """What is embedded for a passage: its text with runs of white space made one space."""
    return " ".join(text[start : min(end, start + MAX_CHARS)].split())
