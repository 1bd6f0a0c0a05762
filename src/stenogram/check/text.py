"""A quote and a passage as words: what is compared, where each word sits, and what the input
must be before anything is searched.

Words are runs of letters and digits, as in the index's unstemmed ``exact_*`` fields, so
punctuation, typographic quotes and dashes never tell a quote from its passage. Each word keeps
its character span in the text it came from, so differences are shown on the text as printed.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Final

from ..errors import QueryError

MAX_CHARS: Final = 5000
_WORD: Final = re.compile(r"[^\W_]+")
#: An ellipsis as typed or typeset, bare or in brackets: the quote skips text there.
_ELLIPSIS: Final = re.compile(r"[\[(]?\s*(?:…|\.\s?\.\s?\.)\s*[\])]?")
#: Where a sentence ends: the parts of a stitched quote are looked for one sentence at a time.
_SENTENCE_END: Final = re.compile(r"(?<=[.!?;])\s+")


@dataclass(frozen=True, slots=True)
class Words:
    """The words of a text: each as compared (``keys``, case and ``ё`` folded) and its span."""

    text: str
    keys: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]

    def __len__(self) -> int:
        return len(self.keys)

    def part(self, a: int, b: int) -> Words:
        """Words ``a`` to ``b`` (spans still into the whole text)."""
        return Words(self.text, self.keys[a:b], self.spans[a:b])

    def cut(self, at: list[int]) -> list[Words]:
        """The words split before each character offset in ``at``; empty pieces dropped."""
        pieces: list[Words] = []
        first = 0
        for offset in [*at, len(self.text) + 1]:
            last = first
            while last < len(self.keys) and self.spans[last][0] < offset:
                last += 1
            if last > first:
                pieces.append(self.part(first, last))
            first = last
        return pieces


def key(word: str) -> str:
    return word.lower().replace("ё", "е")


def words(text: str) -> Words:
    """Tokenizing the candidate speeches is most of a check's Python time, so the keys come
    from one ``findall`` over the folded text (C speed) whenever folding keeps every offset."""
    folded = key(text)
    spans = tuple(m.span() for m in _WORD.finditer(text))
    if len(folded) == len(text):
        keys = tuple(_WORD.findall(folded))
        if len(keys) == len(spans):
            return Words(text, keys, spans)
    return Words(text, tuple(key(text[a:b]) for a, b in spans), spans)


def segments(quote: Words) -> list[Words]:
    """The quote's words cut at each ellipsis: each piece must be found, the text between
    them may be anything."""
    return quote.cut([m.start() for m in _ELLIPSIS.finditer(quote.text)])


def sentences(piece: Words) -> list[Words]:
    """A piece's words cut at each sentence end: the parts a stitched quote is made of."""
    if not len(piece):
        return []
    text, start = piece.text, piece.spans[0][0]
    ends = [m.start() for m in _SENTENCE_END.finditer(text, start, piece.spans[-1][1])]
    return piece.cut(ends)


@cache
def _data() -> dict[str, Any]:
    return tomllib.loads(resources.files(__package__).joinpath("data/words.toml").read_text())


@cache
def stop_words() -> frozenset[str]:
    return frozenset(key(w) for text in _data()["stop_words"].values() for w in text.split())


def scripts() -> dict[str, str]:
    """Language -> the script its letters are written in."""
    return dict(_data()["scripts"])


def original_language(source: str) -> str | None:
    value = _data()["original_language"].get(source)
    return str(value) if value else None


def script_of(word: str) -> str | None:
    """The script of a word's first letter, lower-cased as Unicode names it (None for digits)."""
    for char in word:
        if char.isalpha():
            return unicodedata.name(char, "").split(" ")[0].lower() or None
    return None


def checked(quote: str, indexed_scripts: set[str] | None) -> str:
    """The quote with its whitespace evened out, or a :class:`QueryError` saying why it cannot
    be checked. ``indexed_scripts``: the scripts of the languages the index holds (None when
    it holds a language of unknown script, so that any script may match)."""
    text = " ".join(quote.split())
    if not text or not _WORD.search(text):
        raise QueryError("the quote is empty: paste the words to check", document="check")
    if len(quote) > MAX_CHARS:
        raise QueryError(
            f"the quote is {len(quote)} characters long; at most {MAX_CHARS} are checked",
            document="check",
        )
    keys = words(text).keys
    if all(k in stop_words() or k.isdigit() for k in keys):
        raise QueryError(
            "the quote has only common words (such as 'the', 'and'); nothing to find it by",
            document="check",
        )
    if indexed_scripts is not None:
        used = {s for s in map(script_of, keys) if s}
        if used and not used & indexed_scripts:
            held = ", ".join(sorted(indexed_scripts)) or "none"
            raise QueryError(
                f"the quote is written in {', '.join(sorted(used))} letters; the archive holds "
                f"text in {held} only",
                document="check",
            )
    return text
