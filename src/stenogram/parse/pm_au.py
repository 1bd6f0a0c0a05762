"""Australian Prime Ministers' transcripts (pmtranscripts.pmc.gov.au): one XML file per item.

The flat fields (id, title, prime minister, release date and type, subjects) are plain XML; the
text is HTML inside CDATA, and comes in two shapes. Recent items keep one ``<p>`` per paragraph
with the label at its start ("PRIME MINISTER:", often in ``<strong>``). Items scanned from
paper (up to the late 1990s) are OCR text: one ``<p>`` per printed page and one ``<br>`` per
printed line, with page numbers between pages; there paragraphs are rebuilt from the lines.

Labels are typed by hand and vary ("PM:", "PRIME MINSTER:", "JOURNALIST;", "JRNLST:", "NEIL
MITCHELL:" then "MITCHELL:"), so they are matched loosely (edit distance) against the known
labels and against the other labels of the same transcript. "PRIME MINISTER" is resolved to
the person named in ``<prime-minister>`` because the record is about who spoke, and the label
alone does not say it. A speech printed without labels is one turn by the Prime Minister: the
site publishes it as the PM's words, and readers search it as such.
"""

from __future__ import annotations

import datetime as dt
import re
import string
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from html import unescape
from typing import NamedTuple

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..errors import ParseError
from ..model import Document, Narrative, Speech, Tag, Tags
from .common import decode, leaf_blocks, load_data, normalize_space, plain_paragraphs
from .labels import first_last, is_given_name, is_nonperson, person_of

NAME = "pm-au"
SOURCE = "pmtranscripts.pmc.gov.au"
_URL = "https://pmtranscripts.pmc.gov.au/release/transcript-{}"
_FIELDS = ("transcript-id", "title", "prime-minister", "release-date", "release-type", "subjects")
_BLOCKS = "p, li, h1, h2, h3, h4, h5, h6, td, th, blockquote, pre, div"
_BOLD = frozenset({"strong", "b"})
_ASCII_LETTERS = frozenset(string.ascii_letters)

# The separator after a label: "JOURNALIST: text", "PM; text", "Q. text" (see _candidate).
# Written to open with a character set, which lets the regex engine skip to the next candidate.
_LABEL_END = re.compile(r"[:;.](?:(?<=:)|[^\w\s]?(?:\s+|$))\s*")
_NOTE = re.compile(r"\s*\([^()]*\)")
_TRAILING_DIGITS = re.compile(r"\s*\d+$")
# Page furniture of scanned items: "-2-", "/ 4.", "3-", "itPM\" 1 -2-".
_PAGE_NUMBER = re.compile(r"^[\W\d_]{0,6}$")
_PAGE_DASHED = re.compile(r"-\s*\d{1,3}\s*-")
_PAGE_TAIL = re.compile(r"\s+/\s*\d{1,3}\s*\.?$")
_SENTENCE_END = tuple(".!?:\"'”’)]")  # for str.endswith: a regex for it scanned whole lines
_OMISSION = re.compile(r"\[\s*(?:…|\.\.\.)\s*\]|<\s*(?:…|\.\.\.)\s*>")
_CAP_AFTER = re.compile(r"(^|[-'’])([a-z])(?=[a-z]{2})")
_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")
_SUBJECT_WIDE = re.compile(r",\s{2,}")
_YEAR = re.compile(r"\b(?:18|19|20)\d\d\b")
_PUNCT = re.compile(r"[^\w\s]")

# Known labels by (first letter, length), each with its set of letters: a typo keeps the first
# letter and a length within the tolerance, and each edit changes the set of letters by at most
# two, so only a few words are worth an edit distance.
_Index = dict[tuple[str, int], tuple[tuple[str, frozenset[str]], ...]]


@dataclass(frozen=True, slots=True)
class _Tables:
    pm_forms: frozenset[str]
    pm_role: str
    honorifics: frozenset[str]
    postnominals: frozenset[str]
    nonperson: frozenset[str]
    aliases: dict[str, str]
    role_heads: frozenset[str]
    small_words: frozenset[str]
    not_labels: frozenset[str]
    end_marks: frozenset[str]
    header_phrases: tuple[str, ...]
    spoken_types: frozenset[str]
    prose: frozenset[str]
    pm_by_length: tuple[str, ...]  # longest first, so "the prime minister" wins over "pm"
    nonperson_keys: frozenset[str]  # non-person labels and the short forms of aliases
    near_index: dict[str, _Index]  # "pm" / "nonperson" -> candidates for a fuzzy match
    near_reach: dict[str, frozenset[tuple[str, int]]]  # (first letter, length) a typo may have
    end_head: re.Pattern[str]  # text that may be an end mark: it opens with a mark's first word
    not_end_initials: frozenset[str]  # ASCII letters that open no end mark, in either case


@cache
def _tables() -> _Tables:
    data = load_data("pm_au.toml")
    shared = load_data("labels.toml")["en"]

    def low(values: Iterable[object]) -> frozenset[str]:
        return frozenset(str(v).lower() for v in values)

    def index(words: frozenset[str]) -> _Index:
        groups: dict[tuple[str, int], list[tuple[str, frozenset[str]]]] = {}
        for word in sorted(words):
            groups.setdefault((word[:1], len(word)), []).append((word, frozenset(word)))
        return {k: tuple(v) for k, v in groups.items()}

    pm_forms = low(data["prime_minister"])
    aliases = {str(k).lower(): str(v) for k, v in data["aliases"].items()}
    nonperson = low(data["nonperson"]) | low(shared["nonperson"])
    nonperson_keys = nonperson | aliases.keys()
    end_marks = low(data["text"]["end_marks"])
    # Only a prefilter for _is_end (which decides exactly): re.I accepts at least what lower() does.
    heads = "|".join(sorted({re.escape(m.split()[0]) for m in end_marks if m.split()}))
    near_index = {"pm": index(pm_forms), "nonperson": index(nonperson_keys)}
    # A line opening with a letter opens end_head with it: it must be a mark's first letter.
    first = "|".join({re.escape(m.split()[0][0]) for m in end_marks if m.split()}) or "(?!)"
    return _Tables(
        pm_forms=pm_forms,
        pm_role=str(data["prime_minister_role"]),
        honorifics=low(data["honorifics"]),
        postnominals=low(data["postnominals"]),
        nonperson=nonperson,
        aliases=aliases,
        role_heads=low(data["roles"]["heads"]),
        small_words=low(data["roles"]["small_words"]),
        not_labels=low(data["text"]["not_labels"]),
        end_marks=end_marks,
        header_phrases=tuple(str(v).lower() for v in data["text"]["header_phrases"]),
        spoken_types=low(data["text"]["spoken_types"]),
        prose=low(shared["prose_words"]),
        pm_by_length=tuple(sorted(pm_forms, key=lambda f: (-len(f), f))),
        nonperson_keys=nonperson_keys,
        near_index=near_index,
        near_reach={  # within 3, the largest tolerance (_tolerance)
            table: frozenset((letter, size + d) for letter, size in index for d in range(-3, 4))
            for table, index in near_index.items()
        },
        end_head=re.compile(rf"\W*(?:{heads or '(?!)'})(?!\w)", re.I),
        not_end_initials=frozenset(c for c in string.ascii_letters if not re.match(first, c, re.I)),
    )


def sniff(data: bytes, name: str | None = None) -> float:
    head = data[:4096]
    if b"<transcript-id>" in head or (b"<transcripts>" in head and b"<?xml" in head[:100]):
        return 0.95
    return 0.0


# --- the XML fields ------------------------------------------------------------------------------


def _fields(data: bytes, origin: str | None) -> tuple[dict[str, str], str]:
    """The flat fields and the content HTML; regex recovery when the XML is not well formed."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        return _fields_leniently(decode(data, origin), origin, str(exc))
    item = root if root.tag == "transcript" else root.find("transcript")
    if item is None:
        raise ParseError("the file holds no <transcript> element", document=origin)
    values = {key: normalize_space(item.findtext(key) or "") for key in _FIELDS}
    return values, item.findtext("content") or ""


def _fields_leniently(text: str, origin: str | None, error: str) -> tuple[dict[str, str], str]:
    def field_text(key: str) -> str | None:
        m = re.search(rf"<{key}>(.*?)</{key}>", text, re.S)
        if m is None:
            return None
        value = m.group(1).strip()
        if value.startswith("<![CDATA["):
            return value[9:].removesuffix("]]>")
        return unescape(value)

    values = {key: field_text(key) for key in _FIELDS}
    content = field_text("content")
    if values["transcript-id"] is None and content is None:
        raise ParseError(f"not a transcript: the XML is not well formed ({error})", document=origin)
    return {k: normalize_space(v or "") for k, v in values.items()}, content or ""


def _date(text: str) -> dt.date | None:
    m = _DATE.match(text)
    if not m:
        return None
    try:
        return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None


def _topics(text: str) -> list[str]:
    """Subjects are separated by ";" or by commas; commas followed by two spaces, when the field
    uses them, are the separators and single commas stay inside a subject."""
    commas = _SUBJECT_WIDE if _SUBJECT_WIDE.search(text) else re.compile(r",")
    topics: list[str] = []
    for part in text.split(";"):
        for item in commas.split(part):
            topic = normalize_space(item).strip(" .:")
            if topic and topic not in topics:
                topics.append(topic)
    return topics


# --- the content HTML into lines -----------------------------------------------------------------


class _Line(NamedTuple):
    """One paragraph (recent items) or printed line (scanned items) of the content.

    A named tuple rather than a frozen dataclass: a transcript has hundreds of lines, and a
    tuple is several times cheaper to build.
    """

    text: str
    bold: str | None  # text of a <strong>/<b> that opens the block, if any
    block_start: bool


def _lines(content: str) -> tuple[list[_Line], bool]:
    """The content as lines, and whether it is a scanned item (one <br> per printed line)."""
    if not content.strip():
        return [], False
    breaks = content.count("<br")
    scanned = breaks > 3 and breaks > 3 * content.count("<p")
    paragraphs = plain_paragraphs(content)  # all scanned items: no parser needed
    if paragraphs is not None:
        blocks: list[tuple[str | None, str]] = [(None, text) for text in paragraphs]
    else:
        tree = LexborHTMLParser(content)
        for br in tree.css("br"):
            br.replace_with("\n")
        found = leaf_blocks(tree.css(_BLOCKS)) or ([tree.body] if tree.body is not None else [])
        blocks = [(_opening_bold(block), block.text(deep=True) or "") for block in found]
    lines: list[_Line] = []
    for bold, text in blocks:
        first = True
        for part in filter(None, text.split("\n")):  # a third are empty, between two <br>s
            part = normalize_space(part)
            if scanned:
                if "/" in part:
                    part = _PAGE_TAIL.sub("", part)
                if len(part) < 20 and (_PAGE_NUMBER.match(part) or _PAGE_DASHED.search(part)):
                    continue
            if part:
                lines.append(tuple.__new__(_Line, (part, bold, first)))  # _Line(), minus a call
                bold, first = None, False
    return lines, scanned


def _opening_bold(block: LexborNode) -> str | None:
    child = block.first_child
    while child is not None and child.tag == "-text" and not (child.text() or "").strip():
        child = child.next
    if child is None or child.tag not in _BOLD:
        return None
    text = normalize_space(child.text() or "")
    return text if 0 < len(text) <= 80 else None


# --- labels ---------------------------------------------------------------------------------------


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance when it is at most ``limit``, else ``limit + 1``.

    Only the band of cells within ``limit`` of the diagonal is computed: a path leaving it costs
    more than ``limit`` anyway, and labels are matched against every known label, so the full
    table made this the parser's largest cost.
    """
    over = limit + 1
    if abs(len(a) - len(b)) > limit:
        return over
    if a == b:
        return 0
    size = len(b)
    previous = [j if j <= limit else over for j in range(size + 1)]
    for i, ca in enumerate(a, 1):
        current = [over] * (size + 1)
        if i <= limit:
            current[0] = i
        lowest = current[0]
        for j in range(max(1, i - limit), min(size, i + limit) + 1):
            cell = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != b[j - 1]))
            if cell > over:
                cell = over
            current[j] = cell
            if cell < lowest:
                lowest = cell
        if lowest > limit:
            return over
        previous = current
    return previous[size]


def _tolerance(word: str) -> int:
    letters = len(word.replace(" ", ""))
    return 3 if letters >= 12 else 2 if letters >= 9 else 1 if letters >= 5 else 0


def _near(key: str, table: str) -> str | None:
    """The known label ``key`` is a typo of ("journalst" -> "journalist"), if any.

    ``table`` is "pm" or "nonperson". Most keys are sentence starts, not labels: those with no
    known label of their first letter and a near length are answered here, not in the cache.
    """
    t = _tables()
    if key in (t.pm_forms if table == "pm" else t.nonperson_keys):
        return key
    if (key[:1], len(key)) not in t.near_reach[table]:
        return None
    return _typo_of(key, table)


@lru_cache(maxsize=16384)
def _typo_of(key: str, table: str) -> str | None:
    """:func:`_near` for a key that is no known label; cached: transcripts repeat their labels."""
    t = _tables()
    if len(key) > 30:
        return None
    limit = _tolerance(key)
    if not limit:
        return None
    index = t.near_index[table]
    letters = frozenset(key)
    best: tuple[int, str] | None = None
    for size in range(len(key) - limit, len(key) + limit + 1):
        for word, word_letters in index.get((key[:1], size), ()):
            if len(letters ^ word_letters) > 2 * limit:
                continue
            d = _distance(key, word, limit)
            # Ties go to the alphabetically first word, so the result never depends on set order.
            if d <= limit and (best is None or (d, word) < best):
                best = (d, word)
    return best[1] if best else None


def _key(label: str) -> str:
    """A label reduced for matching: no notes, no edge punctuation, lower case."""
    if "(" in label:  # most labels have no note, and the pattern is slower than the test
        label = _NOTE.sub(" ", label)
    return normalize_space(label).strip(" .,:;-'\"").lower()


def _base(key: str) -> str:
    """A key without its number ("journalist 2" -> "journalist"): a key, which holds no line
    break, can only end with one, and the regex would try every position of every key."""
    return _TRAILING_DIGITS.sub("", key) if key[-1:].isdecimal() else key


def _has_lower(text: str) -> bool:
    """Whether ``text`` holds a lower-case letter; at C speed for ASCII: upper() changes those."""
    return text != text.upper() if text.isascii() else any(map(str.islower, text))


def _smart_title(text: str) -> str:
    """Capitals as printed in labels ("LEIGH SALES") to the case of a name ("Leigh Sales")."""
    if _has_lower(text):
        return text
    small = _tables().small_words
    words = []
    for i, word in enumerate(text.lower().split()):
        if i and word in small:
            words.append(word)
            continue
        word = _CAP_AFTER.sub(lambda m: m.group(1) + m.group(2).upper(), word)
        word = word[:1].upper() + word[1:]
        if word.startswith("Mc") and len(word) > 3:
            word = "Mc" + word[2].upper() + word[3:]
        words.append(word)
    return " ".join(words)


@dataclass(frozen=True, slots=True)
class _Who:
    speaker: str | None
    role: str | None
    known: bool  # a label every transcript uses (PM, journalist...), needing no corroboration


@dataclass(slots=True)
class _Context:
    """What one transcript says about its speakers: the PM, its title, its other labels."""

    pm_name: str | None
    pm_surname: str
    pm_given: str
    title: str
    label_keys: Counter[str] = field(default_factory=Counter)
    # Labels already resolved; valid while label_keys, which _full_name reads, is unchanged.
    resolved: dict[str, _Who] = field(default_factory=dict)


def _context(pm_field: str, title: str) -> _Context:
    surname, _, given = pm_field.partition(",")
    name = first_last(pm_field, "en") if pm_field else None
    return _Context(name, surname.strip().lower(), given.strip().lower(), title)


def _is_pm_name(words: list[str], ctx: _Context) -> bool:
    if not words or not ctx.pm_surname:
        return False
    surname = ctx.pm_surname.split()[-1]
    if _distance(words[-1], surname, _tolerance(surname)) > _tolerance(surname):
        return False
    given = ctx.pm_given.split()[0] if ctx.pm_given else ""
    return len(words) == 1 or (bool(given) and words[0] in (given, given[:1]))


def _initials(key: str, ctx: _Context) -> _Who | None:
    """ "PJK", "JL": initials stand for the PM or for a name printed in the title."""
    letters = key.replace(".", "").replace(" ", "")
    if not (2 <= len(letters) <= 3 and letters.isalpha()):
        return None
    if ctx.pm_name and letters[0] == ctx.pm_given[:1] and letters[-1] == ctx.pm_surname[:1]:
        return _Who(ctx.pm_name, _tables().pm_role, True)
    words = re.findall(r"[A-Za-z][A-Za-z'’-]+", ctx.title)
    for i in range(len(words) - 1):
        pair = words[i : i + 2]
        # "KOB" is Kerry O'Brien: a letter after an apostrophe counts as an initial too.
        initials = "".join(w[0] + "".join(re.findall(r"['’](\w)", w)) for w in pair).lower()
        if initials in (letters, letters[0] + letters[-1]):
            name = person_of(_smart_title(" ".join(pair).upper()), "en")[1]
            if name and len(name.split()) == 2:
                return _Who(name, None, False)
    return _Who(None, None, False)


def _full_name(surname: str, ctx: _Context) -> str | None:
    """A surname alone ("MITCHELL") completed from another label ("NEIL MITCHELL") or the title."""
    for other in ctx.label_keys:
        words = other.split()
        if len(words) == 2 and words[-1] == surname and words[0] not in _tables().role_heads:
            return _smart_title(other.upper())
    pattern = rf"\b([A-Za-z][A-Za-z'’-]+)\s+{re.escape(surname)}\b"
    m = next(_title_matches(pattern, surname, ctx.title), None)
    if m:
        pair = _smart_title(f"{m.group(1)} {surname}".upper())
        name = person_of(pair, "en")[1]
        if name and len(name.split()) == 2 and m.group(1).lower() not in _tables().prose:
            return name
        # "Madonna King": a known given name makes a surname that is also an office a person's.
        if is_given_name(m.group(1), "en"):
            return pair
    return None


def _title_matches(pattern: str, word: str, title: str) -> Iterator[re.Match[str]]:
    """Matches in a title, ignoring case, of a pattern built from a label and spelling ``word``.
    Such patterns outnumber what ``re`` caches, and compiling one cost more than the rest of
    resolving a label; and if both are ASCII, a title without ``word`` (most) cannot match."""
    if title.isascii() and word.isascii() and word.lower() not in title.lower():
        return iter(())
    return _compiled(pattern).finditer(title)


@lru_cache(maxsize=1024)
def _compiled(pattern: str) -> re.Pattern[str]:
    """A title pattern, compiled once: the same interviewers and offices recur across items."""
    return re.compile(pattern, re.I)


def _holder(role: str, ctx: _Context) -> str | None:
    """The person the title names beside a role label ("MINISTER FOR FINANCE").

    Titles introduce guests by office: "with the Treasurer, the Hon. Peter Costello MP" or
    "with Senator the Hon. Mathias Cormann, Minister for Finance".
    """
    t = _tables()
    pattern = r"\s+".join(re.escape(w) for w in role.split())
    for m in _title_matches(rf"(?<![\w-]){pattern}(?![\w-])", role.split()[0], ctx.title):
        before = ctx.title[: m.start()].split()
        opener = not before or before[-1].endswith(",") or before[-1].lower() in t.small_words
        if not (opener or before[-1].lower() == "with"):
            continue  # "Deputy Prime Minister" is another office than "Prime Minister"
        after = ctx.title[m.end() :].lstrip(" ,").split()
        name = _name_in(after[:6], forward=True) or _name_in(before[-6:], forward=False)
        if name:
            return name
    return None


def _name_in(tokens: list[str], *, forward: bool) -> str | None:
    """Two name words next to a role in a title, past honorifics and post-nominals."""
    t = _tables()
    skip = t.honorifics | t.postnominals | {"senator"}
    words = [w.strip(",.") for w in tokens]
    if not forward:
        cut = max((i for i, w in enumerate(tokens) if w.endswith(",")), default=-1)
        if cut != len(tokens) - 1:
            return None  # "..., Cormann, Minister": the name ends at the comma before the role
        words = words[::-1]
    found: list[str] = []
    for word in words:
        key = word.lower()
        if key in skip and not found:
            continue
        if not word[:1].isupper() or key in skip or key in t.small_words:
            break
        found.append(word)
        if len(found) == 2:
            break
    if len(found) != 2:
        return None
    pair = _smart_title(" ".join(found if forward else found[::-1]).upper())
    name = person_of(pair, "en")[1]
    return name if name and len(name.split()) == 2 else None


def _resolve(label: str, ctx: _Context) -> _Who:
    """Who a label names: the PM, a non-person ("Journalist"), a role, or a named person."""
    t = _tables()
    key = _key(label)
    base = _base(key)
    if _near(key, "pm"):
        return _Who(ctx.pm_name, t.pm_role, True)
    if base in t.aliases:
        return _Who(t.aliases[base], None, True)
    nonperson = _near(base, "nonperson")
    if nonperson or is_nonperson(base, "en"):
        word = t.aliases.get(nonperson or "", "") or (nonperson or base).title()
        return _Who(word + key[len(base) :], None, True)
    words = [w for w in key.split() if w not in t.honorifics]
    while len(words) > 2 and words[-1] in t.postnominals:
        words.pop()
    after_pm = _after_pm_form(words)
    if after_pm is not None and (not after_pm or _is_pm_name(after_pm, ctx)):
        return _Who(ctx.pm_name, t.pm_role, True)
    if after_pm is None and _is_pm_name(words, ctx):
        return _Who(ctx.pm_name, t.pm_role, True)
    if len(words) == 1 and len(words[0]) >= 3:
        # "COX", "KING": a surname alone that the title names in full ("Interview with Tim
        # Cox") is that person, not initials and not an office.
        named = _full_name(words[0], ctx)
        if named:
            return _Who(named, None, False)
    compact = re.sub(r"[\s.]", "", key)
    if compact == "pm" or (len(compact) == 3 and compact.startswith("pm")):
        return _Who(ctx.pm_name, t.pm_role, True)  # "P M", "PMV": scanning slips of "PM"
    initials = _initials(key, ctx)
    if initials:
        return initials
    if after_pm:
        return _Who(_smart_title(" ".join(after_pm).upper()), t.pm_role, False)
    left, dash, right = " ".join(words).partition(" – " if " – " in key else " - ")
    if dash and right:
        # "PETER ORCHARD – CANTEEN", "IAN – CALLER": a name, then where or what the person is.
        who = _resolve(left, ctx)
        if right in t.not_labels:
            return who  # "UNION MEMBER - EXCERPT": a note on the text, not where the person is
        if who.speaker and who.role is None and not who.known:
            return _Who(who.speaker, _smart_title(right.upper()), False)
        return who
    text = _smart_title(" ".join(words).upper())
    role, name = person_of(text, "en")
    if name is None or words[-1] in t.role_heads:
        if any(w in t.role_heads for w in words):
            return _Who(_holder(text, ctx), text, False)
        return _Who(text, None, False)
    if len(name.split()) == 1:
        name = _full_name(name.lower(), ctx) or name
    return _Who(name, role, False)


def _after_pm_form(words: list[str]) -> list[str] | None:
    """The words after "PRIME MINISTER"/"PM" at the start of a label; None without that prefix."""
    for form in _tables().pm_by_length:
        size = len(form.split())
        head = " ".join(words[:size])
        if head == form or (size > 1 and _distance(head, form, 2) <= 2):
            return words[size:]
    return None


# --- turns ----------------------------------------------------------------------------------------


class _Candidate(NamedTuple):  # a named tuple for the reason _Line is one
    attribution: str
    rest: str
    who: _Who
    key: str


def _candidate(line: _Line, ctx: _Context, following: _Line | None) -> _Candidate | None:
    """The label a line opens with, if it may be one; corroboration is decided later."""
    if line.bold and _label_like(line.bold.rstrip(":;. "), strict=False):
        label = line.bold.rstrip(":;. ")
        rest = line.text[len(line.bold) :].lstrip(" :;.")
        return _make(label, rest, ctx)
    # A label (1 to 60 characters from an ASCII letter, no ":", ";" or line break) ends, spaces
    # aside, at the first separator: ":", or ";" or "." then at most one mark and a space or the
    # end ("Q. text", "PM;- text"). A lazy regex trying each length of label cost more than all
    # else done with a line, so the separator is searched for and the label checked after it.
    text = line.text
    m = _LABEL_END.search(text) if text[:1] in _ASCII_LETTERS else None
    if m:
        label = text[: m.start()].rstrip()
        if len(label) <= 60 and ";" not in label and "\n" not in label:
            colon = text[m.start()] == ":"
            rest = text[m.end() :].lstrip(" .:;")
            if (rest or colon) and (_known(label) or (colon and _label_like(label, strict=True))):
                return _make(label, rest, ctx)
    # A label on a line of its own ("Prime Minister", "PRIME MINISTER ( continued)") before text.
    if following is None or len(text) > 40 or text.endswith(("?", "!", ",")):
        return None
    if _has_lower(following.text) and _known(text):
        return _make(text, "", ctx)
    return None


def _make(label: str, rest: str, ctx: _Context) -> _Candidate:
    who = ctx.resolved.get(label)
    if who is None:
        who = ctx.resolved[label] = _resolve(label, ctx)
    attribution, key = _forms(label)
    return _Candidate(attribution, rest, who, key)


@lru_cache(maxsize=4096)
def _forms(label: str) -> tuple[str, str]:
    """A label as attributed and as a key; cached because transcripts repeat their labels."""
    return normalize_space(label), _key(label)


@lru_cache(maxsize=4096)
def _known(label: str) -> bool:
    """Whether a label is one every transcript uses; cached for the few that recur in each."""
    t = _tables()
    key = _key(label)
    if not key or key in t.not_labels:
        return False
    base = _base(key)
    return bool(_near(key, "pm") or base in t.aliases or _near(base, "nonperson"))


def _label_like(label: str, *, strict: bool) -> bool:
    """Could this text before a colon be a speaker label? Strict: printed in capitals."""
    t = _tables()
    key = _key(label)
    words = key.split()
    if not words or len(words) > 7 or key in t.not_labels or any(map(str.isdigit, key)):
        return False
    if any(w in t.prose for w in words) and not _known(label):
        return False
    letters = [ch for ch in label if ch.isalpha()]
    if not letters or "," in label:
        return False
    if strict:
        return not _has_lower(_NOTE.sub("", label).replace("Mc", "MC"))
    return letters[0].isupper()


def _is_end(text: str) -> bool:
    t = _tables()
    if not t.end_head.match(text):
        return False  # most lines: their first word is no end mark's first word
    return normalize_space(_PUNCT.sub(" ", text)).lower() in t.end_marks


@dataclass(slots=True)
class _Turn:
    candidate: _Candidate | None
    paragraphs: list[str] = field(default_factory=list)


def _join(paragraphs: list[str], text: str, fresh: bool) -> None:
    """Add a line (scanned items) to the last paragraph, or start a new paragraph."""
    if fresh or not paragraphs:
        paragraphs.append(text)
    elif paragraphs[-1].endswith("-") and paragraphs[-1][-2:-1].isalpha():
        paragraphs[-1] += text
    else:
        paragraphs[-1] += " " + text


def _breaks(previous: str | None, line: _Line, width: int) -> bool:
    """In scanned text, does ``line`` start a new paragraph after ``previous``?"""
    if previous is None:
        return True
    if len(previous) < 0.6 * width:  # a line this short ends its paragraph, stop or no stop
        return True
    if not _has_lower(previous) or not _has_lower(line.text):
        return True
    ends = previous.endswith(_SENTENCE_END)
    return ends and (line.block_start or len(previous) < 0.8 * width)


def _assemble(
    lines: list[_Line], scanned: bool, ctx: _Context
) -> tuple[list[_Turn], list[Narrative]]:
    """Lines into turns and narrative, each as its list of paragraphs."""
    following: list[_Line | None] = [*lines[1:], None]  # one too many when there is no line
    cands = [_candidate(line, ctx, after) for line, after in zip(lines, following, strict=False)]
    labelled = [c for c in cands if c]
    ctx.label_keys.update(c.key for c in labelled)
    ctx.resolved.clear()
    corroborated = any(c.who.known for c in labelled)
    # The first tests of _is_end, made here for every line: its first letter, then its first word.
    cannot_end, may_end = _tables().not_end_initials, _tables().end_head.match
    widths = sorted([len(line.text) for line in lines])
    width = widths[int(len(widths) * 0.75)] if widths else 0
    turns: list[_Turn] = []
    narrative: list[Narrative] = []
    loose: list[str] = []  # narrative paragraphs not yet placed
    current: _Turn | None = None
    previous: str | None = None

    def flush_loose() -> None:
        if loose:
            narrative.extend(Narrative(p, len(turns)) for p in loose)
            loose.clear()

    for line, cand in zip(lines, cands, strict=True):
        if cand and (cand.who.known or corroborated or ctx.label_keys[cand.key] > 1):
            flush_loose()
            # "QUESTION: PRIME MINISTER: ..." (scanned): a second label in the same line.
            inner = _candidate(_Line(cand.rest, None, False), ctx, None) if cand.rest else None
            while inner is not None and inner.who.known:
                turns.append(_Turn(cand))
                cand = inner
                inner = _candidate(_Line(cand.rest, None, False), ctx, None) if cand.rest else None
            current = _Turn(cand, [cand.rest] if cand.rest else [])
            turns.append(current)
            previous = cand.rest or None
            continue
        if line.text[:1] not in cannot_end and may_end(line.text) and _is_end(line.text):
            flush_loose()
            narrative.append(Narrative(line.text, len(turns)))
            current, previous = None, None
            continue
        target = current.paragraphs if current else loose
        fresh = not scanned or _breaks(previous if target else None, line, width)
        _join(target, line.text, fresh)
        previous = line.text
    flush_loose()
    return turns, narrative


def _resolve_typos(turns: list[_Turn], ctx: _Context) -> None:
    """ "MITCHELLL" beside "MITCHELL": an unknown label one edit from a more frequent one."""
    counts = Counter(t.candidate.key for t in turns if t.candidate)
    ranked = counts.most_common()
    for turn in turns:
        cand = turn.candidate
        if cand is None or cand.who.known or counts[cand.key] > 2:
            continue
        for other, n in ranked:
            if n > counts[cand.key] and len(other) >= 5 and _distance(cand.key, other, 1) == 1:
                turn.candidate = _Candidate(
                    cand.attribution, cand.rest, _resolve(other, ctx), other
                )
                break


def _speech_of_pm(narrative: list[Narrative], ctx: _Context) -> _Turn | None:
    """An unlabelled speech: its body (after header lines, before "ENDS") is one PM turn."""
    t = _tables()
    start = 0
    while start < len(narrative) and _is_header(narrative[start].text):
        start += 1
    end = len(narrative)
    while end > start and _is_end(narrative[end - 1].text):
        end -= 1
    if start >= end:
        return None
    body = [n.text for n in narrative[start:end]]
    who = _Who(ctx.pm_name, t.pm_role, True)
    turn = _Turn(_Candidate("", "", who, ""), body)
    del narrative[start:end]
    for i in range(start, len(narrative)):
        narrative[i] = Narrative(narrative[i].text, 1, narrative[i].kind)
    return turn


def _is_header(text: str) -> bool:
    """Capitals, a dateline ("21 February, 1972") or a known header phrase ("E&OE")."""
    low = text.lower()
    if not _has_lower(text) or (len(text) < 40 and _YEAR.search(text)):
        return True
    return any(p in low for p in _tables().header_phrases)


# --- the record -----------------------------------------------------------------------------------


def parse(data: bytes, *, origin: str | None = None) -> Document:
    values, content = _fields(data, origin)
    warnings: list[str] = []
    source_id = values["transcript-id"] or None
    title = values["title"]
    if not title:
        warnings.append("the transcript has no title")
    date = _date(values["release-date"])
    if values["release-date"] and date is None:
        warnings.append(f"release date {values['release-date']!r} is not a dd/mm/yyyy date")
    category = values["release-type"] or None
    ctx = _context(values["prime-minister"], title)
    if not ctx.pm_name:
        warnings.append("no prime minister named: PRIME MINISTER turns have no speaker")
    lines, scanned = _lines(content)
    if not lines:
        warnings.append("the transcript has no text")
    turns, narrative = _assemble(lines, scanned, ctx)
    _resolve_typos(turns, ctx)
    if not turns and (category or "").lower() in _tables().spoken_types:
        pm_turn = _speech_of_pm(narrative, ctx)
        turns = [pm_turn] if pm_turn else []
    speeches: list[Speech] = []
    for turn in turns:
        cand = turn.candidate
        if cand is None:
            continue
        speeches.append(
            Speech(
                cand.attribution or None, cand.who.speaker, cand.who.role, tuple(turn.paragraphs)
            )
        )
    unnamed = sorted(
        {s.attribution or "" for s in speeches if s.speaker is None and s.role is None}
    )
    if unnamed:
        warnings.append(f"labels naming nobody known: {', '.join(unnamed)}")
    texts = [p for s in speeches for p in s.paragraphs] + [n.text for n in narrative]
    return Document(
        source=SOURCE,
        title=title,
        language="en",
        format=NAME,
        source_id=source_id,
        url=_URL.format(source_id) if source_id else None,
        category=category,
        date=date,
        tags=Tags(topics=tuple(Tag(topic) for topic in _topics(values["subjects"]))),
        speeches=tuple(speeches),
        narrative=tuple(narrative),
        # Every mark holds an ellipsis: the regex tests each character, and few texts hold one.
        omissions=sum(len(_OMISSION.findall(t)) for t in texts if "..." in t or "…" in t),
        warnings=tuple(warnings),
        origin=origin,
    )
