"""Who a ``speaker:`` or ``participant:`` value means: the archive's persons by every name form.

The index holds resolved person ids, not names, so that a person is found however the page
printed them ("А.Лукашенко", "Alexander Lukashenko", "Lukashenko"). A value matches a person when
each of its words is a word of one name form (in either script, ``ё`` read as ``е``, a one-letter
word as an initial); a value that is a whole name form, or the person's id, beats one that is
only part of a form. The engine narrows several candidates to those the index holds, and only
then calls a name ambiguous.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import Final

from ..model import Person

_WORD: Final = re.compile(r"[^\W_]+")
#: How alike a misprinted word is to the word it stands for ("Vladmir"/"Vladimir" 0.93), as the
#: resolver's doubtful pairs measure it.
MISPRINT_LIKENESS: Final = 0.8
#: A misprint is rare beside the name it misprints: at most this share of its speeches (or 3).
MISPRINT_SHARE: Final = 0.05


def name_words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.casefold().replace("ё", "е")))


def _fits(value: tuple[str, ...], form: tuple[str, ...]) -> bool:
    return all(w in form or (len(w) == 1 and any(f.startswith(w) for f in form)) for w in value)


@dataclass(frozen=True, slots=True)
class _Entry:
    id: str
    name: str
    forms: tuple[tuple[str, ...], ...]


class People:
    """The persons of an archive, for looking up filter values (built once per archive state)."""

    def __init__(self, persons: Iterable[Person]) -> None:
        self._entries: dict[str, _Entry] = {}
        self._by_word: dict[str, list[str]] = {}
        for person in persons:
            forms = {name_words(person.name), *(name_words(n.text) for n in person.names)}
            entry = _Entry(person.id, person.name, tuple(f for f in forms if f))
            self._entries[person.id] = entry
            for word in {w for form in entry.forms for w in form}:
                self._by_word.setdefault(word, []).append(person.id)

    def name(self, person_id: str) -> str:
        """The person's display name (the id itself for a person this lookup does not know)."""
        entry = self._entries.get(person_id)
        return entry.name if entry else person_id

    def words(self) -> frozenset[str]:
        """Every word of every name form (lower case, ``ё`` as ``е``)."""
        return frozenset(self._by_word)

    def named(self, value: str) -> list[str]:
        """The ids of the persons one of whose name forms is ``value`` (its words, any order)."""
        words = set(name_words(value))
        found = {
            person_id
            for word in words
            for person_id in self._by_word.get(word, ())
            if any(set(form) == words for form in self._entries[person_id].forms)
        }
        return sorted(found)

    def find(self, value: str) -> list[tuple[str, str]]:
        """(id, name) of every person ``value`` may mean, the best fits only, by name."""
        if value in self._entries:
            return [(value, self._entries[value].name)]
        words = name_words(value)
        longest = max(words, key=len, default="")
        if len(longest) < 2:
            return []
        whole: list[_Entry] = []
        part: list[_Entry] = []
        for person_id in self._by_word.get(longest, ()):
            entry = self._entries[person_id]
            if any(set(form) == set(words) for form in entry.forms):
                whole.append(entry)
            elif any(_fits(words, form) for form in entry.forms):
                part.append(entry)
        return sorted(((e.id, e.name) for e in whole or part), key=lambda item: item[1])


def _misprint(word: str, of: str) -> bool:
    return word[:1] == of[:1] and SequenceMatcher(None, word, of).ratio() >= MISPRINT_LIKENESS


def misprints_of(name: str, count: int, others: Sequence[tuple[str, int]]) -> bool:
    """Are ``others`` (name, speeches) misprints of ``name`` (``count`` speeches)?

    The resolver keeps "Vladmir Putin" apart from "Vladimir Putin" as a doubtful pair (a merge
    is a person's decision), but ``speaker:Putin`` plainly means both, and refusing it as
    ambiguous would stop every search for the surname. A misprint differs in one word, by a
    letter or two, and is rare; "Alexandra Smith" beside an "Alexander Smith" of as many
    speeches is a namesake, and stays ambiguous."""
    words = name_words(name)
    for other, speeches in others:
        other_words = name_words(other)
        if len(other_words) != len(words) or speeches > max(3, count * MISPRINT_SHARE):
            return False
        differ = [(a, b) for a, b in zip(other_words, words, strict=True) if a != b]
        if len(differ) != 1 or not _misprint(*differ[0]):
            return False
    return True


_lock = threading.Lock()
_cache: dict[Path, tuple[int, People]] = {}


def archive_people(key: Path, seq: int, load: Callable[[], Iterable[Person]]) -> People:
    """The lookup for the archive at ``key`` as of its change counter ``seq``: built once per
    change, since a search would otherwise read every person again (a merge or a split touches
    events and so changes ``seq``, as every write does)."""
    with _lock:
        kept = _cache.get(key)
    if kept is not None and kept[0] == seq:
        return kept[1]
    people = People(load())
    with _lock:
        _cache[key] = (seq, people)
    return people
