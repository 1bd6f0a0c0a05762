"""People listed in prose as taking part: "Taking part in the meeting were Prime Minister ...".

A paragraph is read sentence by sentence. A sentence is a participant list when it matches one of
the list phrasings of ``data/labels.toml`` (``[LANG.participants]``): the list either follows
the phrase ("The meeting was attended by LIST", "...attended the meeting: LIST") or precedes it
("LIST also took part in the meeting"); each pattern marks it as its group ``list``. The list
is then cut into items, each read with :func:`~stenogram.parse.labels.person_of`.

Where items end is the hard part, because roles have commas and "and" inside them ("Deputy Chief
of Staff of the Presidential Executive Office, Presidential Press Secretary Dmitry Peskov",
"Minister of Industry and Trade Denis Manturov"). In HTML every person is a link, and an item ends
right after its link. In plain text an item ends at a comma or "and" only where the words before it
end in a full name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from ..model import Participant
from .common import load_data, normalize_space
from .labels import is_full_name, person_of

# Sentence ends: a full stop not after an initial ("V.") or a listed abbreviation ("St.").
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“«(]?[^\W\d_])")
_INITIAL_END = re.compile(r"(?:^|\s)(?:[^\W\d_]\.)+$")
# ", and representatives of ministries": words closing a list that are not one of its people.
_LIST_TAIL = re.compile(r",\s+(?:and|as well as|и|а также)\s+(?P<rest>[^\W\d_].*)$")


@dataclass(frozen=True, slots=True)
class _Phrases:
    patterns: tuple[re.Pattern[str], ...]
    triggers: re.Pattern[str]
    separators: re.Pattern[str]
    leading: re.Pattern[str]
    abbreviations: frozenset[str]


@cache
def _phrases(language: str) -> _Phrases:
    tables = load_data("labels.toml")
    language_table = tables.get(language) or tables["en"]
    table = language_table["participants"]

    return _Phrases(
        patterns=tuple(re.compile(p, re.IGNORECASE) for p in table["patterns"]),
        triggers=re.compile(table["triggers"], re.IGNORECASE),
        separators=re.compile(table["separators"]),
        leading=re.compile(table["leading"], re.IGNORECASE),
        abbreviations=frozenset(a.lower() for a in language_table.get("abbreviations", ())),
    )


def _sentences(text: str, phrases: _Phrases) -> Iterator[str]:
    start = 0
    for m in _SENTENCE_END.finditer(text):
        before = text[start : m.start()]
        last = before.rsplit(" ", 1)[-1].lower()
        if _INITIAL_END.search(before) or last in phrases.abbreviations:
            continue
        yield before
        start = m.end()
    yield text[start:]


def _list_text(sentence: str, phrases: _Phrases) -> str | None:
    """The part of ``sentence`` that lists people, or None if it is not a participant list."""
    for pattern in phrases.patterns:
        m = pattern.search(sentence)
        if m:
            return m.group("list")
    return None


def _has_full_name(text: str, language: str) -> bool:
    _, name = person_of(text, language)
    return name is not None and (len(name.split()) >= 2 or "." in name)


def _split_items(text: str, language: str, phrases: _Phrases) -> tuple[list[str], str]:
    """Items of a plain-text list, and the trailing words that did not end in a name."""
    items: list[str] = []
    pending = ""
    position = 0
    for m in [*phrases.separators.finditer(text), None]:
        end = m.start() if m else len(text)
        chunk = text[position:end]
        pending += chunk
        if _has_full_name(pending, language):
            items.append(pending)
            pending = ""
        elif m:
            pending += m.group(0)
        if m:
            position = m.end()
    return items, pending


def _participant(item: str, language: str, person_id: str | None = None) -> Participant | None:
    item = _clean_item(item)
    role, name = person_of(item, language)
    if not name:
        return None
    return Participant(name=name, role=role, person_id=person_id)


def _clean_item(item: str) -> str:
    return item.strip(" ,;:.–—-")


def _from_links(
    text: str, language: str, links: Sequence[tuple[str, str | None]], phrases: _Phrases
) -> list[Participant]:
    found: list[Participant] = []
    position = 0
    for link_text, person_id in links:
        name = normalize_space(link_text)
        at = text.find(name, position) if name else -1
        if at < 0:
            continue
        before = phrases.leading.sub("", _clean_item(text[position:at]))
        # Unlinked people printed before this link, then this link's own role.
        items, role = _split_items(before, language, phrases) if before else ([], "")
        found.extend(p for p in (_participant(i, language) for i in items) if p)
        role = phrases.leading.sub("", _clean_item(role))
        found.append(Participant(name=name, role=role or None, person_id=person_id))
        position = at + len(name)
    rest = phrases.leading.sub("", _clean_item(text[position:]))
    if rest:
        items, _ = _split_items(rest, language, phrases)
        found.extend(p for p in (_participant(i, language) for i in items) if p)
    return found


def _from_text(text: str, language: str, phrases: _Phrases) -> list[Participant]:
    items, _ = _split_items(text, language, phrases)
    people = [_participant(phrases.leading.sub("", _clean_item(i)), language) for i in items]
    return [p for p in people if p]


def _name_first_items(
    text: str, language: str, links: Sequence[tuple[str, str | None]], phrases: _Phrases
) -> list[Participant] | None:
    """ "Mikhail Kasyanov, first deputy prime minister; Alexander Voloshin, chief of staff; ...":
    when semicolons part the items and each opens with a name, the role follows the name.

    Read as role-first, each role would go to the next person; and a role with words the
    vocabulary does not know ("Centre of Physical-Chemical Medicine") could pass for a name.
    None when the list is not of this shape.
    """
    if "; " not in text:
        return None
    found: list[Participant] = []
    items = text.split("; ")
    for n, item in enumerate(items, 1):
        item = phrases.leading.sub("", _clean_item(item))
        name, sep, role = item.partition(", ")
        if not sep or not is_full_name(name, language):
            return None
        # "German Gref, head of the Centre, and representatives of ministries": the list's own
        # last words ("and others") name nobody and are no part of the role.
        tail = _LIST_TAIL.search(role) if n == len(items) else None
        if tail and not _has_full_name(tail.group("rest"), language):
            role = role[: tail.start()]
        person_id = next((i for t, i in links if normalize_space(t) == name), None)
        found.append(Participant(name, _clean_item(role) or None, person_id))
    return found


def participants_from_prose(
    text: str, language: str, links: Sequence[tuple[str, str | None]] = ()
) -> tuple[Participant, ...]:
    """People listed in a prose paragraph ('Taking part in the meeting were…', 'The following
    Russian officials attended the meeting: …', 'Also participated in the summit …', Russian
    'В заседании приняли участие…', 'В переговорах приняли участие…').

    `links` = (link text, publisher person id) of the person links inside the paragraph, in
    order, when the source is HTML: a link marks where a name is (and gives its id). Returns ()
    when the paragraph is not such a list.
    """
    phrases = _phrases(language)
    if not phrases.triggers.search(text):
        return ()
    found: list[Participant] = []
    for sentence in _sentences(normalize_space(text), phrases):
        if not phrases.triggers.search(sentence):
            continue
        listed = _list_text(sentence.rstrip(" ."), phrases)
        if listed is None:
            continue
        listed = phrases.leading.sub("", _clean_item(listed))
        described = _name_first_items(listed, language, links, phrases)
        if described is not None:
            people = described
        elif links:
            people = _from_links(listed, language, links, phrases)
        else:
            people = _from_text(listed, language, phrases)
        found.extend(people)
    return tuple(found)
