"""What a speech contributes to the statistics columns of the index: its word count, and the
distinct words and two-word phrases that the distinctive-terms statistic counts.

Computed once, when a speech is indexed (``index``), so that a statistic over any set of
speeches is an aggregation over fast columns, never a pass over their texts. The words are the
index's exact analyzer's (lower-cased, unstemmed, cut at every non-letter), the same that a
quoted phrase is matched on, so a count of speeches using a term and a phrase search agree.
Stop words and numbers are left out of the terms (a two-word phrase keeps only pairs of words
that are both kept, read in the text's order), but still count as words of the speech.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Sequence
from importlib import resources
from typing import Final

#: Shorter words are initials and stray letters, not terms.
MIN_LETTERS: Final = 2


@functools.cache
def stop_words() -> frozenset[str]:
    """Every language's stop words (stenogram/stats/data/stopwords.toml), read once."""
    with resources.files("stenogram").joinpath("stats", "data", "stopwords.toml").open("rb") as fh:
        lists = tomllib.load(fh)["words"]
    return frozenset(word for text in lists.values() for word in text.split())


def _kept(word: str, stop: frozenset[str]) -> bool:
    return len(word) >= MIN_LETTERS and not word.isdigit() and word not in stop


def speech_terms(words: Sequence[str]) -> list[str]:
    """The distinct terms of a speech's words: kept words, and "a b" for each pair of adjacent
    kept words, in order of first use."""
    stop = stop_words()
    kept = [_kept(word, stop) for word in words]
    terms = [word for word, keep in zip(words, kept, strict=True) if keep]
    terms += [
        f"{words[n]} {words[n + 1]}" for n in range(len(words) - 1) if kept[n] and kept[n + 1]
    ]
    return list(dict.fromkeys(terms))
