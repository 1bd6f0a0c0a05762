"""Word cues for kremlin.ru text whose line breaks were collapsed (``data/kremlin_text.toml``).

Without line breaks the edges between blocks (title and lede, place and body, one footer tag and
the next) must be found from the words themselves. These tests stay general: word classes told
by their endings and by whether the page prints the word in lower case anywhere, never lists of
particular titles, places or people.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from .common import load_data, parse_date

_QUOTES_OPEN = "«(“„"
_WORD_EDGE = "\"'«»“”„()[],;:."


@dataclass(frozen=True, slots=True)
class Cues:
    """Site labels (kremlin.toml) and reading cues (kremlin_text.toml) of one language."""

    language: str
    site: dict[str, Any]
    categories: tuple[str, ...]
    announcement: tuple[str, ...]
    more_tags: frozenset[str]
    also_box: tuple[str, ...]
    starters: frozenset[str]
    verb_endings: tuple[str, ...]
    reflexive_endings: tuple[str, ...]
    oblique_endings: tuple[str, ...]
    genitive_endings: tuple[str, ...]
    not_place_endings: tuple[str, ...]
    locative: tuple[str, ...]
    place_joins: frozenset[str]
    places: frozenset[str]
    longest_place: int
    prepositions: frozenset[str]
    conjunctions: frozenset[str]
    adjective_endings: tuple[str, ...]
    patronymic_endings: tuple[str, ...]
    tag_phrases: tuple[str, ...]
    joins_next: frozenset[str]
    particles: frozenset[str]
    item_url: str
    short_url: str

    def labels(self, key: str) -> tuple[str, ...]:
        return tuple(self.site.get(key, ()))


@cache
def cues_for(language: str) -> Cues:
    site = load_data("kremlin.toml")[language]
    cues = load_data("kremlin_text.toml")[language]
    names = load_data("labels.toml").get(language, {})

    def lower(key: str) -> frozenset[str]:
        return frozenset(str(w).lower() for w in cues.get(key, ()))

    return Cues(
        language=language,
        site=site,
        categories=tuple(cues["categories"]),
        announcement=tuple(cues["announcement"]),
        more_tags=lower("more_tags"),
        also_box=tuple(cues["also_box"]),
        starters=lower("sentence_starters"),
        verb_endings=tuple(cues["verb_endings"]),
        reflexive_endings=tuple(cues["reflexive_endings"]),
        oblique_endings=tuple(cues["oblique_endings"]),
        genitive_endings=tuple(cues["genitive_endings"]),
        not_place_endings=tuple(cues["not_place_endings"]),
        locative=tuple(cues["locative"]),
        place_joins=lower("place_joins"),
        places=frozenset(cues.get("places", ())),
        longest_place=max((len(str(p).split()) for p in cues.get("places", ())), default=0),
        # "of", "the" join the words of a place; "at", "in" open a phrase that says where.
        prepositions=frozenset(str(w).lower() for w in names.get("prepositions", ()))
        - lower("place_joins"),
        conjunctions=frozenset(cues["conjunctions"]),
        adjective_endings=tuple(cues["adjective_endings"]),
        patronymic_endings=tuple(cues["patronymic_endings"]),
        tag_phrases=tuple(cues["tag_phrases"]),
        joins_next=frozenset(cues["joins_next"]),
        particles=frozenset(str(w).lower() for w in names.get("particles", ())),
        item_url=cues["item_url"],
        short_url=cues["short_url"],
    )


def strip_word(word: str) -> str:
    return word.strip(_WORD_EDGE)


def capitalised(word: str) -> bool:
    bare = strip_word(word)
    return bool(bare) and bare[0].isupper()


def is_verb(word: str, cues: Cues) -> bool:
    bare = strip_word(word)
    return len(bare) >= 4 and bare.isalpha() and bare.islower() and bare.endswith(cues.verb_endings)


def is_adjective(word: str, cues: Cues) -> bool:
    bare = strip_word(word).lower()
    return len(bare) > 3 and bare.endswith(cues.adjective_endings)


def starts_sentence(
    words: Sequence[str], i: int, cues: Cues, common: frozenset[str] = frozenset()
) -> bool:
    """Does ``words[i]`` open a sentence rather than continue a title or a place name?

    A preposition or an impersonal verb is capitalised only there; a subject is, when a verb
    follows it within a few words ("Владимир Путин ещё раз выразил", "Глава региона доложил").
    A two-word subject is a name: its first word is not in an oblique case ("Сергеем"), its
    second is no word the page prints in lower case (``common``).
    """
    raw = words[i]
    word = strip_word(raw)
    if not word or raw[0] in _QUOTES_OPEN:
        return False
    if word[0].isdigit():
        nxt = words[i + 1] if i + 1 < len(words) else ""
        return bool(parse_date(f"{word} {strip_word(nxt)} 2000", cues.language))
    if not word[0].isupper():
        return False
    lower = word.lower()
    if lower in cues.starters or lower.endswith(cues.reflexive_endings):
        return True
    subject = 1
    if i + 1 < len(words) and capitalised(words[i + 1]):
        second = strip_word(words[i + 1])
        if (
            words[i + 1][0] in _QUOTES_OPEN
            or raw.endswith(",")
            or lower.endswith(cues.oblique_endings + cues.genitive_endings)
            or second.lower() in cues.starters
            or second.lower() in common
            or oblique(second, cues)
        ):
            return False
        subject = 2
        if i + 3 < len(words) and words[i + 2] in cues.conjunctions and capitalised(words[i + 3]):
            return True  # "Владимир Путин и Президент ..."
    for j in range(i + subject, min(i + subject + 4, len(words))):
        following = words[j]
        if is_verb(following, cues):
            return True
        if capitalised(following) or following.endswith(","):
            return False
    return False


def oblique(word: str, cues: Cues) -> bool:
    return strip_word(word).lower().endswith(cues.oblique_endings)


def quote_depths(words: Sequence[str]) -> list[int]:
    """For each word, how many quotes/brackets are open before it (titles quote names)."""
    depths: list[int] = []
    depth = 0
    for word in words:
        depths.append(depth)
        depth += sum(word.count(ch) for ch in "«(„")
        depth -= sum(word.count(ch) for ch in "»)")
        depth = max(depth, 0)
    return depths


def common_words(text: str) -> frozenset[str]:
    """Words the page prints in lower case: common words, never names."""
    return frozenset(re.findall(r"(?<![\w-])[a-zа-яё][\w-]*", text))


# --- footer tags in a row ------------------------------------------------------------------


def split_tags(words: list[str], kind: str, cues: Cues, warnings: list[str]) -> list[str]:
    """Tags printed in a row, one space apart: cut them where one tag ends and the next begins."""
    for i, word in enumerate(words):
        if word.lower() in cues.more_tags and i + 1 < len(words) and words[i + 1].isdigit():
            warnings.append(f"{kind} tags are cut short on the page ({word} {words[i + 1]})")
            words = words[:i] + words[i + 2 :]
            break
    return _split_names(words, cues) if kind == "persons" else _split_phrases(words, cues)


def _split_phrases(words: list[str], cues: Cues) -> list[str]:
    """Topics and places: adjectives lean on the next word, lower-case words on the previous."""
    tags: list[list[str]] = []
    i = 0
    while i < len(words):
        phrase = next(
            (p for p in cues.tag_phrases if words[i : i + len(p.split())] == p.split()), None
        )
        if phrase:
            tags.append(phrase.split())
            i += len(phrase.split())
            continue
        word = words[i]
        lean_back = tags and (
            not capitalised(word)
            or (tags[-1][-1] in cues.joins_next and len(tags[-1]) == 1)
            or is_adjective(tags[-1][-1], cues)
            or (not capitalised(tags[-1][-1]) and tags[-1][-1].lower() in _connectors(cues))
        )
        if lean_back:
            tags[-1].append(word)
        else:
            tags.append([word])
        i += 1
    return [" ".join(t) for t in tags]


def _connectors(cues: Cues) -> frozenset[str]:
    return frozenset(w for w in cues.starters if len(w) <= 3)


def _split_names(words: list[str], cues: Cues) -> list[str]:
    """Person tags are "Surname Given [Patronymic]"; a title in lower case stays with its person."""
    units: list[list[str]] = []
    glue = False
    for word in words:
        lower = word.lower()
        if glue or (units and not capitalised(word)):
            units[-1].append(word)
            glue = lower in cues.particles or not capitalised(word)
        else:
            units.append([word])
            glue = lower in cues.particles
    people: list[list[list[str]]] = []
    for unit in units:
        titled = any(not capitalised(w) and w.lower() not in cues.particles for w in unit)
        tail = unit[0].lower() in cues.particles or unit[-1].endswith(cues.patronymic_endings)
        if people and (titled or len(people[-1]) < 2 or (len(people[-1]) == 2 and tail)):
            people[-1].append(unit)
        else:
            people.append([unit])
    return [" ".join(w for unit in person for w in unit) for person in people]


# --- person tooltips copied into the text ----------------------------------------------------

# Four capitalised words in a row: a printed name, then (maybe) the same name surname-first.
_FOUR_NAMES = re.compile(r"(?<!\S)(?:[A-ZА-ЯЁ][\w’'-]*\s){3}[A-ZА-ЯЁ][\w’'-]*(?!\S)")
_MAX_TOOLTIP_WORDS = 16
# A past-tense verb ("поздравил", "обменялись"); not "торговли", whose "л" follows a consonant.
_PAST_VERB = re.compile(r"(?<=\w\w)[аеёиоуыэюя]л(?:[аио]|ся|ась|ись|ось)?$")
_LINK_END = frozenset({",", ".", ";", ":", ")", "]"})


def drop_tooltips(text: str, cues: Cues) -> tuple[str, list[str]]:
    """The text without the person tooltips that a copy of the page leaves in it, and the
    printed names the tooltips followed (they mark where a name is, as a link would).

    kremlin.ru prints "Владимир Колокольцев" as a link whose hidden tooltip reads "Колокольцев
    Владимир Александрович Министр внутренних дел Российской Федерации"; text copied from the
    page runs the two together. The tooltip is the printed name surname-first (declined forms
    such as "Ильхамом Алиевым Алиев Ильхам" included), an optional patronymic, then the post.
    """
    if not _FOUR_NAMES.search(text):
        return text, []
    words = text.split(" ")
    kept: list[str] = []
    names: list[str] = []
    i = 0
    while i < len(words):
        end = _tooltip_end(words, i, cues)
        if end is None:
            kept.append(words[i])
            i += 1
            continue
        kept.extend(words[i : i + 2])
        names.append(" ".join(words[i : i + 2]))
        i = end
        if i < len(words) and words[i] in _LINK_END:
            kept[-1] += words[i]  # "Колокольцев ." : the space was the tooltip's edge
            i += 1
    return " ".join(kept), names


def _tooltip_end(words: Sequence[str], i: int, cues: Cues) -> int | None:
    """Where the tooltip after the name at ``words[i:i+2]`` ends, or None if there is none."""
    if not _doubled(words, i):
        return None
    j = i + 4
    if j < len(words) and strip_word(words[j]).endswith(cues.patronymic_endings):
        j += 1
    last_capital = j
    for k in range(j, min(j + _MAX_TOOLTIP_WORDS, len(words))):
        word = words[k]
        if _doubled(words, k):
            break  # the next name and its tooltip: where this one ends is not known
        if word in _LINK_END:  # the link ends, then the sentence goes on
            return k
        if word in cues.conjunctions and k + 1 < len(words):
            nxt = strip_word(words[k + 1]).lower()
            if not (cues.genitive_endings and nxt.endswith(cues.genitive_endings)):
                return k  # "... Министр обороны и военнослужащие": a second subject
        bare = strip_word(word)
        if bare.islower() and (
            _PAST_VERB.search(bare) or (len(bare) > 4 and bare in cues.starters)
        ):
            return last_capital  # "Премьер-министр Индии поздравил", "... также примет"
        if word.endswith((".", "!", "?", ")", "]")):
            break  # the sentence ended inside the post or after it: no telling where
        if capitalised(word):
            last_capital = k + 1
    return j  # no end in sight: take out the repeated name only


def _doubled(words: Sequence[str], i: int) -> bool:
    """Does a name at ``words[i:i+2]`` repeat surname-first right after itself?"""
    return (
        i + 3 < len(words)
        and all(capitalised(w) for w in words[i : i + 4])
        and _same_stem(words[i + 1], words[i + 2])
        and _same_stem(words[i], words[i + 3])
    )


def _same_stem(printed: str, listed: str) -> bool:
    """Is ``listed`` (nominative) the word ``printed`` in some case ("Сергеем" / "Сергей")?"""
    a, b = strip_word(printed).lower(), strip_word(listed).lower()
    if a == b:
        return True
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return common >= 3 and common >= len(b) - 1
