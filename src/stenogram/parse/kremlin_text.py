"""kremlin.ru / en.kremlin.ru "text version": the page as plain text, with or without line breaks.

Two shapes of the same text reach us. Copied by hand, it keeps one line per block: category,
title, lede, date, time, place, body paragraphs, then footer headings each followed by its values.
Scrapers save it with every line break collapsed into a space; then the edges of the blocks must be
found again from the words: a printed date ends the lede, a footer label starts a tag group, an
initial glued to a surname before a colon ("В.Путин :") starts a turn. Both shapes end in one list
of body paragraphs, which a single reader turns into speeches, narrative, photos and participants.

kremlin.ru hides a tooltip inside each person link (surname first, patronymic, post); plain text
copies it after the printed name ("Р.Кадыров Кадыров Рамзан Ахматович глава ... :"). It is not
part of the label, so it is cut from the attribution and used only to fill the speaker's role.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..errors import ParseError
from ..model import Document, Narrative, Participant, Photo, Speech, Tag, Tags
from .common import decode, moscow_datetime, normalize_space, parse_date, parse_time
from .kremlin_words import (
    Cues,
    capitalised,
    common_words,
    cues_for,
    drop_tooltips,
    is_adjective,
    oblique,
    quote_depths,
    split_tags,
    starts_sentence,
    strip_word,
)
from .labels import first_last, is_nonperson, is_turn_label, split_label
from .participants import participants_from_prose

NAME = "kremlin-text"

_OMISSION = re.compile(r"^<\s*(?:…|\.\.\.)\s*>$")
_OMISSION_ANY = re.compile(r"<\s*(?:…|\.\.\.)\s*>")
_SEPARATOR = re.compile(r"^\*\s*\*\s*\*$")
_SEPARATOR_ANY = re.compile(r"\*\s\*\s\*")
_TIME_LINE = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
_TIME_AT = re.compile(r"\s*\b([01]?\d|2[0-3]):([0-5]\d)\b")
_SHORT_LINK = re.compile(r"kremlin\.ru/d/(\d+)")
_DATES = {
    "ru": re.compile(r"\b\d{1,2}\s+[а-яё]+\s+\d{4}(?:\s+года)?", re.I),
    "en": re.compile(r"\b[A-Z][a-z]+\s+\d{1,2},\s*\d{4}"),
}
# "В.Путин", "В.В.Путин", "В. Путин": initials glued to a surname, the form kremlin.ru prints in
# turn labels. A leaked tooltip starts by repeating the surname (group "surname").
_INITIAL_LABEL = re.compile(
    r"(?<![\w.])(?P<label>(?:[A-ZА-ЯЁ]\.\s?){1,2}(?P<surname>[A-ZА-ЯЁ][\w’'-]+))"
    r"(?:\s+(?P<tooltip>(?P=surname)\b[^:.!?«»<>]{0,200}?))?\s?:\s+(?=[^\s«a-zа-яё])"
)
# A candidate label for the other forms ("Реплика:", "Патриарх Кирилл :"): after a sentence end.
_OTHER_LABEL = re.compile(
    r"(?:^|(?<=[.!?…»)\]]\s))(?P<label>[A-ZА-ЯЁ][^:.!?,;«»<>]{0,80}?)\s?:\s+(?=[^\s«a-zа-яё])"
)
_SENTENCE_PUNCT = re.compile(r"[.!?:;]\s")
_PHOTO_COUNTER = {"en": "of", "ru": "из"}
_QUOTES_OPEN = "«(“„"
_QUOTES_CLOSE = "»)”“"
_WORD_EDGE = "\"'«»“”„()[],;:."


@dataclass(slots=True)
class _Page:
    """What the shape-specific readers find, before the shared body reader runs."""

    category: str | None = None
    title: str = ""
    summary: str | None = None
    date: dt.date | None = None
    time: dt.time | None = None
    place: str | None = None
    body: list[tuple[str | None, str]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    tags: dict[str, list[str]] = field(default_factory=dict)
    status: str = ""
    warnings: list[str] = field(default_factory=list)


# --- detection --------------------------------------------------------------------------------


def _language(text: str) -> str:
    sample = text[:4000]
    cyrillic = sum("а" <= ch.lower() <= "я" or ch in "ёЁ" for ch in sample)
    latin = sum("a" <= ch.lower() <= "z" for ch in sample)
    return "ru" if cyrillic > latin else "en"


def _looks_like_html(text: str) -> bool:
    head = text[:2000].lstrip().lower()
    return head.startswith("<") and ("<html" in head or "<!doctype" in head or "<body" in head)


def sniff(data: bytes, name: str | None = None) -> float:
    """High for a text version: its category line, its footer labels, its short link."""
    # Every HTML page is sniffed here too: refuse markup from the raw bytes, before the costly
    # decoding of the whole document.
    head = data[:5000]
    if b"</" in head or _looks_like_html(head[:2000].decode("utf-8", "ignore")):
        return 0.05
    try:
        text = decode(data, name)
    except ParseError:
        return 0.0
    if _looks_like_html(text) or "</" in text[:5000]:
        return 0.05
    cues = cues_for(_language(text))
    score = 0.0
    start = text.lstrip()[:60]
    if any(start.startswith(c) for c in cues.categories):
        score += 0.35
    tail = text[-4000:].lower()
    if any(label.lower() in tail for label in cues.labels("status") + cues.labels("published")):
        score += 0.35
    if any(label.lower() in tail for label in cues.labels("text_version")):
        score += 0.15
    if _SHORT_LINK.search(text[-4000:]):
        score += 0.3
    return min(score, 0.95)


# --- the shape with line breaks ---------------------------------------------------------------


def _rejoin(lines: list[str], language: str) -> tuple[list[str], list[str]]:
    """Undo the break after each link ("... Alexander Lukashenko" / ", President of ...").

    The text before each such break ends in a linked name: those are returned as links.
    """
    joined: list[str] = []
    links: list[str] = []
    for line in lines:
        if joined and line[:1] in ",.;:)" and not _OMISSION.match(line):
            _, name = split_label(re.split(r",\s|;\s|:\s| and ", joined[-1])[-1], language)
            if name:
                links.append(name)
            joined[-1] = joined[-1] + line
        else:
            joined.append(line)
    return joined, links


def _footer_start(lines: list[str], cues: Cues) -> int:
    headings = {x.lower() for k in ("geography", "topics", "persons") for x in cues.labels(k)}
    status = {x.lower() for x in cues.labels("status")}
    start = len(lines)
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].lower() in status:
            start = i
            break
    else:
        return start
    for i in range(start - 1, -1, -1):
        line = lines[i]
        if line.lower() in headings:
            start = i
        elif len(line) > 120 or _SENTENCE_PUNCT.search(line + " ") or _OMISSION.match(line):
            break
    return start


def _read_lines(lines: list[str], cues: Cues) -> _Page:
    page = _Page()
    lines, page.links = _rejoin(lines, cues.language)
    foot = _footer_start(lines, cues)
    kinds = {x.lower(): k for k in ("geography", "topics", "persons") for x in cues.labels(k)}
    status = {x.lower() for x in cues.labels("status")}
    kind: str | None = None
    for line in lines[foot:]:
        if line.lower() in kinds:
            kind = kinds[line.lower()]
            page.tags[kind] = []
        elif line.lower() in status or kind == "status":
            kind = "status"
            page.status += " " + line
        elif kind:
            page.tags[kind].append(line)
    head = lines[:foot]
    if head and head[0] in cues.categories:
        page.category = head.pop(0)
    if not head:
        raise ParseError("no title before the footer")
    page.title = head[0]
    at = 1
    dated = next((i for i in range(1, min(len(head), 12)) if _date_line(head[i], cues)), None)
    if dated is not None:
        page.summary = " ".join(head[1:dated]) or None
        page.date = _date_line(head[dated], cues) or None
        if _announced(head[dated], cues):
            page.date = None
        at = dated + 1
        if at < len(head) and _TIME_LINE.match(head[at]):
            page.time = parse_time(head[at])
            at += 1
        if at < len(head) and _place_line(head, at, cues):
            page.place = head[at]
            at += 1
    else:
        page.warnings.append("no date line under the title")
    for line in head[at:]:
        label, text = _line_label(line, cues.language)
        page.body.append((label, text))
    return page


def _date_line(line: str, cues: Cues) -> dt.date | None:
    match = _DATES[cues.language].search(line)
    if not match or len(line) > len(match.group(0)) + 25:
        return None
    return parse_date(match.group(0), cues.language)


def _announced(line: str, cues: Cues) -> bool:
    return any(line.lower().startswith(a.lower()) for a in cues.announcement)


def _place_line(head: list[str], at: int, cues: Cues) -> bool:
    """Is the line under the date and time the place ("The Kremlin, Moscow", "Vladimir")?

    A place is names, comma-separated: a line of capitalised words is one even when its first
    word could open a sentence ("The Peace Palace, The Hague", "President Hotel, Moscow").
    """
    line = head[at]
    if (
        len(line) > 80
        or line.endswith((".", "!", "?", ":", ",", ";"))
        or ":" in line
        or _photo_counter(line, cues)
        or _SEPARATOR.match(line)
    ):
        return False
    words = line.split()
    return _named_place(words, cues) or not starts_sentence(words, 0, cues)


def _named_place(words: Sequence[str], cues: Cues) -> bool:
    """Every word a capitalised name or a word that joins names ("of", "on", "de"), and the
    first no preposition ("At the World Economic Forum" says where, but is a heading)."""
    return strip_word(words[0]).lower() not in cues.prepositions and all(
        capitalised(word) or strip_word(word).lower() in cues.place_joins or word in "–-"
        for word in words
    )


def _line_label(line: str, language: str) -> tuple[str | None, str]:
    candidate, sep, rest = line.partition(":")
    if sep and rest.startswith(" ") and candidate and is_turn_label(candidate, language):
        return normalize_space(candidate), rest.strip()
    return None, line


def _photo_counter(line: str, cues: Cues) -> tuple[int, int] | None:
    word = _PHOTO_COUNTER[cues.language]
    m = re.fullmatch(rf"(\d+)\s+{word}\s+(\d+)", line)
    return (int(m.group(1)), int(m.group(2))) if m else None


# --- the shape without line breaks ------------------------------------------------------------


def _read_flat(text: str, cues: Cues) -> _Page:
    page = _Page()
    body_end = _flat_footer(text, page, cues)
    pos = 0
    for category in cues.categories:
        if text.startswith(category + " "):
            page.category, pos = category, len(category) + 1
    date = _flat_date(text, pos, cues)
    if date is None:
        page.warnings.append("no date under the title")
        page.title = text[pos:body_end][:300].strip()
        return page
    start, end, value = date
    page.date = value
    page.title, page.summary = _split_title(text[pos:start].strip(), text, cues, page.warnings)
    time = _TIME_AT.match(text, end)
    if time:
        page.time = dt.time(int(time.group(1)), int(time.group(2)))
        end = time.end()
    if value is not None:
        page.place, end = _flat_place(text, end, cues, page.tags.get("geography", []))
    body, page.links = drop_tooltips(text[end:body_end], cues)
    page.body = _flat_body(body, cues)
    return page


def _flat_date(text: str, pos: int, cues: Cues) -> tuple[int, int, dt.date | None] | None:
    """Where the date line is: the first printed date followed by a time (or announced)."""
    window = text[: pos + 2000]
    first: tuple[int, int, dt.date | None] | None = None
    for m in _DATES[cues.language].finditer(window, pos):
        value = parse_date(m.group(0), cues.language)
        if value is None:
            continue
        before = window[: m.start()].rstrip()
        for label in cues.announcement:
            if before.lower().endswith(label.lower()):
                return (
                    m.start() - (len(window[: m.start()]) - len(before)) - len(label),
                    m.end(),
                    None,
                )
        if _TIME_AT.match(window, m.end()):
            return m.start(), m.end(), value
        first = first or (m.start(), m.end(), value)
    return first


def _split_title(head: str, text: str, cues: Cues, warnings: list[str]) -> tuple[str, str | None]:
    """Title and lede run together; the lede is sentences, the title a heading without a stop.

    The lede starts at the first word that can only open a sentence; failing that, at the first
    capitalised word that the page elsewhere prints in lower case (a common word, not a name).
    """
    if not head.endswith((".", "!", "?", "…")):
        return head, None
    words = head.split(" ")
    depths = quote_depths(words)
    lowered = common_words(text)
    # From the third word: a title may itself open with a subject ("Владимир Путин направил").
    for i in range(2, len(words)):
        if depths[i] or _title_goes_on(words, i, cues):
            continue
        if starts_sentence(words, i, cues, lowered) or _opens_lede(words[i], cues, lowered):
            return " ".join(words[:i]), " ".join(words[i:])
    for i in range(1, len(words)):
        word = strip_word(words[i])
        if depths[i] or _title_goes_on(words, i, cues):
            continue
        if capitalised(word) and word.lower() in lowered:
            warnings.append("title and lede told apart by a guess")
            return " ".join(words[:i]), " ".join(words[i:])
    # Inside a title a capitalised word after a lower-case one is a name in an oblique case
    # ("с Президентом", "губернатором Ленинградской"); one in the subject's case opens the lede.
    endings = cues.oblique_endings + cues.genitive_endings
    for i in range(2, len(words)):
        word = strip_word(words[i])
        if depths[i] or _title_goes_on(words, i, cues) or not capitalised(word):
            continue
        if strip_word(words[i - 1]).islower() and not word.lower().endswith(endings):
            warnings.append("title and lede told apart by a guess")
            return " ".join(words[:i]), " ".join(words[i:])
    warnings.append("could not tell the title from the lede")
    return head, None


def _title_goes_on(words: Sequence[str], i: int, cues: Cues) -> bool:
    """Can the title not end before ``words[i]``? Not after a preposition or conjunction
    ("Поздравление российским женщинам с"), nor inside a name the lede prints whole again
    ("... Республики Конго Дени Сассу-Нгессо" / "... с Президентом ... Дени Сассу-Нгессо,")."""
    before = strip_word(words[i - 1])  # printed in lower case: "Ван И" ends in a name
    if before.islower() and before in cues.prepositions | cues.conjunctions | cues.starters:
        return True
    pair = (strip_word(words[i - 1]), strip_word(words[i]))
    return any(
        (strip_word(words[j]), strip_word(words[j + 1])) == pair
        for j in range(i + 1, len(words) - 1)
    )


def _opens_lede(word: str, cues: Cues, common: frozenset[str]) -> bool:
    """A capitalised adjective in the subject's case that the page prints in lower case:
    a sentence's first word ("Генеральный директор ... доложил" after "... генеральным
    директором ... Виталием Мутко"); inside a title such words stand in another case."""
    bare = strip_word(word)
    if not capitalised(bare) or not is_adjective(bare, cues) or oblique(bare, cues):
        return False
    stem = bare.lower()[:-2]  # the same adjective in any case: "генеральн" + "ым"
    return any(stem + ending in common for ending in cues.adjective_endings + cues.oblique_endings)


def _flat_place(
    text: str, pos: int, cues: Cues, geography: Sequence[str]
) -> tuple[str | None, int]:
    """The place line ("Москва, Кремль", "Московская область, Ново-Огарёво"), if printed.

    A first word alone is taken for a place only if the page supports it: a geography tag
    shares its stem, or the text says "в/на <it>" somewhere. The body may open with a name too.
    """
    while pos < len(text) and text[pos] == " ":
        pos += 1
    words = text[pos:].split(" ")
    offsets: list[int] = []
    at = pos
    for word in words:
        at = text.find(word, at) if word else at
        offsets.append(at)
        at += len(word)
    parts: list[str] = []
    i = 0
    while i < len(words) and len(parts) < 4:
        known = _known_place(words, i, cues)
        end = i + known if known else _place_unit(words, i, cues)
        piece = " ".join(words[i:end])
        if not known and not _place_word(words, i, cues):
            break
        first_alone = not parts and not piece.endswith(",")
        if (
            not known
            and first_alone
            and not _place_evidence(piece, text, cues, geography)
            and _name_or_sentence(words, i, cues, common_words(text))
        ):
            break
        parts.append(piece.rstrip(","))
        i = end
        if not piece.endswith(","):
            break
    if not parts:
        return None, pos
    end_at = offsets[i] if i < len(offsets) else len(text)
    return ", ".join(parts), end_at


def _known_place(words: Sequence[str], i: int, cues: Cues) -> int:
    """How many words from ``i`` name a place of the archive's place lines ("Санкт-Петербург",
    "Ново-Огарёво"): those are places even before a name ("Санкт-Петербург Владимир Путин")."""
    for size in range(min(cues.longest_place, len(words) - i), 0, -1):
        if " ".join(words[i : i + size]).rstrip(",") in cues.places:
            return size
    return 0


def _place_word(words: Sequence[str], i: int, cues: Cues) -> bool:
    word = words[i]
    bare = strip_word(word).lower()
    if (
        not capitalised(word)
        or "." in word
        or word.endswith(":")
        or bare in cues.starters
        or bare.endswith(cues.not_place_endings + cues.oblique_endings + cues.reflexive_endings)
    ):
        return False
    nxt = words[i + 1] if i + 1 < len(words) else ""
    return not (nxt.endswith(":") and "." not in nxt)  # "Текст Указа:" is a heading


def _name_or_sentence(words: Sequence[str], i: int, cues: Cues, common: frozenset[str]) -> bool:
    """Could ``words[i]`` open the body ("Владимир Путин ...") rather than be the place line?"""
    if starts_sentence(words, i, cues, common):
        return True
    nxt = strip_word(words[i + 1]) if i + 1 < len(words) else ""
    given = not strip_word(words[i]).lower().endswith(cues.genitive_endings + cues.oblique_endings)
    return bool(nxt) and nxt[0].isupper() and nxt.lower() not in cues.starters and given


def _place_evidence(piece: str, text: str, cues: Cues, geography: Sequence[str]) -> bool:
    bare = strip_word(piece.split()[-1])
    stem = bare[:-1] if len(bare) > 4 and bare[-1].lower() in "аяоеиыйь" else bare
    if any(stem in tag for tag in geography):
        return True
    locative = "|".join(re.escape(w) for w in cues.locative)
    return bool(re.search(rf"(?<!\S)(?i:{locative})\s+{re.escape(stem)}", text))


def _place_unit(words: Sequence[str], i: int, cues: Cues) -> int:
    """End of one place name starting at ``i``: adjectives, then a noun, lower-case words after."""
    j = i
    while j < len(words) and is_adjective(words[j], cues) and not words[j].endswith(","):
        j += 1
    return min(j + 1, len(words))


def _flat_footer(text: str, page: _Page, cues: Cues) -> int:
    """Read the footer groups into ``page``; return where the body ends."""
    status_at = max((text.rfind(x) for x in cues.labels("status")), default=-1)
    if status_at < 0:
        status_at = max((text.rfind(x) for x in cues.labels("published")), default=-1)
    if status_at < 0:
        page.warnings.append("no footer found")
        return len(text)
    page.status = text[status_at:]
    end = status_at
    for kind in ("persons", "topics", "geography"):
        best = -1
        label_len = 0
        for label in cues.labels(kind):
            at = text.rfind(f" {label} ", 0, end + 1)
            if at > best:
                best, label_len = at, len(label) + 2
        if best < 0:
            continue
        value = text[best + label_len : end].strip()
        if _SENTENCE_PUNCT.search(value + " ") or len(value) > 3000:
            continue
        page.tags[kind] = split_tags(value.split(), kind, cues, page.warnings)
        end = best
    return end


def _flat_body(text: str, cues: Cues) -> list[tuple[str | None, str]]:
    """Cut the body at turn labels, omission marks and separators."""
    text = _drop_boxes(text, cues)
    cuts: list[tuple[int, int, str | None]] = []
    for m in _INITIAL_LABEL.finditer(text):
        cuts.append((m.start(), m.end(), normalize_space(m.group(0)).rstrip(":").strip()))
    taken = [(a, b) for a, b, _ in cuts]
    for m in _OTHER_LABEL.finditer(text):
        if any(a <= m.start("label") < b for a, b in taken):
            continue
        candidate = m.group("label").strip()
        if _other_label(candidate, cues.language):
            cuts.append((m.start("label"), m.end(), candidate))
    for pattern in (_OMISSION_ANY, _SEPARATOR_ANY):
        cuts.extend((m.start(), m.end(), None) for m in pattern.finditer(text))
    cuts.sort()
    items: list[tuple[str | None, str]] = []
    position = 0
    label: str | None = None
    for start, end, new_label in cuts:
        if start < position:
            continue
        chunk = text[position:start].strip()
        if chunk:
            items.append((label, chunk))
        elif label:
            items.append((label, ""))
        if new_label is None:
            items.append((None, normalize_space(text[start:end])))
        label = new_label
        position = end
    rest = text[position:].strip()
    if rest or label:
        items.append((label, rest))
    return items


def _other_label(label: str, language: str) -> bool:
    """Stricter than for lines: in run-on text most "Words:" are prose ("Подчеркну:")."""
    if is_nonperson(label, language):
        return True
    if len(re.sub(r"\([^)]*\)", "", label).split()) > 4 or not is_turn_label(label, language):
        return False
    role, name = split_label(label, language)
    return name is not None and (role is not None or len(name.split()) >= 2)


def _drop_boxes(text: str, cues: Cues) -> str:
    """Remove "See also" / "Additionally" boxes: link titles, each ending in its date or size."""
    heads = "|".join(re.escape(x) for x in cues.labels("see_also") + cues.also_box)
    if not heads:
        return text
    date = _DATES[cues.language].pattern.removeprefix(r"\b")
    item = rf"\s+(?:(?:{heads})\s+)?[^!?:<]{{1,320}}?(?:\s{date}|\spdf,\s[\d.,]+\s\w+)"
    box = re.compile(rf"(?:{heads})(?:{item})+(?=\s|$)")

    def cut(m: re.Match[str]) -> str:
        return " "

    text = box.sub(cut, text)
    # A box whose items carry no date runs to the footer: nothing is left after it.
    tail = re.search(rf"(?:{heads})\s+[^.!?:]{{0,300}}$", text)
    return text[: tail.start()] if tail else text


def _read_status(page: _Page, cues: Cues) -> tuple[tuple[str, ...], dt.datetime | None, str | None]:
    """Sections, publication time and the short-link id from the status block."""
    status = normalize_space(page.status)
    keys = [
        (label, key)
        for key in ("sections", "published", "direct_link", "text_version")
        for label in cues.labels(key)
    ]
    found: list[tuple[int, int, str]] = []
    for label, key in keys:
        at = status.find(label)
        if at >= 0 and not any(a <= at < b for a, b, _ in found):
            found.append((at, at + len(label), key))
    found.sort()
    values: dict[str, str] = {}
    for n, (_, end, key) in enumerate(found):
        stop = found[n + 1][0] if n + 1 < len(found) else len(status)
        values[key] = status[end:stop].strip()
    sections = tuple(s.strip() for s in values.get("sections", "").split(",") if s.strip())
    published = None
    if values.get("published"):
        day = parse_date(values["published"], cues.language)
        if day:
            published = moscow_datetime(day, parse_time(values["published"]))
    link = _SHORT_LINK.search(values.get("direct_link", "") or status)
    return sections, published, link.group(1) if link else None


# --- the body ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _Turns:
    speeches: list[Speech] = field(default_factory=list)
    narrative: list[Narrative] = field(default_factory=list)
    photos: list[Photo] = field(default_factory=list)
    omissions: int = 0
    known: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)


def _read_body(items: list[tuple[str | None, str]], cues: Cues) -> _Turns:
    turns = _Turns()
    label: str | None = None
    paragraphs: list[str] = []

    def close() -> None:
        nonlocal label, paragraphs
        if label is not None:
            turns.speeches.append(_speech(label, paragraphs, turns.known, cues))
        label, paragraphs = None, []

    i = 0
    while i < len(items):
        new_label, text = items[i]
        counter = _photo_counter(text, cues) if new_label is None else None
        if counter and i + 1 < len(items):
            turns.photos.append(_photo(counter, items[i + 1][1], cues))
            i += 2
            continue
        if new_label is None and _OMISSION.match(text):
            close()
            turns.omissions += 1
            turns.narrative.append(Narrative(text, len(turns.speeches), "omission"))
        elif new_label is None and _SEPARATOR.match(text):
            close()
            turns.narrative.append(Narrative(text, len(turns.speeches), "separator"))
        elif new_label is not None:
            close()
            label, paragraphs = new_label, [text] if text else []
        elif label is not None:
            paragraphs.append(text)
        elif text in cues.labels("see_also"):
            i = _skip_box(items, i + 1, cues)
            continue
        else:
            turns.narrative.append(Narrative(text, len(turns.speeches)))
        i += 1
    close()
    return turns


def _skip_box(items: list[tuple[str | None, str]], i: int, cues: Cues) -> int:
    """Past the link titles and dates of a "See also" box in the shape with line breaks."""
    while i + 1 < len(items) and _date_line(items[i + 1][1], cues) and items[i][0] is None:
        i += 2
    return i


def _photo(counter: tuple[int, int], caption: str, cues: Cues) -> Photo:
    credit = None
    for label in cues.labels("photo_credit"):
        head, sep, tail = caption.rpartition(f" {label} ")
        if sep:
            caption, credit = head, tail.strip()
            break
    return Photo(caption=caption.strip() or None, credit=credit, position=counter[0], of=counter[1])


def _speech(
    label: str,
    paragraphs: list[str],
    known: dict[str, tuple[str | None, str | None]],
    cues: Cues,
) -> Speech:
    """A turn; a leaked tooltip is cut from the label and kept for the speaker's next turns."""
    language = cues.language
    attribution = label
    tooltip = _INITIAL_LABEL.match(label + ": X")
    if tooltip and tooltip.group("tooltip"):
        full = tooltip.group("tooltip")
        note = re.search(r"\s*\([^()]*\)$", full)
        attribution = tooltip.group("label") + (note.group(0) if note else "")
        full = full[: note.start()] if note else full
        role, _ = split_label(label, language)
        cut = full.find(role) if role else -1
        known[attribution] = (first_last(full[:cut] if cut > 0 else full, language), role)
    if attribution in known:
        speaker, role = known[attribution]
    elif is_nonperson(attribution, language):
        speaker, role = attribution, None
    else:
        role, speaker = split_label(attribution, language)
    return Speech(attribution, speaker, role, tuple(p for p in paragraphs if p))


def _participants(turns: _Turns, links: Sequence[str], language: str) -> tuple[Participant, ...]:
    found: list[Participant] = []
    seen: set[str] = set()
    for part in turns.narrative:
        if part.kind != "narrative":
            continue
        inside = [(name, None) for name in links if name in part.text]
        for person in participants_from_prose(part.text, language, inside):
            if person.name not in seen:
                seen.add(person.name)
                found.append(person)
    return tuple(found)


@dataclass(frozen=True, slots=True)
class Body:
    """A text version's body alone: turns, narrative, prose participants, omission count."""

    speeches: tuple[Speech, ...]
    narrative: tuple[Narrative, ...]
    participants: tuple[Participant, ...]
    omissions: int


def read_body(text: str, language: str) -> Body:
    """The body of a text version that has no header or footer (what an editor writes below
    the title), read exactly as :func:`parse` reads a page's body, one paragraph a line."""
    cues = cues_for(language)
    lines, links = _rejoin(
        [line for line in map(normalize_space, text.splitlines()) if line], language
    )
    turns = _read_body([_line_label(line, language) for line in lines], cues)
    participants = _participants(turns, links, language)
    return Body(tuple(turns.speeches), tuple(turns.narrative), participants, turns.omissions)


# --- entry point ------------------------------------------------------------------------------


def parse(data: bytes, *, origin: str | None = None) -> Document:
    text = decode(data, origin)
    if _looks_like_html(text):
        raise ParseError("this is HTML, not a text version", document=origin)
    language = _language(text)
    cues = cues_for(language)
    lines = [normalize_space(line) for line in text.splitlines()]
    lines = [line for line in lines if line]
    try:
        page = _read_lines(lines, cues) if len(lines) >= 4 else _read_flat(" ".join(lines), cues)
    except ParseError as exc:
        raise ParseError(exc.reason, document=origin) from None
    if not page.title:
        raise ParseError("no title found", document=origin)
    sections, published, source_id = _read_status(page, cues)
    turns = _read_body(page.body, cues)
    url = None
    if source_id:
        template = cues.item_url if page.category in cues.categories else cues.short_url
        url = template.format(id=source_id)
    return Document(
        source=str(cues.site["source"]),
        title=page.title,
        language=language,
        format=NAME,
        source_id=source_id,
        url=url,
        category=page.category,
        summary=page.summary,
        date=page.date,
        time=page.time,
        place=page.place,
        published=published,
        sections=sections,
        tags=Tags(*(_tags(page.tags.get(kind, ())) for kind in ("geography", "topics", "persons"))),
        photos=tuple(turns.photos),
        participants=_participants(turns, page.links, language),
        speeches=tuple(turns.speeches),
        narrative=tuple(turns.narrative),
        omissions=turns.omissions,
        warnings=tuple(page.warnings),
        origin=origin,
    )


def _tags(names: Iterable[str]) -> tuple[Tag, ...]:
    return tuple(Tag(name) for name in names)
