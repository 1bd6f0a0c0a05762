"""Names that name nobody: "Caller", "Audience member", "Woman", "I", a lone initial.

A transcript attributes a turn to whoever spoke, and when the publisher did not know the name it
prints a role or a crowd instead. Such a label stays the speech's attribution, but a Person made
of it would be listed among people and counted as a speaker (one "Caller" had 674 speeches), so
the resolver asks :func:`names_nobody` before it makes one. The words are data
(``data/nonpersons.toml``); the rule is general: a name none of whose words could be a name.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

from ..parse.common import normalize_space

_EDGE_PUNCT = "\"'«»“”„‘’()[],;:.!?-–—*"


@cache
def _words(language: str) -> frozenset[str]:
    path = resources.files("stenogram.resolve").joinpath("data", "nonpersons.toml")
    with path.open("rb") as fh:
        tables = tomllib.load(fh)
    table = tables.get(language) or tables["en"]
    return frozenset(
        _key(str(word)) for key in ("crowd", "pronouns", "joiners") for word in table[key]
    )


def _key(word: str) -> str:
    return word.strip(_EDGE_PUNCT).casefold().replace("ё", "е")


def names_nobody(text: str, language: str) -> bool:
    """True when no word of ``text`` could be part of a person's name.

    That is: every word is a crowd, role or pronoun word of the language, or the name has no
    word of two letters ("C", "T.": an initial whose surname the page lost).
    """
    keys = [k for k in (_key(w) for w in normalize_space(text).split()) if k]
    if not any(len(k) >= 2 for k in keys):
        return True
    words = _words(language)
    return all(k in words for k in keys)
