"""Reading speaker labels: where the role ends and the name begins, and what is a label at all.

Press offices print a turn as "President of the Republic of Belarus Alexander Lukashenko: ...":
the role comes first and the name is the run of capitalised words at the end. There is no
separator, so the boundary is found by walking back from the end over words that can be part of
a name and stopping at the first word of the role vocabulary (``data/labels.toml``). The same
reading serves items of prose participant lists ("Defence Minister Sergei Shoigu").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from .common import load_data, normalize_space

# A trailing "(retranslated)", "(in English)", "(как переведено)": a note, not part of the label.
_NOTE = re.compile(r"\s*\([^()]*\)\s*$")
# "V.", "V.V." (initials standing alone) and "В.Путин", "V.V.Putin" (initials glued to a surname).
_INITIALS = re.compile(r"^(?:[^\W\d_]\.)+$")
_GLUED = re.compile(r"^(?:[^\W\d_]\.)+([^\W\d_][\w'’-]*)$")
# "al-Assad", "el-Sisi", "bin-Zayed": a lower-case particle joined to a capitalised name.
_HYPHEN_PARTICLE = re.compile(r"^([^\W\d_]+)[-‑]([^\W\d_])")
_EDGE_PUNCT = "\"'«»“”„‘’()[],;:"
_ROMAN = re.compile(r"^[IVX]{1,5}$")
_MAX_LABEL_CHARS = 220
_MAX_LABEL_WORDS = 32
_MAX_ANONYMOUS_WORDS = 5
_MAX_NAME_WORDS = 3


@dataclass(frozen=True, slots=True)
class _Words:
    nonperson: frozenset[str]
    headings: frozenset[str]
    role: frozenset[str]
    offices: frozenset[str]
    particles: frozenset[str]
    role_function: frozenset[str]
    prose: frozenset[str]
    abbreviations: frozenset[str]
    titles: frozenset[str]
    given_names: frozenset[str]
    prepositions: frozenset[str]
    speech_notes: tuple[str, ...]
    max_free_words: int


@cache
def _words(language: str) -> _Words:
    tables = load_data("labels.toml")
    table = tables.get(language) or tables["en"]

    def words(key: str) -> frozenset[str]:
        return frozenset(str(w).lower() for w in table.get(key, ()))

    return _Words(
        nonperson=words("nonperson"),
        headings=words("headings"),
        role=words("role_words") | words("places"),
        offices=words("role_words"),
        particles=words("particles"),
        role_function=words("role_function_words"),
        prose=words("prose_words"),
        abbreviations=words("abbreviations"),
        titles=words("titles"),
        given_names=words("given_names"),
        prepositions=words("prepositions"),
        speech_notes=tuple(words("speech_notes")),
        max_free_words=int(table.get("max_free_words", 4)),
    )


def _key(token: str) -> str:
    return token.strip(_EDGE_PUNCT).lower()


def _strip_notes(label: str) -> str:
    """The label without trailing parenthesised notes ("(retranslated)")."""
    text = normalize_space(label).rstrip(":").strip()
    while True:
        shorter = _NOTE.sub("", text)
        if shorter == text or not shorter:
            return text
        text = shorter


def _is_capitalised(token: str) -> bool:
    word = token.strip(_EDGE_PUNCT)
    letters = [ch for ch in word if ch.isalpha()]
    if not letters or not letters[0].isupper():
        return False
    # "ATOMMASH", "JSC": acronyms name organisations, not people; "Xi", "U", "II" are fine.
    return bool(_ROMAN.match(word)) or not (len(letters) > 2 and word.isupper())


def _is_name_token(token: str, words: _Words) -> bool:
    word = token.strip(_EDGE_PUNCT)
    if not word or token[0] in "([" or any(ch.isdigit() for ch in word):
        return False  # "(OECD)", "(Rosmorrechflot)": an acronym or a gloss of the role
    if word != token.rstrip(",").strip("()"):
        return False
    if _INITIALS.match(word) or _GLUED.match(word):
        return True
    if "." in word:  # "VEB.RF", "Lenta.ru": organisations, not people
        return False
    hyphen = _HYPHEN_PARTICLE.match(word)
    if hyphen and hyphen.group(1).lower() in words.particles and hyphen.group(2).isupper():
        return True
    key = word.lower()
    return _is_capitalised(word) and key not in words.role and key not in words.role_function


def _particle_inside_name(tokens: list[str], i: int, words: _Words) -> bool:
    """Is ``tokens[i]`` a particle ("von der", "bin") with a given name before it?"""
    j = i
    while j >= 0 and _key(tokens[j]) in words.particles:  # "Kate De Pury" capitalises it
        j -= 1
    return j < i and j >= 0 and _is_name_token(tokens[j], words)


def _name_start(tokens: list[str], words: _Words) -> int:
    """Index of the first token of the name at the end of ``tokens`` (len(tokens) if none)."""
    start = len(tokens)
    i = len(tokens) - 1
    while i >= 0:
        token = tokens[i]
        if i < len(tokens) - 1 and token.endswith((",", ";", ":")):
            break
        if _is_name_token(token, words):
            start = i
        elif not (start < len(tokens) and _particle_inside_name(tokens, i, words)):
            break
        i -= 1
    # "Sberbank CEO German Gref": a given name that is also a place word keeps the surname
    # company; so does any place word that would be a role on its own ("German Gref"): a
    # nationality alone is nobody's office.
    if (
        start == len(tokens) - 1
        and start > 0
        and _is_capitalised(tokens[start - 1])
        and (_key(tokens[start - 1]) in words.given_names or start == 1)
        and _key(tokens[start - 1]) not in words.offices | words.prepositions
    ):
        start -= 1
    # "Director of the State Museum-Preserve Tauric Chersonese Yelena Morozova": a long run
    # holds capitalised words of the role the vocabulary does not know; a given name ends them.
    run = tokens[start:]
    if start > 0 and len(run) > 2 and _key(run[0]) not in words.given_names:
        given = [k for k, t in enumerate(run[:-1]) if _key(t) in words.given_names]
        if given:
            return start + given[0]
    # "Head of Tatarstan Rustam Minnikhanov", "Minister of Emergencies and Disaster Relief Vladimir
    # Puchkov": after a preposition or conjunction the first capitalised words of a long run
    # finish the role (a place or an office the vocabulary does not know). After a role or place
    # word the whole run is the name ("President of Pakistan Asif Ali Zardari").
    # Names of four words without a particle are rare; a longer run after an office word is the
    # end of the role, then the usual given name and surname ("National Figure Skating Team
    # Tatyana Tarasova"); after a country it is a long name ("Yemen Abd Rabbuh Mansour Hadi").
    long_run = (
        len(run) > _MAX_NAME_WORDS
        and start > 0
        and _key(tokens[start - 1]) in words.offices
        and not any(_key(t) in words.particles for t in run)
    )
    if start > 0 and (long_run or _key(tokens[start - 1]) in words.prepositions):
        while len(tokens) - start > 2 and _key(tokens[start + 1]) not in words.particles:
            start += 1
    return start


@dataclass(frozen=True, slots=True)
class _Reading:
    """How a label reads: ``name`` is a person's name, or None when the label names nobody."""

    role: str | None
    name: str | None
    described: bool = False  # "Name, description": the role is free prose, not office words


def _leaked_tooltip(tokens: list[str], words: _Words) -> _Reading | None:
    """ "Р.Кадыров Кадыров Рамзан Ахматович глава Чеченской Республики": text copied from a page
    where the hidden tooltip (surname, given names, post) follows the printed name."""
    glued = _GLUED.match(tokens[0])
    if not glued or len(tokens) < 2 or tokens[1] != glued.group(1):
        return None
    rest = tokens[2:]
    while rest and _is_name_token(rest[0], words):
        rest = rest[1:]
    return _Reading(" ".join(rest) or None, tokens[0], described=True)


def _name_first(text: str, words: _Words) -> _Reading | None:
    """ "Alisa Shmelyova, metrology engineer", "Sergei Mironov, Leader of A Just Russia Faction":
    a name, then a description that does not itself end in a name."""
    head, sep, tail = text.partition(", ")
    if not sep or not tail:
        return None
    head_tokens = head.split()
    start = _name_start(head_tokens, words)
    if len(head_tokens) - start < 2:
        return None
    if not tail[0].islower():
        tail_tokens = tail.split()
        if _name_start(tail_tokens, words) < len(tail_tokens):
            return None
    role = ", ".join(part for part in (" ".join(head_tokens[:start]), tail) if part)
    return _Reading(role, " ".join(head_tokens[start:]), described=True)


def _titled_name(tokens: list[str], words: _Words) -> _Reading | None:
    """ "Patriarch Kirill of Moscow and All Russia", "King Abdullah II of Jordan": a title, a
    given name, then the see or realm."""
    if len(tokens) < 4 or tokens[0].lower() not in words.titles:
        return None
    end = 1
    while end < len(tokens) and _is_name_token(tokens[end], words):
        end += 1
    if end == 1 or end >= len(tokens) or tokens[end] != "of":
        return None
    role = " ".join(tokens[:1] + tokens[end:])
    return _Reading(role, " ".join(tokens[1:end]))


def _read(label: str, language: str) -> _Reading:
    words = _words(language)
    text = _strip_notes(label)
    if not text or _key(text) in words.nonperson or _nonperson_phrase(text, words):
        return _Reading(None, None)
    tokens = text.split()
    if len(tokens) > 1 and text.isupper() and text.title() != text:
        # "GOVERNOR OF CALIFORNIA ARNOLD SCHWARZENEGGER": read the capitals as title case.
        reading = _read(text.title(), language)
        return _Reading(
            reading.role and text[: len(reading.role)],
            reading.name and text[len(text) - len(reading.name) :],
            reading.described,
        )
    special = (
        _leaked_tooltip(tokens, words) or _titled_name(tokens, words) or _name_first(text, words)
    )
    if special:
        return special
    start = _name_start(tokens, words)
    if start == len(tokens):
        return _Reading(text, None)
    return _Reading(" ".join(tokens[:start]).rstrip(" ,") or None, " ".join(tokens[start:]))


def _nonperson_phrase(text: str, words: _Words) -> bool:
    """ "Question from Perm Territory", "Response from the hall": a non-person word qualified."""
    first, _, rest = text.partition(" ")
    return bool(rest) and first.lower() in words.nonperson and _key(rest.split()[0]) == "from"


def split_label(label: str, language: str) -> tuple[str | None, str | None]:
    """(role, name) of a speaker label or a participant item; language 'en' or 'ru'.

    A label that names nobody ("Question", "Question from Perm Territory", "Call centre
    operator") is its own name, with no role, so that a speech always has someone to show.
    """
    text = _strip_notes(label)
    reading = _read(text, language)
    if reading.name is None:
        return (None, text or None)
    return reading.role, reading.name


def split_by_names(label: str, names: Iterable[str]) -> tuple[str | None, str] | None:
    """(role, name) when the label ends in a name the page itself prints as a name: a person
    link, a person tag, the short label of the same speaker's later turns. The page then says
    where the name begins, which no word list can ("CEO of French Energy Company Total
    Patrick Pouyanne" beside "Patrick Pouyanne:"). The longest such name wins."""
    text = _strip_notes(label)
    found = ""
    for name in names:
        if len(name) > len(found) and len(name.split()) >= 2 and text.endswith(name):
            cut = len(text) - len(name)
            if cut == 0 or text[cut - 1] == " ":
                found = name
    if not found:
        return None
    return text[: len(text) - len(found)].rstrip(" ,") or None, found


def person_of(text: str, language: str) -> tuple[str | None, str | None]:
    """(role, name) where ``name`` is a person's name, or None when ``text`` names nobody."""
    reading = _read(text, language)
    return reading.role, reading.name


def is_full_name(text: str, language: str) -> bool:
    """Is ``text`` a person's full name and nothing else ("German Gref", "Ursula von der Leyen")?

    For text already known to open with a name ("NAME, role; NAME, role"), so a word that is
    also a place ("German", "Jordan") does not count against it; an office word does.
    """
    words = _words(language)
    tokens = text.split()
    if not 2 <= len(tokens) <= _MAX_ANONYMOUS_WORDS or tokens[0] in words.particles:
        return False
    return all(
        token in words.particles
        or (
            _is_capitalised(token)
            and token.strip(_EDGE_PUNCT) == token
            and _key(token) not in words.offices
            and not any(ch.isdigit() for ch in token)
        )
        for token in tokens
    )


def is_given_name(word: str, language: str) -> bool:
    """Is ``word`` a known given name? It makes "Madonna King" a person, not a king."""
    return _key(word) in _words(language).given_names


def first_last(name: str, language: str) -> str:
    """Surname-first tag/tooltip forms to first-last.

    'Lukashenko Alexander' -> 'Alexander Lukashenko', 'Лукашенко Александр Григорьевич' ->
    'Александр Григорьевич Лукашенко'. Tags and tooltips print the surname first so that lists
    sort by it; records use the order in which the name is spoken.
    """
    text = normalize_space(name)
    if "," in text:
        surname, _, given = text.partition(",")
        return normalize_space(f"{given} {surname}")
    tokens = text.split()
    if len(tokens) < 2:
        return text
    words = _words(language)
    # "von der Leyen Ursula": leading particles travel with the surname they precede.
    cut = 0
    while cut < len(tokens) - 1 and tokens[cut].lower() in words.particles:
        cut += 1
    cut += 1
    if cut >= len(tokens):
        return text
    return " ".join(tokens[cut:] + tokens[:cut])


def is_nonperson(label: str, language: str) -> bool:
    """'Question', 'Remark', 'Reply', 'Journalist', 'Вопрос', 'Реплика', 'Голос из зала' ..."""
    return _key(_strip_notes(label)) in _words(language).nonperson


def is_turn_label(candidate: str, language: str) -> bool:
    """Is the text before a colon a speaker label (a turn starts) rather than prose?

    Used on every "text:" a transcript has, so it errs towards prose: a label is short, has no
    sentence punctuation, no pronoun or verb of the prose vocabulary, and either names nobody in
    a known way ("Question") or ends in a name after a role made of office words.
    """
    text = _strip_notes(candidate)
    if not text or len(text) > _MAX_LABEL_CHARS:
        return False
    words = _words(language)
    if _key(text) in words.nonperson or _nonperson_phrase(text, words):
        return True
    tokens = text.split()
    if len(tokens) > _MAX_LABEL_WORDS:
        return False
    if not (_starts_upper(tokens[0]) or _key(tokens[0]) in words.role):
        return False
    if any(t.endswith((".", "!", "?", ";", "…")) for t in tokens if not _abbreviation(t, words)):
        return False
    if "I" in tokens or any(_key(t) in words.prose and not _starts_upper(t) for t in tokens):
        return False
    if _key(tokens[0]) in words.headings:
        return False  # "Текст Указа", "Справка": a document's part, which nobody speaks
    reading = _read(text, language)
    if reading.name is None:
        # "Call centre operator", "Volunteer": an unnamed person described by a short role.
        if len(tokens) <= _MAX_ANONYMOUS_WORDS and _key(tokens[-1]) in words.role:
            return True
        # A translation note is said of speech only: a nameless role before it is a label.
        return _has_speech_note(candidate, words) and _free_words(text, words) <= 1
    if reading.described:
        return True
    # Roles are mostly capitalised office words; a run of ordinary lower-case words is prose.
    return _free_words(reading.role or "", words) <= words.max_free_words


def _free_words(text: str, words: _Words) -> int:
    """How many ordinary lower-case words (neither office nor function words) ``text`` has."""
    return sum(
        1
        for t in text.split()
        if not _starts_upper(t) and _key(t) not in words.role | words.role_function
    )


def has_speech_note(label: str, language: str) -> bool:
    """Does the label carry a note on how the words were rendered ("(retranslated)")?"""
    return _has_speech_note(label, _words(language))


def _has_speech_note(label: str, words: _Words) -> bool:
    """ "(retranslated)", "(in English)": a parenthesised note on how the words were rendered."""
    notes = " ".join(re.findall(r"\(([^()]*)\)", label)).lower()
    return any(note in notes for note in words.speech_notes)


def _starts_upper(token: str) -> bool:
    letters = [ch for ch in token if ch.isalpha()]
    return bool(letters) and letters[0].isupper()


def _abbreviation(token: str, words: _Words) -> bool:
    """Initials ("V.", "В.Путин") and listed abbreviations ("St.") are not sentence ends."""
    return (
        bool(_INITIALS.match(token) or _GLUED.match(token)) or token.lower() in words.abbreviations
    )
