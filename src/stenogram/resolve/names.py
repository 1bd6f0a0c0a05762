"""Reading a printed name into parts, and the matching keys that make two spellings equal.

One person is printed as "Alexander Lukashenko", "Lukashenko Alexander" (a tag, surname first),
"Mr Lukashenko", "А.Лукашенко" and "Лукашенко Александр Григорьевич". Matching compares keys, not
texts: each part is transliterated to Latin and folded by the spelling rules of
``data/names.toml`` (Aleksandr/Alexander, Sergey/Sergei, Yury/Iurii, -iy/-y), so that the rules
can grow as data without touching the logic.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from unidecode import unidecode

from ..parse.common import normalize_space
from ..parse.labels import first_last

# "V.", "V.V." standing alone, and "В.Путин", "V.V.Putin" (initials glued to a surname).
_INITIALS = re.compile(r"^((?:[^\W\d_]\.)+)$")
_GLUED = re.compile(r"^((?:[^\W\d_]\.)+)([^\W\d_].*)$")
_INITIAL_LETTER = re.compile(r"([^\W\d_])\.")
_EDGE_PUNCT = "\"'«»“”„‘’()[],;:"
_NON_LETTERS = re.compile(r"[^a-z]+")
_SLUG_GAPS = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class _Tables:
    letters: dict[str, str]
    rules: tuple[tuple[re.Pattern[str], str], ...]
    given: dict[str, str]
    honorifics: frozenset[str]
    patronymics: tuple[str, ...]
    families: dict[str, str]


@cache
def _tables() -> _Tables:
    with resources.files("stenogram.resolve").joinpath("data", "names.toml").open("rb") as fh:
        data: dict[str, Any] = tomllib.load(fh)
    given = {
        str(variant): str(canonical)
        for canonical, variants in data["given_names"].items()
        for variant in variants
    }
    families = {
        str(site): str(family) for family, sites in data["publishers"].items() for site in sites
    }
    return _Tables(
        letters={str(k): str(v) for k, v in data["letters"].items()},
        rules=tuple((re.compile(p), str(r)) for p, r in data["rules"]),
        given=given,
        honorifics=frozenset(str(w).casefold() for w in data["honorifics"]["words"]),
        patronymics=tuple(str(e).casefold() for e in data["patronymics"]["endings"]),
        families=families,
    )


def to_latin(text: str) -> str:
    """The text in Latin letters (for display and slugs), ё read as е like the press offices do."""
    letters = _tables().letters
    return unidecode("".join(letters.get(ch, ch) for ch in text))


@cache
def word_key(word: str) -> str:
    """Matching key of one name part: equal for spelling variants of one name."""
    key = _NON_LETTERS.sub("", to_latin(word).lower())
    for pattern, replacement in _tables().rules:
        key = pattern.sub(replacement, key)
    return key


def given_key(word: str) -> str:
    key = word_key(word)
    return _tables().given.get(key, key)


@dataclass(frozen=True, slots=True)
class NameParts:
    """A name in first-last order; ``given`` is None for "Putin", "В.Путин", "Mr Putin"."""

    surname: str
    given: str | None = None
    patronymic: str | None = None
    middle: tuple[str, ...] = ()
    initials: tuple[str, ...] = ()

    @property
    def full(self) -> bool:
        return self.given is not None

    @property
    def surname_key(self) -> str:
        return "".join(word_key(w) for w in self.surname.split())

    @property
    def initial(self) -> str | None:
        """Key letter of the first given name, printed in full or as an initial."""
        source = self.given or (self.initials[0] if self.initials else None)
        key = given_key(source) if source else ""
        return key[:1] or None

    @property
    def key(self) -> tuple[str, str] | None:
        """(given, surname) key of a full name; None for surname-only forms."""
        return (given_key(self.given), self.surname_key) if self.given else None

    @property
    def token_keys(self) -> frozenset[str]:
        words = [*(self.given or "").split(), *self.middle, *self.surname.split()]
        return frozenset(word_key(w) for w in words)

    def display(self) -> str:
        """First-last text: "Alexander Lukashenko", "V. Putin", "Putin"."""
        initials = " ".join(f"{i}." for i in self.initials) if not self.given else ""
        words = [self.given, self.patronymic, *self.middle, initials, self.surname]
        return " ".join(w for w in words if w)


def is_patronymic(word: str) -> bool:
    folded = word.casefold()
    return len(folded) > 5 and folded.endswith(_tables().patronymics)


def _tokens(text: str) -> list[str]:
    return [t for t in (w.strip(_EDGE_PUNCT) for w in normalize_space(text).split()) if t]


def parse_name(text: str, language: str, *, surname_first: bool = False) -> NameParts | None:
    """Parts of a printed person name; None if it has no capitalised word to be a name.

    ``surname_first`` is for tags and tooltips ("Lukashenko Alexander"); Russian full forms with
    a patronymic in third place ("Лукашенко Александр Григорьевич") are recognised without it,
    and so are initials printed after a surname ("Путин В.В.").
    """
    honorifics = _tables().honorifics
    tokens = _tokens(text)
    while tokens and tokens[0].casefold() in honorifics:
        tokens = tokens[1:]
    if not tokens or any(ch.isdigit() for ch in "".join(tokens)):
        return None
    if len(tokens) == 3 and is_patronymic(tokens[2]) and not is_patronymic(tokens[1]):
        surname_first = True
    initials: list[str] = []
    words: list[str] = []
    for token in tokens:
        whole = _INITIALS.match(token)
        glued = _GLUED.match(token)
        if whole:
            initials += _INITIAL_LETTER.findall(whole.group(1))
        elif glued:
            initials += _INITIAL_LETTER.findall(glued.group(1))
            words.append(glued.group(2))
        else:
            words.append(token)
    if not words or not any(w[:1].isupper() for w in words):
        return None
    if len(words) == 1:
        return NameParts(surname=words[0], initials=tuple(initials))
    if surname_first:
        words = first_last(" ".join(words), language).split()
    # "Mohammed bin Zayed Al Nahyan", "Ursula von der Leyen": particles join the surname.
    cut = len(words) - 1
    while cut > 1 and (words[cut - 1][:1].islower() or len(words[cut - 1]) <= 2):
        cut -= 1
    middle = words[1:cut]
    patronymic = next((w for w in middle if is_patronymic(w)), None)
    return NameParts(
        surname=" ".join(words[cut:]),
        given=words[0],
        patronymic=patronymic,
        middle=tuple(w for w in middle if w != patronymic),
        initials=tuple(initials),
    )


def publisher_id(source: str, raw: str) -> str:
    """``en.kremlin.ru:119`` from a document's source and the id the parser read."""
    raw = raw.strip()
    if ":" in raw and not raw.startswith(("http:", "https:")):
        return raw
    digits = re.findall(r"\d+", raw)
    return f"{source}:{digits[-1] if digits else raw}"


def publisher_key(pid: str) -> str:
    """The id with sites of one numbering folded together: kremlin.ru:119 == en.kremlin.ru:119."""
    site, _, number = pid.rpartition(":")
    return f"{_tables().families.get(site, site)}:{number}"


def slug(text: str) -> str:
    return _SLUG_GAPS.sub("-", to_latin(text).lower()).strip("-") or "person"
